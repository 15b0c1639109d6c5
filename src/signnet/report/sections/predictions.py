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
    """The example and misclassified test images (``images``: the test part's, (N, S, S))."""
    dx, size = f.diagnosis, f.data.image_size
    examples, errors = dx.examples, dx.errors
    blocks: list[Block] = [
        Heading("Predictions on test images", label="predictions"),
        Paragraph(
            f"{{fig:examples}} shows {len(examples)} test images, evenly spread over the test "
            f"part, as the network sees them ({size} x {size} grayscale)."
            + (
                " Every test image is classified correctly."
                if dx.wrong == 0
                else " {fig:errors} shows "
                + (
                    "the misclassified image"
                    if dx.wrong == 1
                    else f"all {dx.wrong} misclassified images"
                    if len(errors) == dx.wrong
                    else f"the {len(errors)} most confident of the {dx.wrong} misclassified images"
                )
                + (", most confident first" if len(errors) > 1 else "")
                + (
                    "; its caption names their files."
                    if f.data.photos
                    else f"; its caption gives their index in {f.data.name}."
                )
            )
        ),
        Figure(
            "examples.png",
            figures.photo_grid(
                images[[a.index for a in examples]],
                _titles(examples),
                PHOTO_COLUMNS,
                [a.wrong for a in examples],
            ),
            "Test images, each titled with its true digit → the predicted one and the "
            "probability the network gives its answer; red titles mark errors.",
            label="examples",
        ),
    ]
    if not errors:
        return blocks
    return blocks + [
        Figure(
            "misclassified.png",
            figures.photo_grid(
                images[[a.index for a in errors]],
                _titles(errors),
                PHOTO_COLUMNS,
                [True] * len(errors),
            ),
            "Misclassified test images, most confident first, titled as in {fig:examples}; "
            + ("their files, in order: " if f.data.photos else "in order: ")
            + ", ".join(literal(a.file) for a in errors)
            + ".",
            label="errors",
        ),
    ]
