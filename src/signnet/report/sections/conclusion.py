"""The conclusion: what the run shows, and the next steps its own measurements point to."""

from __future__ import annotations

from signnet.report.document import (
    Block,
    Heading,
    Paragraph,
)
from signnet.report.facts import Facts
from signnet.report.sections.discussion import regularisation
from signnet.report.sections.wording import listing, network_kind


def section(f: Facts) -> list[Block]:
    r, dx = f.results, f.diagnosis
    if dx.at_chance:
        outcome = "did not learn the task with these settings ({sec:discussion})"
    else:
        judged = [
            "overfits its training images" if r.overfit else "shows no measurable overfitting",
            "its probabilities are calibrated"
            if r.calibrated
            else "its probabilities are not calibrated",
        ]
        outcome = "learns the task; it " + " and ".join(judged)
    next_steps = []
    if dx.at_chance:
        next_steps.append(
            "the departures of {sec:hyperparameters}, which the measurements there support"
        )
    if r.overfit and regularisation(f)[1]:
        next_steps.append("the remedies for overfitting named there")
    if not r.calibrated and not dx.at_chance:
        next_steps.append("temperature scaling on a validation part")
    if f.robustness and f.robustness.costly:
        costly = listing(list(f.robustness.costly))
        next_steps.append(f"training for the changes that cost accuracy ({costly})")
    if f.data.photos and f.limits.signers:
        next_steps.append("a test on other people's photos")
    if not f.method.conv:
        next_steps.append("convolutional layers")
    if f.binary:
        next_steps.append("all ten digits")
    return [
        Heading("Conclusion", label="conclusion"),
        Paragraph(
            f"A {network_kind(f)} network written from scratch {outcome} ({{sec:discussion}})."
            + (f" Next steps: {'; '.join(next_steps)}." if next_steps else "")
        ),
    ]
