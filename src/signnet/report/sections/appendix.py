"""Appendix A: the cross-check against scikit-learn."""

from __future__ import annotations

from signnet.report.document import (
    Block,
    Heading,
    Paragraph,
    Table,
)
from signnet.report.facts import Facts, ReportInputs
from signnet.report.sections.wording import UNDEFINED


def _difference(row: dict) -> str:
    """A cross-check row's difference, or that both sides leave the figure undefined."""
    both_undefined = "hand" in row and row["hand"] is None and row["sklearn"] is None
    return UNDEFINED if both_undefined else f"{row['difference']:.1e}"


def section(inputs: ReportInputs, f: Facts) -> list[Block]:
    crosscheck = inputs.evaluation["crosscheck"]
    parts = list(crosscheck)
    by_part = {p: {row["metric"]: _difference(row) for row in crosscheck[p]} for p in parts}
    metrics = [row["metric"] for row in crosscheck[parts[0]]]
    return [
        Heading("Appendix A: cross-check against scikit-learn"),
        Paragraph(
            "The evaluate stage computes every figure with NumPy by hand, then computes it again "
            "with scikit-learn from the same predictions, and fails if any two differ by more "
            f"than {f.results.tolerance:.0e}. {{tab:crosscheck}} lists the largest absolute "
            "difference of each."
        ),
        Table(
            ("figure", *(f"{part} part" for part in parts)),
            tuple((m, *(by_part[p][m] for p in parts)) for m in metrics),
            caption="Largest absolute difference between the hand-computed figures and "
            f"scikit-learn's ({UNDEFINED}: both leave the figure undefined for the part).",
            label="crosscheck",
        ),
    ]
