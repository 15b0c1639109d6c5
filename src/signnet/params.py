"""Typed, validated sections of ``params.yaml``.

Each pipeline stage reads one section. Loading a section checks, before any work starts, that
every key is known (with a suggestion for a misspelling), that every value has the declared type,
and that it obeys its rule; the first violation raises :class:`ParamError`, whose message names
the key (``section.key``), the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from pathlib import Path
from typing import Any

import yaml

from signnet.errors import SignnetError

DIGITS = range(10)


class ParamError(SignnetError):
    """A parameter that is unknown, of the wrong type, or outside its allowed values."""

    def __init__(self, key: str, value: Any, allowed: str):
        super().__init__(f"params: {key} = {value!r} is not allowed: {allowed}")
        self.key = key
        self.value = value


def _rule(default: Any, check: typing.Callable[[Any], bool] | None = None, allowed: str = ""):
    """A field with a default and a rule ``check(value) -> bool`` that ``allowed`` explains."""
    factory = (lambda: list(default)) if isinstance(default, list) else None
    metadata = {"check": check, "allowed": allowed}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def _one_of(*choices: str):
    return _rule(choices[0], lambda v: v in choices, "one of " + ", ".join(choices))


@dataclasses.dataclass(frozen=True)
class DownloadParams:
    """Where the photos come from and the square size they are decoded to."""

    image_size: int = _rule(28, lambda v: 8 <= v <= 256, "an integer from 8 to 256")
    mirrors: list[str] = _rule(
        ["../shared/data/sign-language-digits"],
        allowed="a list of folders (relative to the repository root) that hold the archive",
    )
    course_file: str | None = _rule(
        None, allowed="null, or the path of an .npz in the course format (dataset, labels)"
    )


@dataclasses.dataclass(frozen=True)
class FilterParams:
    """The digits to keep; class index = position in ``classes``."""

    classes: list[int] = _rule(
        [6, 8],
        lambda v: 2 <= len(v) <= 10 and all(d in DIGITS for d in v) and len(set(v)) == len(v),
        "2 to 10 distinct digits from 0 to 9",
    )


@dataclasses.dataclass(frozen=True)
class SplitParams:
    """Pixel scaling and the stratified train/test split."""

    test_fraction: float = _rule(0.2, lambda v: 0 < v < 1, "a number strictly between 0 and 1")
    scaling: str = _one_of("unit", "standardize")
    seed: int = _rule(42, lambda v: v >= 0, "a non-negative integer")


@dataclasses.dataclass(frozen=True)
class ModelParams:
    """The network's architecture, initialisation and floating-point type."""

    hidden: list[int] = _rule([64], lambda v: all(n >= 1 for n in v), "a list of positive integers")
    activation: str = _one_of("sigmoid", "tanh", "relu")
    init: str = _one_of("xavier", "he", "normal")
    init_scale: float = _rule(0.01, lambda v: v > 0, "a positive number (std of init: normal)")
    dtype: str = _one_of("float64", "float32")


@dataclasses.dataclass(frozen=True)
class TrainParams:
    """The optimisation: optimizer, schedule, seed and device."""

    optimizer: str = _one_of("sgd", "momentum", "adam")
    lr: float = _rule(0.1, lambda v: v > 0, "a positive number")
    momentum: float = _rule(0.9, lambda v: 0 <= v < 1, "a number in [0, 1)")
    beta1: float = _rule(0.9, lambda v: 0 <= v < 1, "a number in [0, 1)")
    beta2: float = _rule(0.999, lambda v: 0 <= v < 1, "a number in [0, 1)")
    weight_decay: float = _rule(0.0, lambda v: v >= 0, "a non-negative number")
    epochs: int = _rule(40, lambda v: v >= 1, "a positive integer")
    batch_size: int = _rule(32, lambda v: v >= 1, "a positive integer")
    seed: int = _rule(0, lambda v: v >= 0, "a non-negative integer")
    device: str = _one_of("cpu", "gpu", "auto")


@dataclasses.dataclass(frozen=True)
class ReportParams:
    """How many photos the report shows."""

    example_photos: int = _rule(18, lambda v: 1 <= v <= 64, "an integer from 1 to 64")
    max_misclassified: int = _rule(24, lambda v: 0 <= v <= 200, "an integer from 0 to 200")


SECTIONS: dict[str, type] = {
    "download": DownloadParams,
    "filter": FilterParams,
    "split": SplitParams,
    "model": ModelParams,
    "train": TrainParams,
    "report": ReportParams,
}


_TYPE_NAMES = {
    int: ("an integer", "integers"),
    float: ("a number", "numbers"),
    str: ("a string", "strings"),
}


def _type_name(annotation: Any, plural: bool = False) -> str:
    return _TYPE_NAMES[annotation][plural]


def _coerce(key: str, value: Any, annotation: Any) -> Any:
    """Return ``value`` as ``annotation`` (int, float, str, list[...], X | None) or raise."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(annotation)
        if value is None and type(None) in options:
            return None
        (inner,) = [a for a in options if a is not type(None)]
        return _coerce(key, value, inner)
    if origin is list:
        (item_type,) = typing.get_args(annotation)
        if not isinstance(value, list):
            raise ParamError(key, value, f"a list of {_type_name(item_type, plural=True)}")
        return [_coerce(f"{key}[{i}]", item, item_type) for i, item in enumerate(value)]
    if isinstance(value, bool):  # YAML true/false is never a number or a string here
        raise ParamError(key, value, _type_name(annotation))
    if annotation is float and isinstance(value, int | float):
        return float(value)
    if not isinstance(value, annotation):
        raise ParamError(key, value, _type_name(annotation))
    return value


def _unknown(key: str, value: Any, kind: str, known: list[str]) -> ParamError:
    """The error for an unknown key or section, suggesting the closest known name."""
    close = difflib.get_close_matches(key.rsplit(".", 1)[-1], known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return ParamError(key, value, f"unknown {kind}{hint}; known: {', '.join(known)}")


def parse_section(name: str, raw: Any):
    """Validate the mapping ``raw`` as section ``name``; missing keys take their defaults."""
    cls = SECTIONS[name]
    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        raise ParamError(name, raw, "a mapping of keys to values")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    values = {}
    for key, value in raw.items():
        if key not in fields:
            raise _unknown(f"{name}.{key}", value, "key", list(fields))
        field = fields[key]
        value = _coerce(f"{name}.{key}", value, hints[key])
        check = field.metadata["check"]
        if value is not None and check is not None and not check(value):
            raise ParamError(f"{name}.{key}", value, field.metadata["allowed"])
        values[key] = value
    return cls(**values)


def read_params_file(path: str | Path = "params.yaml") -> dict:
    """Read ``path`` with ``yaml.safe_load``; reject unknown top-level sections."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SignnetError(f"params file {path} does not exist") from None
    except yaml.YAMLError as error:
        raise SignnetError(f"params file {path} is not valid YAML: {error}") from None
    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        raise ParamError(str(path), raw, "a mapping of section names to sections")
    for section in raw:
        if section not in SECTIONS:
            raise _unknown(str(section), raw[section], "section", list(SECTIONS))
    return raw


def load_section(name: str, path: str | Path = "params.yaml"):
    """The validated section ``name`` of the params file at ``path``."""
    return parse_section(name, read_params_file(path).get(name))
