"""Appendix A: the cross-check against scikit-learn."""

from __future__ import annotations

from signnet.report.document import (
    Block,
    Heading,
    Paragraph,
    Table,
)
from signnet.report.facts import Facts, ReportInputs


def _undefined(row: dict) -> bool:
    """Whether both sides leave a cross-check row's figure undefined."""
    return "hand" in row and row["hand"] is None and row["sklearn"] is None


def section(inputs: ReportInputs, f: Facts) -> list[Block]:
    """The method of the cross-check; a table only of the figures that differ at all (a table
    of zeros would say nothing a sentence cannot)."""
    crosscheck = inputs.evaluation["crosscheck"]
    parts = list(crosscheck)
    rows = [(part, row) for part in parts for row in crosscheck[part]]
    undefined = sum(_undefined(row) for _, row in rows)
    differing = [(part, row) for part, row in rows if not _undefined(row) and row["difference"]]
    method = (
        "The evaluate stage computes every figure with NumPy by hand, then computes it again "
        "with scikit-learn from the same predictions, and fails if any two differ by more than "
        f"{f.results.tolerance:.0e}. Of the {len(rows) - undefined} figures of the "
        f"{' and '.join(parts)} parts"
        + (f" ({undefined} more are undefined on both sides)" if undefined else "")
        + ", "
    )
    blocks: list[Block] = [Heading("Appendix A: cross-check against scikit-learn")]
    if not differing:
        return blocks + [Paragraph(method + "every one is identical to scikit-learn's.")]
    return blocks + [
        Paragraph(
            method
            + (
                "1 differs in its last digits, by "
                if len(differing) == 1
                else f"{len(differing)} differ in their last digits, by at most "
            )
            + f"{max(row['difference'] for _, row in differing):.1e} ({{tab:crosscheck}}); the "
            "others are identical."
        ),
        Table(
            ("part", "figure", "absolute difference"),
            tuple((part, row["metric"], f"{row['difference']:.1e}") for part, row in differing),
            caption="The figures whose hand-computed value differs from scikit-learn's.",
            label="crosscheck",
        ),
    ]
