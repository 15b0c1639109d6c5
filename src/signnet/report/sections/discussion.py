"""The discussion: each judgement (chance, overfitting, calibration) with the measurement and
the threshold it rests on (:mod:`signnet.report.judgements`), the confusions, and the limits
of what the test part can show."""

from __future__ import annotations

from signnet.metrics import CALIBRATION_BINS
from signnet.report.document import (
    Block,
    Bullets,
    Heading,
)
from signnet.report.facts import Facts
from signnet.report.judgements import CALIBRATED_ECE, OVERCONFIDENT
from signnet.report.sections.wording import listing, num, pct, plural


def _chance(f: Facts) -> str:
    r, dx = f.results, f.diagnosis
    return (
        f"**Warning: the network is at chance.** It predicts "
        f"{plural(dx.predicted_classes, 'class', 'classes')} for the {r.n} test images; "
        f"its balanced accuracy is {pct(r.balanced_accuracy)} against "
        f"{pct(1 / len(f.digits))} for guessing, and its accuracy "
        f"{pct(r.accuracy)} against {pct(dx.majority_share)} for always answering the "
        "largest class. The figures describe a model that has not learned the task; "
        "raise the learning rate or standardise the pixels ({sec:hyperparameters})."
    )


def regularisation(f: Facts) -> tuple[list[str], list[str]]:
    """What the run did against overfitting, and what it did not."""
    m = f.method
    measures = (
        ("weight decay", f"weight decay {m.weight_decay:g}", m.weight_decay > 0),
        ("dropout", f"dropout {m.dropout:g}", m.dropout > 0 and bool(m.hidden)),
        ("augmentation", f"augmentation ({m.augmentation()})", m.augmented),
        ("early stopping", "early stopping on a validation part", m.validation_fraction > 0),
    )
    return [done for _, done, used in measures if used], [
        name for name, _, used in measures if not used
    ]


def _generalisation(f: Facts) -> str:
    r = f.results
    reference, accuracy = (
        ("the cross-validated accuracy", f.cv.summary["accuracy_mean"])
        if f.cv
        else ("the test accuracy", r.accuracy)
    )
    gap = 100 * (r.train_accuracy - accuracy)
    losses = (
        f", and the test log-loss is {r.log_loss / r.train_log_loss:.1f} times the training one"
        if r.train_log_loss > 0
        else ""
    )
    if not r.overfit:
        return (
            f"**No measurable overfitting.** The training accuracy ({{tab:parts}}) lies within "
            f"the 95% interval of {reference}, {abs(gap):.1f} points from it"
            + (
                f"; the test log-loss is {r.log_loss / r.train_log_loss:.1f} times the training "
                "one: the network is surer of the images it trained on without answering them "
                "measurably better."
                if r.train_log_loss > 0
                else "."
            )
        )
    used, unused = regularisation(f)
    against = (
        f"The run used {listing(used)} against it"
        + (f"; {listing(unused)} could be added" if unused else "")
        if used
        else f"The run used nothing against it; {listing(unused)} would address it"
    )
    return (
        f"**Overfitting.** The training accuracy ({{tab:parts}}) lies {gap:.1f} points above "
        f"{reference}, beyond its 95% interval{losses}: the network fits its training images "
        f"better than it generalises. {against}, each to be "
        "kept only if it raises the cross-validated accuracy."
    )


def _calibration(f: Facts) -> str:
    r, dx = f.results, f.diagnosis
    direction = "overconfident" if r.calibration_gap > 0 else "underconfident"
    side = "above" if r.calibration_gap > 0 else "below"
    judged = (
        f"at most the {CALIBRATED_ECE:g} taken here as calibrated"
        if r.calibrated
        else f"above the {CALIBRATED_ECE:g} taken here as calibrated"
    )
    overconfident = (
        f" {plural(dx.overconfident, 'error')} of {dx.wrong} came with a probability of at "
        f"least {OVERCONFIDENT:g}."
        if dx.overconfident
        else ""
    )
    return (
        f"**Calibration.** The expected calibration error over {CALIBRATION_BINS} bins of "
        f"confidence (Guo et al., 2017) is {num(r.ece, 3)}, {judged} ({{fig:quality}}, right): "
        + (
            f"the mean probability the network gives its answers is within "
            f"{100 * abs(r.calibration_gap):.1f} points of its accuracy."
            if r.calibrated
            else f"the mean probability the network gives its answers is "
            f"{100 * abs(r.calibration_gap):.1f} points {side} its accuracy ({direction})."
        )
        + overconfident
        + (
            ""
            if r.calibrated
            else " Its probabilities should not be read as the chance of being right; "
            "temperature scaling on a validation part would correct them."
        )
    )


def _limits(f: Facts) -> str:
    lim, r = f.limits, f.results
    low, high, spread = lim.brightness
    who = ""
    if lim.signers and not lim.signer_recorded:
        who = (
            f"The photos come from {lim.signers} people, and no file "
            "says whose hand it shows, so the split is by photo: a test photo's signer likely has "
            "other photos in the training part, and the test measures new photos of familiar "
            "hands more than new people. "
        )
    light = (
        f"The photos were taken alike (the test photos' mean brightness lies between "
        f"{low:.0f} and {high:.0f} of 255, standard deviation {spread:.0f}); "
        + (
            "{sec:robustness} tests other light and the other hand, not other backgrounds. "
            if f.robustness
            else "other light, the other hand or another background are not tested here. "
        )
        if f.data.photos
        else ""
    )
    size = f"With {r.n} test images one image moves the accuracy by {100 / r.n:.2f} points" + (
        f"; the cross-validated {pct(f.cv.summary['accuracy_mean'])} over "
        f"{f.cv.images:,} images is the steadier estimate."
        if f.cv
        else "."
    )
    return f"**Limits of the test.** {who}{light}{size}"


def section(f: Facts) -> list[Block]:
    dx = f.diagnosis
    items = [_chance(f)] if dx.at_chance else []
    items += [_generalisation(f), _calibration(f)]
    if dx.confusions:
        pairs = [
            f"{c.actual} taken for {c.predicted} ({plural(c.count, 'image')}, "
            f"{pct(c.share, 0)} of the {c.actual}s)"
            for c in dx.confusions
        ]
        items.append(f"**Confusions.** The most frequent on the test part: {listing(pairs)}.")
    items.append(_limits(f))
    return [Heading("Discussion", label="discussion"), Bullets(tuple(items))]
