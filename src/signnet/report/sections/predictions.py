"""The predictions section: test photos with the network's answers, and the misclassified ones."""

from __future__ import annotations

import numpy as np

from signnet.report import figures
from signnet.report.document import (
    Block,
    Figure,
    Heading,
    Paragraph,
    Table,
    literal,
)
from signnet.report.facts import Facts, Prediction
from signnet.report.sections.wording import PHOTO_COLUMNS


def _short_name(file: str) -> str:
    """A photo's name short enough for a title: ``IMG_1320.JPG`` of ``Dataset/8/IMG_1320.JPG``,
    ``#1670`` of a course file's ``dataset_labels.npz#1670``."""
    name = file.rsplit("/", 1)[-1]
    return "#" + name.rsplit("#", 1)[1] if "#" in name else name


def _titles(answers: tuple[Prediction, ...], with_file: bool) -> list[str]:
    return [
        (f"{_short_name(a.file)}\n" if with_file else "")
        + f"true {a.actual}, pred {a.predicted}\np = {a.probability:.3f}"
        for a in answers
    ]


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
                else " {fig:errors} and {tab:errors} show "
                + (
                    "the misclassified image"
                    if dx.wrong == 1
                    else f"all {dx.wrong} misclassified images"
                    if len(errors) == dx.wrong
                    else f"the {len(errors)} most confident of the {dx.wrong} misclassified images"
                )
                + (", most confident first," if len(errors) > 1 else "")
                + (
                    " with their file names in the dataset."
                    if f.data.photos
                    else f" with their index in {f.data.name}."
                )
            )
        ),
        Figure(
            "examples.png",
            figures.photo_grid(
                images[[a.index for a in examples]],
                _titles(examples, False),
                PHOTO_COLUMNS,
                [a.wrong for a in examples],
            ),
            "Test images with the true digit, the predicted digit and the probability the "
            "network gives its prediction. Red titles mark errors.",
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
                _titles(errors, True),
                PHOTO_COLUMNS,
                [True] * len(errors),
            ),
            "Misclassified test images with their "
            + ("file names." if f.data.photos else f"index in {f.data.name}."),
            label="errors",
        ),
        Table(
            ("file", "true digit", "predicted", "probability"),
            tuple(
                (literal(a.file), str(a.actual), str(a.predicted), f"{a.probability:.3f}")
                for a in errors
            ),
            caption="The misclassified images, to look them up in "
            + ("the dataset." if f.data.photos else f"{f.data.name}."),
            label="errors",
        ),
    ]
