"""Appendix A: how to reproduce the run (the command, the data's and the code's fingerprints)
and the cross-check against scikit-learn."""

from __future__ import annotations

from signnet.report.document import (
    Block,
    Code,
    Heading,
    Paragraph,
    Table,
)
from signnet.report.facts import Facts, ReportInputs


def _undefined(row: dict) -> bool:
    """Whether both sides leave a cross-check row's figure undefined."""
    return "hand" in row and row["hand"] is None and row["sklearn"] is None


def _reproduction(f: Facts) -> list[Block]:
    what = "per-file manifest" if f.data.origin == "dataset" else "file"
    return [
        Paragraph(
            "**Reproduction.** In a clone of the project, the command of {lst:command} "
            "reproduces this run byte for byte, this report included, whatever params.yaml "
            f"holds; its last lines are the sha256 of the data's {what} and of the code "
            "(src/signnet and stages)."
        ),
        Code(
            f"{f.command}\n# data sha256: {f.data.fingerprint}\n"
            f"# code sha256: {f.code_fingerprint}",
            "The command that reproduces this run, and the fingerprints of what it read.",
            label="command",
        ),
    ]


def _crosscheck(inputs: ReportInputs, f: Facts) -> list[Block]:
    """The method of the cross-check; a table only of the figures that differ at all (a table
    of zeros would say nothing a sentence cannot)."""
    crosscheck = inputs.evaluation["crosscheck"]
    parts = list(crosscheck)
    rows = [(part, row) for part in parts for row in crosscheck[part]]
    undefined = sum(_undefined(row) for _, row in rows)
    differing = [(part, row) for part, row in rows if not _undefined(row) and row["difference"]]
    method = (
        "**Cross-check.** Each figure computed by hand is computed again by scikit-learn; the "
        f"evaluate stage fails on any difference above {f.results.tolerance:.0e}. Of the "
        f"{len(rows) - undefined} figures "
        f"of the {' and '.join(parts)} parts"
        + (f" ({undefined} more are undefined on both sides)" if undefined else "")
        + ", "
    )
    if not differing:
        return [Paragraph(method + "every one is identical to scikit-learn's.")]
    return [
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


def section(inputs: ReportInputs, f: Facts) -> list[Block]:
    return [
        Heading("Appendix A: reproduction and cross-check"),
        *_reproduction(f),
        *_crosscheck(inputs, f),
    ]
