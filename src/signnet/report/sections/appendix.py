"""Appendix A: the cross-check against scikit-learn."""

from __future__ import annotations

from signnet.report.document import (
    Block,
    Heading,
    Paragraph,
    Table,
)
from signnet.report.facts import Facts, ReportInputs


def section(inputs: ReportInputs, f: Facts) -> list[Block]:
    crosscheck = inputs.evaluation["crosscheck"]
    parts = list(crosscheck)
    by_part = {p: {row["metric"]: row["difference"] for row in crosscheck[p]} for p in parts}
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
            tuple((m, *(f"{by_part[p][m]:.1e}" for p in parts)) for m in metrics),
            caption="Largest absolute difference between the hand-computed figures and "
            "scikit-learn's.",
            label="crosscheck",
        ),
    ]
