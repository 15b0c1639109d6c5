"""The title and the introduction: the problem and what the report shows."""

from __future__ import annotations

from signnet.report.document import (
    Block,
    Heading,
    Paragraph,
    Title,
)
from signnet.report.facts import Facts
from signnet.report.sections.wording import network_kind, pct, task_name


def section(f: Facts) -> list[Block]:
    r, cv = f.results, f.cv
    cv_text = (
        f" Cross-validated over {len(cv.folds)} folds, the same recipe reaches "
        f"{pct(cv.summary['accuracy_mean'])} ± {pct(cv.summary['accuracy_std'])}."
        if cv
        else ""
    )
    classes = (
        f"two classes, with digit {f.positive} as the positive class"
        if f.binary
        else f"{len(f.digits)} classes"
    )
    mnist = f.data.origin == "mnist"
    subject = "Handwritten digits (MNIST)" if mnist else "Sign-language digits"
    shows = "handwritten" if mnist else "a hand signing"
    return [
        Title(
            f"{subject}, {task_name(f)}: a {network_kind(f)} network from scratch",
            f.authors,
            f.title_details,
        ),
        Paragraph(
            f"**Summary.** A {network_kind(f)} network written with array operations only "
            f"classifies images of {shows} {task_name(f)}. On the held-out test part it labels "
            f"{r.correct} of {r.n} images correctly ({pct(r.accuracy)}; 95% interval "
            f"{pct(r.accuracy_low)} to {pct(r.accuracy_high)}).{cv_text} Every figure here is "
            "computed by the signnet pipeline from its artifacts."
        ),
        Heading("Introduction and problem", label="introduction"),
        Paragraph(
            f"The task is supervised image classification with {classes}: given a grayscale "
            + (
                "image of a handwritten digit"
                if mnist
                else "image of a hand showing a digit in sign language"
            )
            + ", predict the digit. The network's "
            "forward pass, backpropagation and optimizer are the project's own code (NumPy; the "
            "same code runs on CuPy arrays on a GPU), and every metric is computed by hand and "
            "checked against scikit-learn. Beyond the reference reports, the test figures come "
            "with confidence intervals"
            + (" and a cross-validated estimate" if f.cv else "")
            + ", departures from the references' set-up with the evidence measured for them, "
            "and the run reproduces byte for byte (Appendix A)."
        ),
    ]
