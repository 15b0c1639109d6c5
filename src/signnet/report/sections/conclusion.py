"""The conclusion section."""

from __future__ import annotations

from signnet.report.document import (
    Block,
    Heading,
    Paragraph,
)
from signnet.report.facts import Facts
from signnet.report.sections.wording import listing, network_kind, pct


def section(f: Facts) -> list[Block]:
    r = f.results
    outcome = (
        "did not learn the task with these settings ({sec:discussion})"
        if f.diagnosis.at_chance
        else f"reaches {pct(r.accuracy)} on the test part"
        + (f" and {pct(f.cv.summary['accuracy_mean'])} in cross-validation" if f.cv else "")
    )
    next_steps = []
    if f.diagnosis.at_chance:
        next_steps.append(
            "the departures of {sec:hyperparameters}, which the measurements there support"
        )
    if f.training.loss_rose:
        next_steps.append("early stopping on a validation part")
    if not f.method.conv:
        next_steps.append("convolutional layers, which use the images' spatial structure")
    if f.binary:
        next_steps.append("all ten digits")
    return [
        Heading("Conclusion", label="conclusion"),
        Paragraph(
            f"A {network_kind(f)} network written from scratch {outcome}, with every metric "
            "checked against scikit-learn and the whole run reproducible from its parameters."
            + (f" Next steps: {listing(next_steps)}." if next_steps else "")
        ),
    ]
