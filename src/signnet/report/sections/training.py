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
            f"({num(t.lowest_test_loss)}) and then rose to {num(last['test_loss'])} while the "
            f"training loss kept falling: the network overfits after epoch "
            f"{t.lowest_test_loss_epoch}."
        )
    else:
        trend = (
            f"The test loss reached its lowest, {num(t.lowest_test_loss)}, at epoch "
            f"{t.lowest_test_loss_epoch} and ended at {num(last['test_loss'])}."
        )
    return [
        Heading("Training", label="training"),
        Paragraph(
            f"{{fig:curves}} shows loss and accuracy after every epoch. After the last epoch "
            f"({last['epoch']}) the training loss is {num(last['train_loss'])} (accuracy "
            f"{pct(last['train_accuracy'])}) and the test loss {num(last['test_loss'])} "
            f"(accuracy {pct(last['test_accuracy'])}). {trend}{stopped} The reported model is "
            f"the one {'kept by the validation part' if t.validation else 'after the last epoch'}"
            ", never one chosen by its test figures."
        ),
        Figure(
            "curves.png",
            figures.training_curves(history, t.lowest_test_loss_epoch),
            "Loss and accuracy per epoch on the training and test parts, each evaluated on the "
            "whole part after the epoch; the dotted line marks the lowest test loss.",
            label="curves",
        ),
    ]
