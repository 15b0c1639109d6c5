"""Words shared by the sections: percentages, plurals, lists, and the run's task, kind of network
and batching in prose."""

from __future__ import annotations

from signnet.data.preprocessing import SCALINGS
from signnet.report.facts import Facts

# Photos per row of the report's photo grids.
PHOTO_COLUMNS = 9


# How the report writes a figure that is undefined for the sample (None in the artifacts).
UNDEFINED = "undefined"


def pct(value: float | None, digits: int = 1) -> str:
    return UNDEFINED if value is None else f"{100 * value:.{digits}f}%"


def num(value: float | None, digits: int = 4) -> str:
    return UNDEFINED if value is None else f"{value:.{digits}f}"


def plural(n: int, word: str, plural: str = "") -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def listing(items: list[str], conjunction: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c`` (or another ``conjunction``)."""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {conjunction} {items[-1]}"


def task_name(f: Facts) -> str:
    if f.binary:
        return f"{f.digits[0]} vs {f.digits[1]}"
    if f.digits == tuple(range(10)):
        return "all ten digits"
    return "digits " + listing([str(d) for d in f.digits])


def network_kind(f: Facts) -> str:
    return "convolutional" if f.method.conv else "fully connected"


def batching(f: Facts) -> str:
    m = f.method
    if m.batch_size == 1:
        return "per-sample gradient descent (one image per step)"
    if m.batch_size >= m.train_images:
        return "full-batch gradient descent (all training images in one step)"
    return f"mini-batches of {m.batch_size} ({m.batches_per_epoch} steps per epoch)"


def value_text(key: str, value) -> str:
    if key == "split.scaling":
        return SCALINGS[value].short
    if isinstance(value, list):
        return "none" if not value else " / ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
