"""Compare DVC experiments at a terminal: one line per experiment with the headline metrics and,
wrapped within the width, every param it changed from the commit it was run on.

``dvc exp show`` gives every param, metric and dependency a column of its own, so a run that
changes twenty params (the CNN lines of docs/experiments.md) is hundreds of columns wide. The
rows come from :func:`dvc.api.exp_show` (what ``dvc exp show --json`` lists): the workspace, each
commit shown, and the experiments run on it, values as DVC writes them.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable

from signnet.errors import SignnetError

# The metrics shown (names as the evaluate and crossvalidate stages write them) and headers;
# the CV mean comes with its standard deviation over the folds.
HEADLINE = {"test.accuracy": "test", "test.worst": "worst", "cv.accuracy": "CV ± std"}
CV_STD = "cv.accuracy_std"
# Where the changes begin: after the name column and the metrics.
NAME_WIDTH = 14
METRIC_WIDTHS = (6, 6, 13)
GAP = "  "
# The fewest characters a line gives the changes, however narrow the terminal.
MIN_ROOM = 20
# The revision dvc exp show gives the workspace.
WORKSPACE = "workspace"


def _value(value: object) -> str:
    """A param's value as DVC lists it, short: whole numbers without ``.0``, lists without
    spaces."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value).replace(", ", ",")


def _pct(value: object) -> str:
    return f"{value:.1%}" if isinstance(value, float) else "-"


def _short_names(keys: Iterable[str]) -> dict[str, str]:
    """Each dotted key's name without its section where no other section has that name."""
    keys = list(keys)
    names = [key.split(".", 1)[1] for key in keys]
    return {
        key: name if names.count(name) == 1 else key for key, name in zip(keys, names, strict=True)
    }


def changes(row: dict, baseline: dict, short: dict[str, str]) -> list[str]:
    """``name=value`` for each params key of ``short`` (dotted key -> the name shown, from
    :func:`_short_names`) whose value in ``row`` differs from ``baseline``'s."""
    return [
        f"{name}={_value(row.get(key))}"
        for key, name in short.items()
        if _value(row.get(key)) != _value(baseline.get(key))
    ]


def table(rows: list[dict], params: list[str], width: int = 100) -> str:
    """The experiments of ``rows`` (dvc.api.exp_show's) as lines of at most ``width``
    characters (wider only where one change alone is, or where ``width`` leaves under
    :data:`MIN_ROOM` for the changes): each row's name, its headline metrics and its changes
    of the dotted ``params`` keys from the commit it belongs to (the workspace's: the first
    commit after it)."""
    headers = ("experiment", *HEADLINE.values())
    widths = (NAME_WIDTH, *METRIC_WIDTHS)
    start = sum(widths) + len(GAP) * len(widths)
    room = max(width - start, MIN_ROOM)
    short = _short_names(params)
    lines = [GAP.join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + GAP + "changed"]
    commits = [row for row in rows if row.get("typ") == "baseline" and row.get("rev") != WORKSPACE]
    baseline = commits[0] if commits else {}
    for row in rows:
        if row in commits:
            baseline = row
        name = row.get("Experiment") or row.get("rev") or "?"
        cv = row.get("cv.accuracy")
        metrics = (
            _pct(row.get("test.accuracy")),
            _pct(row.get("test.worst")),
            f"{_pct(cv)} ± {_pct(row.get(CV_STD))}" if isinstance(cv, float) else "-",
        )
        cells = [name[:NAME_WIDTH].ljust(NAME_WIDTH)]
        cells += [m.ljust(w) for m, w in zip(metrics, METRIC_WIDTHS, strict=True)]
        changed = " ".join(changes(row, baseline, short)) if row is not baseline else ""
        wrapped = textwrap.wrap(changed, room, break_long_words=False) or [""]
        lines.append((GAP.join(cells) + GAP + wrapped[0]).rstrip())
        lines += [" " * start + more for more in wrapped[1:]]
    return "\n".join(lines)


def show(width: int) -> str:
    """:func:`table` of the experiments of the DVC project in the current folder."""
    from dvc.api import exp_show, params_show  # DVC loads in a second: only this needs it
    from dvc.exceptions import DvcException

    try:
        rows, params = exp_show(), params_show()
    except DvcException as error:
        raise SignnetError(
            f"dvc exp show: {error}; run this in the project's folder (where dvc.yaml is)"
        ) from None
    keys = [f"{section}.{key}" for section, values in params.items() for key in values]
    return table(rows, keys, width)
