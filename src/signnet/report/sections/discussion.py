"""The discussion section, written from the run's diagnosis."""

from __future__ import annotations

from signnet.report.document import (
    Block,
    Bullets,
    Heading,
)
from signnet.report.facts import OVERCONFIDENT, Facts
from signnet.report.sections.results import claims_caveat
from signnet.report.sections.wording import listing, num, pct, plural


def section(f: Facts) -> list[Block]:
    r, t, dx = f.results, f.training, f.diagnosis
    items = []
    if dx.at_chance:
        items.append(
            f"**Warning: the network is at chance.** It predicts "
            f"{plural(dx.predicted_classes, 'class', 'classes')} for the {r.n} test images; "
            f"its balanced accuracy is {pct(r.balanced_accuracy)} against "
            f"{pct(1 / len(f.digits))} for guessing, and its accuracy "
            f"{pct(r.accuracy)} against {pct(dx.majority_share)} for always answering the "
            "largest class. The figures below describe a model that has not learned the task; "
            "raise the learning rate or standardise the pixels ({sec:hyperparameters})."
        )
    if t.loss_rose:
        items.append(
            f"Overfitting: the test loss bottomed out at epoch {t.lowest_test_loss_epoch} "
            f"({num(t.lowest_test_loss)}) and rose to {num(t.last['test_loss'])} by epoch "
            f"{t.last['epoch']}, while the training accuracy reached "
            f"{pct(t.last['train_accuracy'])}. Fewer epochs, a validation part with early "
            "stopping (train.validation_fraction, train.patience), weight decay or "
            "augmentation would address it."
        )
    items.append(
        f"The gap between training and test accuracy is {100 * t.gap:.1f} points "
        f"({pct(t.last['train_accuracy'])} against {pct(t.last['test_accuracy'])}): "
        + (
            "the network fits its training images well beyond what carries over."
            if t.overfit
            else "what the network learned carries over to images it never saw."
        )
    )
    if dx.confusions:
        pairs = [
            f"{c.actual} taken for {c.predicted} ({plural(c.count, 'image')}, "
            f"{pct(c.share, 0)} of the {c.actual}s)"
            for c in dx.confusions
        ]
        items.append(f"Most frequent confusions on the test part: {listing(pairs)}.")
    if dx.wrong:
        items.append(
            f"Overconfidence: {dx.overconfident} of the {plural(dx.wrong, 'error')} were made "
            f"with a probability of at least {OVERCONFIDENT:g}, and the least confident error "
            f"still had {dx.lowest_error_confidence:.3f}. The probabilities are not calibrated: "
            "a high one does not mean the answer is right."
        )
    items.append(
        f"Precision of the figures: with {r.n} test images one image moves the accuracy by "
        f"{100 / r.n:.2f} points and the 95% interval spans "
        f"{100 * (r.accuracy_high - r.accuracy_low):.1f} points"
        + (
            f"; the cross-validated {pct(f.cv.summary['accuracy_mean'])} over "
            f"{f.cv.images:,} images is the steadier estimate."
            if f.cv
            else "."
        )
    )
    if f.comparison:
        items.append(claims_caveat(f))
    return [Heading("Discussion", label="discussion"), Bullets(tuple(items))]
