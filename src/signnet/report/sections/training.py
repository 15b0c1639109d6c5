"""The training section: the curves and what they show."""

from __future__ import annotations

from signnet.report import figures
from signnet.report.document import (
    Block,
    Figure,
    Heading,
    Paragraph,
)
from signnet.report.facts import Facts
from signnet.report.judgements import LOSS_RISE
from signnet.report.sections.wording import num, pct


def section(f: Facts, history: list[dict]) -> list[Block]:
    t = f.training
    last = t.last
    stopped = (
        f" Training stopped early after epoch {t.epochs_run} of {f.method.epochs}."
        if t.stopped_early
        else ""
    )
    if t.loss_rose:
        trend = (
            f"The test loss was lowest at epoch {t.lowest_test_loss_epoch} "
            f"({num(t.lowest_test_loss)}) and then rose by "
            f"{pct(last['test_loss'] / t.lowest_test_loss - 1, 0)} while the training loss kept "
            f"falling: the network overfits after epoch {t.lowest_test_loss_epoch}."
        )
    else:
        trend = (
            f"The test loss reached its lowest, {num(t.lowest_test_loss)}, at epoch "
            f"{t.lowest_test_loss_epoch}, and ended within {pct(LOSS_RISE, 0)} of it."
        )
    m = f.method
    as_trained = [
        text
        for text, present in (
            ("dropout", m.dropout > 0),
            ("augmentation", m.augmented),
            ("batch statistics", m.batch_norm),
        )
        if present
    ]
    trained_with = f", with {' and '.join(as_trained)} as trained" if as_trained else ""
    return [
        Heading("Training", label="training"),
        Paragraph(
            f"{{fig:curves}} shows loss and accuracy for every epoch: for training, each batch "
            f"scored by its forward pass before its update{trained_with}, averaged over the "
            "epoch (no second pass, but a lag of up to an epoch behind the weights); for test, "
            f"the whole test part after the epoch. {trend}{stopped} The reported model is "
            f"the one {'kept by the validation part' if t.validation else 'after the last epoch'}"
            ", never one chosen by its test figures."
        ),
        Figure(
            "curves.png",
            figures.training_curves(history, t.lowest_test_loss_epoch),
            "Loss and accuracy per epoch: training, the mean over the epoch's batches as they "
            "were trained; test, the whole part after the epoch. The dotted line marks the "
            "lowest test loss.",
            label="curves",
        ),
    ]
