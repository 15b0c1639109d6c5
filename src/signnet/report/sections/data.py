"""The data section: where the images come from, how they are prepared and split."""

from __future__ import annotations

from signnet.data.preprocessing import SCALINGS
from signnet.references import in_text
from signnet.report.document import (
    Block,
    Heading,
    Paragraph,
    Table,
)
from signnet.report.facts import Facts
from signnet.report.sections.wording import pct


def section(f: Facts) -> list[Block]:
    d = f.data
    if d.origin == "mnist":
        origin = (
            f"The images are MNIST ({d.citation}), its four IDX files from "
            f"[{d.repository}]({d.repository}), each checked against its published MD5 "
            f"(content fingerprint {d.fingerprint[:16]}...): {d.source_images:,} handwritten "
            f"digits, {d.per_digit_low:,} to {d.per_digit_high:,} per digit, the training and "
            "test files merged."
        )
        preparation = (
            f"Its images are used at {d.image_size} x {d.image_size} pixels ({d.features} "
            "inputs; resized as photos are where that is not 28 x 28)."
        )
    elif d.origin == "course file":
        origin = (
            f"The images come from the course-format file {d.name} (sha256 "
            f"{d.fingerprint[:16]}...), {d.source_images:,} images in all."
        )
        preparation = (
            f"Its images are used at {d.image_size} x {d.image_size} pixels ({d.features} "
            "inputs; images of another size are resized as photos are, Lanczos)."
        )
    else:
        origin = (
            f"The photos are the {d.name} ({in_text(d.citation)}), "
            f"[{d.repository}]({d.repository}), commit {d.commit[:10]} of {d.commit_date}, "
            f"under the {d.license}: {d.source_images:,} RGB photos of one hand each, "
            f"{d.per_digit_low} to {d.per_digit_high} per digit. Their content fingerprint "
            "(Appendix A) was verified before use."
        )
        preparation = (
            "Each photo is turned upright by its EXIF orientation, converted to 8-bit grayscale "
            f"and resized to {d.image_size} x {d.image_size} pixels (Lanczos), "
            f"{d.features} inputs."
        )
    scaling = SCALINGS[d.scaling].text
    rows = tuple((str(dg), str(tr + te), str(tr), str(te)) for dg, _, tr, te in d.rows)
    return [
        Heading("Data", label="data"),
        Paragraph(origin),
        Paragraph(
            f"{preparation} Then {scaling}. The split is stratified and seeded (seed "
            f"{d.split_seed}): from each digit, {pct(d.test_fraction, 0)} of the images "
            "(rounded) form the test part ({tab:classes}), which never trains the network or "
            "chooses among its weights."
        ),
        Table(
            ("digit", "images", "train", "test"),
            (
                *rows,
                (
                    "all",
                    str(d.train_images + d.test_images),
                    str(d.train_images),
                    str(d.test_images),
                ),
            ),
            caption="Images per digit and part.",
            label="classes",
        ),
    ]
