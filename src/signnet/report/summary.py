"""The report stage's closing line: the run's headline figures."""

from __future__ import annotations

from signnet.report.facts import Facts
from signnet.report.sections.wording import pct, task_name


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
