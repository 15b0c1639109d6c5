"""The predictions section: test photos with the network's answers, and the misclassified ones."""

from __future__ import annotations

import numpy as np

from signnet.report import figures
from signnet.report.document import (
    Block,
    Figure,
    Heading,
    Paragraph,
    literal,
)
from signnet.report.facts import Facts, Prediction
from signnet.report.sections.wording import PHOTO_COLUMNS


def _titles(answers: tuple[Prediction, ...]) -> list[str]:
    return [f"{a.actual} → {a.predicted}, {a.probability:.3f}" for a in answers]


def section(f: Facts, images: np.ndarray) -> list[Block]:
    """The example test images, then the misclassified ones from a new row, in one figure
    (``images``: the test part's, (N, S, S))."""
    dx, size = f.diagnosis, f.data.image_size
    examples, errors = dx.examples, dx.errors
    gap = (-len(examples)) % PHOTO_COLUMNS if errors else 0  # the errors start a new row
    shown = [images[a.index] for a in examples] + [None] * gap + [images[a.index] for a in errors]
    titles = _titles(examples) + [""] * gap + _titles(errors)
    wrong = [a.wrong for a in examples] + [False] * gap + [True] * len(errors)
    which = (
        "the misclassified image"
        if dx.wrong == 1
        else f"all {dx.wrong} misclassified images"
        if len(errors) == dx.wrong
        else f"the {len(errors)} most confident of the {dx.wrong} misclassified images"
    )
    named = "names their files" if f.data.photos else f"gives their index in {f.data.name}"
    text = (
        f"{{fig:predictions}} shows {len(examples)} test images, evenly spread over the test "
        f"part, as the network sees them ({size} x {size} grayscale)"
        + (
            ". Every test image is classified correctly."
            if dx.wrong == 0
            else f", then, from a new row, {which}; its caption {named}."
        )
    )
    caption = (
        "Test images, each titled with its true digit → the predicted one and the probability "
        "the network gives its answer; red titles mark errors."
    )
    if errors:
        caption += (
            f" After the first {len(examples)}, the misclassified, most confident first; "
            + ("their files, in order: " if f.data.photos else "in order: ")
            + ", ".join(literal(a.file) for a in errors)
            + "."
        )
    return [
        Heading("Predictions on test images", label="predictions"),
        Figure(
            "predictions.png",
            figures.photo_grid(shown, titles, PHOTO_COLUMNS, wrong),
            caption,
            label="predictions",
        ),
        Paragraph(text),
    ]
