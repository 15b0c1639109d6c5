"""What the report stage says besides the report: the run's headline figures, and a warning
when the title block is empty."""

from __future__ import annotations

from signnet.params import ReportParams
from signnet.report.facts import Facts
from signnet.report.sections.wording import pct, task_name


def title_warning(report: ReportParams) -> str | None:
    """None when the title block is set whole; else which of its keys are empty and how to set
    them (a student following the README would hand in an anonymous report)."""
    empty = report.empty_title_keys()
    if not empty:
        return None
    return (
        f"{', '.join(empty)} {'is' if len(empty) == 1 else 'are'} empty: the report's title block "
        "leaves them out; set them in params.yaml or, e.g., dvc exp run -S "
        """'report.authors=["Your Name"]' -S 'report.course="CS 4780"' """
        """-S 'report.milestone="Milestone 1"'"""
    )


def headline(f: Facts) -> str:
    """One line with the run's main figures, for the end of the pipeline's output."""
    r = f.results
    cv = (
        f"; cross-validated {pct(f.cv.summary['accuracy_mean'])} ± "
        f"{pct(f.cv.summary['accuracy_std'])} over {len(f.cv.folds)} folds"
        if f.cv
        else ""
    )
    warning = (
        " (the network is at chance: see the report's discussion)" if f.diagnosis.at_chance else ""
    )
    return (
        f"{task_name(f)}: test accuracy {pct(r.accuracy)} ({r.correct} of {r.n}; 95% interval "
        f"{pct(r.accuracy_low)} to {pct(r.accuracy_high)}){cv}{warning}"
    )
