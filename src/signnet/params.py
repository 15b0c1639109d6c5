"""The declared schema of ``params.yaml``: one pydantic model per section, read as DVC reads it.

``params.yaml`` is the one place for every value, so the schema has no defaults: a key missing
there is an error, not a silent fallback. The schema is the one place for every rule: types are
strict (a boolean is not a number, a number is not a string), ranges are declared with the
field, and each list of choices is either taken from the table that implements it (sources,
scalings, devices) or, for the network's components, named here (activations, initialisers,
optimizers, schedules): the components live in ``signnet.nn``, and importing them would make
every stage, the data stages included, depend on the network's code. tests/test_params.py keeps
those names equal to the registries. The rules shared with the network (kernel size, depth
against image size) are :mod:`signnet.nn.architecture`'s. The text that tells a user what is
allowed is derived from those declarations, never written beside them.

The file is parsed as YAML 1.2 with ruamel.yaml's safe loader, as DVC parses it, so ``1e-5``,
``1.0e+6`` and ``.5`` are numbers. :func:`load_params` validates the whole file: any stage
reports a mistake in any section before it does any work, though each stage depends on (and
reads) only its own sections. Every problem is reported at once, each naming ``section.key``,
the value and what is allowed.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shlex
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, ScalarEvent

from signnet.data.preprocessing import MAX_IMAGE_SIDE, SCALINGS
from signnet.data.sources import COURSE_SOURCE, SOURCES
from signnet.errors import SignnetError, shown
from signnet.files import MIB, byte_size, read_user_file
from signnet.nn.architecture import DTYPES, ModelConfig, depth_problem, kernel_problem
from signnet.nn.backend import DEVICES

# The names of the network's components (the keys of signnet.nn's registries).
ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "leaky_relu")
INITIALISER_NAMES = ("xavier", "he", "normal")
OPTIMIZER_NAMES = ("sgd", "momentum", "adam")
SCHEDULE_NAMES = ("constant", "cosine")


class ParamError(SignnetError):
    """One or more parameters that are missing, unknown, of the wrong type or out of range.

    Built from ``(key, value, what is wrong)`` triples; the message has one line each.
    """

    def __init__(self, problems: list[tuple[str, Any, str]]):
        super().__init__("\n".join(_line(*problem) for problem in problems))


_MISSING = object()


def _line(key: str, value: Any, problem: str) -> str:
    if value is _MISSING:
        return f"params: {key} {problem}"
    return f"params: {key} = {shown(value)} {problem}"


def choices(table: typing.Iterable[str]) -> Any:
    """The type ``Literal[...]`` of the names in ``table`` (a name -> implementation mapping)."""
    return Literal[tuple(table)]


def rule(check: Callable[[Any], bool], allowed: str) -> AfterValidator:
    """A validator that refuses values failing ``check``; ``allowed`` says what passes."""

    def validate(value: Any) -> Any:
        if not check(value):
            raise ValueError(allowed)
        return value

    validate.allowed = allowed  # read by :func:`allowed_text`
    return AfterValidator(validate)


class Section(BaseModel):
    """A params section: strict types, no unknown keys, no defaults, immutable."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)


Digit = Annotated[int, Field(ge=0, le=9)]
# What the code can hold: seeds are stored as int64 in the split's parts; counts of epochs,
# batches, folds and workers, and layer widths, stay far below what memory and time allow.
Seed = Annotated[int, Field(ge=0, le=2**63 - 1, description="seeds a NumPy random generator")]
Width = Annotated[int, Field(ge=1, le=65536)]
MAX_LAYERS = 32
MAX_EPOCHS = 100_000
Fraction = Annotated[float, Field(ge=0, lt=1)]


class DownloadParams(Section):
    """Where the photos come from and the square size they are decoded to."""

    source: Annotated[
        choices(SOURCES),
        Field(
            description="the images: sign-digits (the Sign Language Digits photos), mnist "
            "(MNIST's four IDX files) or course-file (download.course_file)"
        ),
    ]
    image_size: Annotated[
        int,
        Field(
            ge=8,
            le=MAX_IMAGE_SIDE,
            description="photos are decoded to image_size x image_size grey",
        ),
    ]
    mirrors: Annotated[
        list[str],
        Field(
            description="folders (relative to the repository root, which for DVC's experiment "
            "copies is the repository copied) holding the archive, zipped or unpacked (or "
            "MNIST's files), tried in order after the user's cache, which then keeps a copy; a "
            "missing one is skipped"
        ),
    ]
    course_file: Annotated[
        str | None,
        Field(
            description="a course-format .npz (dataset: N x D pixels, labels: digits), read "
            "when download.source is course-file; null otherwise"
        ),
    ]


class FilterParams(Section):
    """The digits to keep."""

    classes: Annotated[
        list[Digit],
        Field(
            min_length=2,
            max_length=10,
            description="class index = position in the list; for a pair, index 1 is positive",
        ),
        rule(lambda v: len(set(v)) == len(v), "all distinct"),
    ]


class SplitParams(Section):
    """The stratified train/test split and the pixel scaling fitted on its training part."""

    test_fraction: Annotated[
        float, Field(gt=0, lt=1, description="held out per class (rounded) as the test part")
    ]
    scaling: Annotated[
        choices(SCALINGS),
        Field(
            title="pixel scaling",
            description="unit: x/255; standardize: per pixel, with training-part statistics; "
            "photo: each photo by its own mean and std first (brightness and contrast out), "
            "then per pixel",
        ),
    ]
    seed: Seed


class ModelParams(Section):
    """The network's architecture, initialisation and floating-point type."""

    conv: Annotated[
        list[Width],
        Field(
            max_length=MAX_LAYERS,
            title="convolution blocks",
            description="channels of each block kxk convolution, activation, 2x2 max-pool; "
            "[] is a dense network",
        ),
    ]
    kernel_size: Annotated[
        int,
        Field(ge=1, le=9, description="k, the convolutions' kernel side"),
        rule(lambda v: kernel_problem(v) is None, "odd"),
    ]
    hidden: Annotated[
        list[Width],
        Field(
            max_length=MAX_LAYERS,
            title="hidden layers",
            description="units per hidden dense layer; [] is logistic regression",
        ),
    ]
    dropout: Annotated[
        float, Field(ge=0, lt=1, description="rate after each hidden dense layer; 0 is none")
    ]
    batch_norm: Annotated[
        bool,
        Field(description="batch normalisation after each convolution and hidden dense layer"),
    ]
    activation: Annotated[
        choices(ACTIVATION_NAMES),
        Field(title="hidden activation", description="of the hidden layers"),
    ]
    init: Annotated[
        choices(INITIALISER_NAMES),
        Field(title="initialisation", description="initial weights; biases start at 0"),
    ]
    init_scale: Annotated[
        float,
        Field(title="initial weight scale", gt=0, le=10, description="the std of init: normal"),
    ]
    dtype: Annotated[choices(DTYPES), Field(description="of weights and computation")]

    def config(self, n_features: int, n_classes: int) -> ModelConfig:
        """The architecture these params describe for data of ``n_features`` inputs and
        ``n_classes`` classes (ValueError where the two do not fit)."""
        return ModelConfig(
            n_features=n_features,
            n_classes=n_classes,
            **self.model_dump() | {"conv": tuple(self.conv), "hidden": tuple(self.hidden)},
        )


class TrainParams(Section):
    """The optimisation: optimizer and its settings, epochs, batches, seed and device."""

    optimizer: Annotated[
        choices(OPTIMIZER_NAMES), Field(title="optimizer", description="the update rule")
    ]
    lr: Annotated[float, Field(title="learning rate", gt=0, description="learning rate")]
    momentum: Annotated[Fraction, Field(description="optimizer: momentum only")]
    beta1: Annotated[Fraction, Field(description="optimizer: adam only")]
    beta2: Annotated[Fraction, Field(description="optimizer: adam only")]
    weight_decay: Annotated[float, Field(ge=0, description="L2 penalty on weight matrices")]
    schedule: Annotated[
        choices(SCHEDULE_NAMES),
        Field(
            title="learning-rate schedule", description="learning rate per epoch: lr, or lr decayed"
        ),
    ]
    epochs: Annotated[
        int,
        Field(
            ge=1,
            le=MAX_EPOCHS,
            title="epochs",
            description="passes over the training part, at most",
        ),
    ]
    batch_size: Annotated[
        int, Field(ge=1, le=2**31 - 1, title="batch size", description="1 is per-sample descent")
    ]
    augment_shift: Annotated[
        float,
        Field(
            title="augmentation: shift",
            ge=0,
            le=0.5,
            description="random shift, up to this fraction of the side",
        ),
    ]
    augment_rotation: Annotated[
        float,
        Field(
            title="augmentation: rotation",
            ge=0,
            le=180,
            description="random rotation, up to this many degrees",
        ),
    ]
    augment_scale: Annotated[
        float,
        Field(
            title="augmentation: scale",
            ge=0,
            lt=1,
            description="random scale, up to this fraction either way",
        ),
    ]
    augment_mirror: Annotated[
        float,
        Field(
            title="augmentation: mirror",
            ge=0,
            le=1,
            description="probability of mirroring each image left to right (the other hand)",
        ),
    ]
    augment_blur: Annotated[
        float,
        Field(
            title="augmentation: blur",
            ge=0,
            le=4,
            description="random Gaussian blur, a standard deviation up to this many pixels of "
            "the network's image",
        ),
    ]
    augment_brightness: Annotated[
        float,
        Field(
            title="augmentation: brightness",
            ge=0,
            lt=1,
            description="random brightness factor, up to this fraction either way",
        ),
    ]
    augment_contrast: Annotated[
        float,
        Field(
            title="augmentation: contrast",
            ge=0,
            lt=1,
            description="random contrast factor about each photo's mean, up to this fraction "
            "either way",
        ),
    ]
    augment_noise: Annotated[
        float,
        Field(
            title="augmentation: noise",
            ge=0,
            le=64,
            description="Gaussian sensor noise added to each pixel, this many grey levels (of "
            "255) standard deviation",
        ),
    ]
    validation_fraction: Annotated[
        float,
        Field(
            ge=0,
            lt=1,
            description="held out per class from the training part to pick the best epoch; "
            "0 is none",
        ),
    ]
    patience: Annotated[
        int,
        Field(
            ge=0,
            le=MAX_EPOCHS,
            description="stop after this many epochs without a better validation loss; 0 is never",
        ),
    ]
    seed: Annotated[Seed, Field(description="initial weights and batch order")]
    device: Annotated[choices(DEVICES), Field(description="gpu needs CuPy; auto: gpu if usable")]


# With cv.workers null, folds share this machine's cores in one round when there are at most
# this many per core: each computes on one BLAS thread, so the operating system divides the cores
# evenly among them and no core idles while the last round runs alone (5 folds on 2 cores: 2.5
# fold-times of wall time instead of 3). More folds than that go one per core.
FOLDS_PER_CORE = 4


class CrossValidationParams(Section):
    """Stratified k-fold cross-validation of the ``model`` and ``train`` params, and where its
    folds run."""

    folds: Annotated[
        int,
        Field(
            ge=0,
            le=100,
            description="k of stratified k-fold on the filtered photos; 0 or 1 is off",
        ),
    ]
    workers: Annotated[
        Annotated[int, Field(ge=1, le=256)] | None,
        Field(
            description="folds trained at once, one process each; null: every fold at once "
            f"when they are at most {FOLDS_PER_CORE} per core, else one per core"
        ),
    ]
    scheduler: Annotated[
        str | None,
        Field(
            description="a Dask scheduler's address (tcp://host:8786) to run the folds on; "
            "null: $DASK_SCHEDULER_ADDRESS if set, else this machine"
        ),
    ]


# A line of the report's title block: printable, on one line, short enough for it.
TITLE_LINE_LENGTH = 100
TitleLine = Annotated[
    str,
    rule(
        lambda s: len(s) <= TITLE_LINE_LENGTH and s.isprintable() and s == s.strip(),
        f"at most {TITLE_LINE_LENGTH} printable characters on one line, without leading or "
        "trailing spaces",
    ),
]


class ReportParams(Section):
    """How many photos the report shows, and its title block (empty by default)."""

    example_photos: Annotated[
        int, Field(ge=1, le=64, description="test photos shown with their predictions")
    ]
    max_misclassified: Annotated[
        int, Field(ge=0, le=200, description="misclassified test photos shown, surest first")
    ]
    authors: Annotated[
        list[Annotated[TitleLine, rule(bool, "not empty")]],
        Field(max_length=10, description="the authors' names under the report's title"),
    ]
    course: Annotated[TitleLine, Field(description="the course, under the authors (or empty)")]
    milestone: Annotated[TitleLine, Field(description="the milestone, under the course (or empty)")]

    def empty_title_keys(self) -> list[str]:
        """The title block's keys left empty (``report.authors``...), in params order."""
        keys = ("authors", "course", "milestone")
        return [f"report.{key}" for key in keys if not getattr(self, key)]


class Params(Section):
    """The whole of ``params.yaml``: one section per stage that has settings."""

    download: DownloadParams
    filter: FilterParams
    split: SplitParams
    model: ModelParams
    train: TrainParams
    cv: CrossValidationParams
    report: ReportParams


def read_yaml(path: str | Path) -> Any:
    """The YAML 1.2 document at ``path`` (a regular file of at most MAX_PARAMS_BYTES), parsed as
    DVC parses params files (safe loader)."""
    path = Path(path)
    data = read_user_file(path, "a params file (YAML)", MAX_PARAMS_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SignnetError(
            f"params file {path} is not UTF-8 text (byte {error.start} is {data[error.start]:#x}); "
            "expected a YAML file such as params.yaml"
        ) from None
    yaml = YAML(typ="safe", pure=True)
    try:
        _refuse_hidden_size(path, yaml.parse(text))
        document = yaml.load(text)
    except YAMLError as error:
        raise SignnetError(f"params file {path} is not valid YAML: {error}") from None
    if document is None:
        raise SignnetError(
            f"params file {path} is empty; it needs a section per stage, as params.yaml has"
        )
    return document


# The deepest nesting of lists and mappings a params file may have (params.yaml has 3).
MAX_YAML_DEPTH = 16


def _refuse_hidden_size(path: Path, events: typing.Iterable) -> None:
    """A :class:`SignnetError` at the first YAML anchor (``&name``) or alias (``*name``), or
    nesting deeper than :data:`MAX_YAML_DEPTH`, among the parse ``events``, before anything is
    built: an alias repeats a value without its bytes, so a small file can stand for a huge one
    (nested aliases double at each level), and deep nesting exhausts the builder's stack."""
    depth = 0
    for event in events:
        line = event.start_mark.line + 1
        anchored = isinstance(event, ScalarEvent | CollectionStartEvent) and event.anchor
        if isinstance(event, AliasEvent) or anchored:
            kind = "alias *" if isinstance(event, AliasEvent) else "anchor &"
            raise SignnetError(
                f"params file {path} has a YAML {kind}{shown(event.anchor)[1:-1]} (line {line}): "
                "params are plain values; write each value out where it is used"
            )
        depth += isinstance(event, CollectionStartEvent) - isinstance(event, CollectionEndEvent)
        if depth > MAX_YAML_DEPTH:
            raise SignnetError(
                f"params file {path} nests lists or mappings {depth} deep at line {line}; "
                f"params need at most {MAX_YAML_DEPTH}"
            )


# The largest params file read (params.yaml is about 3 KiB).
MAX_PARAMS_BYTES = MIB


def load_params(path: str | Path = "params.yaml") -> Params:
    """Every section of the params file at ``path``, validated; :class:`ParamError` otherwise."""
    return validate(read_yaml(path))


def validate(raw: Any) -> Params:
    """``raw`` (a parsed params file) as :class:`Params`, or a :class:`ParamError` listing every
    problem, in the order of the schema, then the rules that tie keys of two sections."""
    try:
        params = Params.model_validate(raw)
    except ValidationError as error:
        raise ParamError(_problems(raw, error)) from None
    problems = _across_sections(params)
    if problems:
        raise ParamError(problems)
    return params


def machine_memory() -> int | None:
    """This machine's physical memory in bytes, or None where the system does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _memory_problem(params: Params) -> tuple[str, Any, str] | None:
    """The network's training would not fit in this machine's memory
    (:meth:`ModelConfig.training_bytes`), as a problem of ``model.hidden`` (or ``model.conv``),
    or None."""
    model, memory = params.model, machine_memory()
    try:
        config = model.config(params.download.image_size**2, max(2, len(params.filter.classes)))
    except ValueError:  # another rule's problem, said there
        return None
    weights, batch = config.training_bytes(params.train.batch_size)
    if memory is None or weights + batch <= memory:
        return None
    key = "model.conv" if model.conv and not model.hidden else "model.hidden"
    remedy = (
        "use fewer or narrower layers"
        if weights >= batch
        else "use a smaller train.batch_size or download.image_size, or fewer channels"
    )
    return (
        key,
        model.conv if key == "model.conv" else model.hidden,
        f"needs about {byte_size(weights + batch)} to train ({config.parameter_count():,} "
        f"weights in {model.dtype}: {byte_size(weights)}; a batch of "
        f"{params.train.batch_size} at download.image_size = {params.download.image_size}: "
        f"{byte_size(batch)}); this machine has {byte_size(memory)}: {remedy}",
    )


def _across_sections(params: Params) -> list[tuple[str, Any, str]]:
    """The rules between keys that every stage checks before any work."""
    problems = []
    download, conv = params.download, params.model.conv
    problem = depth_problem(download.image_size, len(conv))
    if problem:
        problems.append(
            (
                "model.conv",
                conv,
                f"does not fit download.image_size = {download.image_size}: {problem}; use fewer "
                "blocks or a larger image_size",
            )
        )
    if memory := _memory_problem(params):
        problems.append(memory)
    reads_file = download.source == COURSE_SOURCE
    if reads_file and download.course_file is None:
        problems.append(
            ("download.course_file", None, f"must name a file: download.source is {COURSE_SOURCE}")
        )
    if not reads_file and download.course_file is not None:
        problems.append(
            (
                "download.course_file",
                download.course_file,
                f"is only read when download.source is {COURSE_SOURCE} (it is "
                f"{download.source}): set it to null, or the source to {COURSE_SOURCE}",
            )
        )
    return problems


def _problems(raw: Any, error: ValidationError) -> list[tuple[str, Any, str]]:
    """One (key, value, problem) per parameter that ``error`` names, in the order found."""
    problems: dict[str, tuple[str, Any, str]] = {}
    for item in error.errors():
        loc = item["loc"]
        if not loc:
            problems["params"] = ("params.yaml", raw, "is not allowed: a mapping of sections")
            continue
        model: type[BaseModel] = Params
        section = loc[0]
        if len(loc) > 1 and section in Params.model_fields:
            model = Params.model_fields[section].annotation
        key = ".".join(str(part) for part in loc[:2])
        if key in problems:
            continue  # one line per parameter, whatever the number of its items at fault
        name = loc[min(len(loc), 2) - 1]
        known = list(model.model_fields)
        if item["type"] == "extra_forbidden":
            kind = "section" if len(loc) == 1 else "key"
            close = difflib.get_close_matches(str(name), known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problem = f"is not allowed: unknown {kind}{hint}; known: {', '.join(known)}"
            problems[key] = (key, item["input"], problem)
        elif item["type"] == "missing":
            field = model.model_fields[name]
            problems[key] = (key, _MISSING, f"is missing: set it in params.yaml ({_about(field)})")
        else:
            value = raw[section] if len(loc) == 1 else raw[section][name]
            field = model.model_fields[name]
            problems[key] = (key, value, f"is not allowed: {_about(field)}")
    return list(problems.values())


def _about(field) -> str:
    """What a field allows, for messages: derived from its declaration."""
    if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
        return "a mapping of keys to values"
    return allowed_text(field.annotation, field.metadata)


_NOUNS = {
    int: ("an integer", "integers"),
    float: ("a number", "numbers"),
    str: ("a string", "strings"),
}


def allowed_text(annotation: Any, metadata: list | tuple = (), plural: bool = False) -> str:
    """Plain words for the values ``annotation`` with constraints ``metadata`` admits, e.g.
    ``an integer from 8 to 256`` or ``a list of 2 to 10 integers from 0 to 9, all distinct``."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        inner, *extra = typing.get_args(annotation)
        flat = [m for e in extra for m in (e.metadata if hasattr(e, "metadata") else [e])]
        return allowed_text(inner, [*flat, *metadata], plural)
    rules = [m.func.allowed for m in metadata if hasattr(getattr(m, "func", None), "allowed")]
    suffix = "".join(f", {text}" for text in rules)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return "null or " + " or ".join(allowed_text(a, metadata, plural) for a in options)
    if origin is Literal:
        return "one of " + ", ".join(str(a) for a in typing.get_args(annotation)) + suffix
    if annotation is bool:
        return "true or false"
    if origin is list:
        (item,) = typing.get_args(annotation)
        low = next((m.min_length for m in metadata if hasattr(m, "min_length")), 0)
        high = next((m.max_length for m in metadata if hasattr(m, "max_length")), None)
        count = f"{low} to {high} " if high is not None else (f"at least {low} " if low else "")
        return f"a list of {count}{allowed_text(item, (), plural=True)}{suffix}"
    bounds = {name: getattr(m, name) for m in metadata for name in _BOUNDS if hasattr(m, name)}
    return _with_bounds(annotation, bounds, plural) + suffix


_BOUNDS = ("gt", "ge", "lt", "le")  # the annotated_types constraints (Gt, Ge, Lt, Le)


def _with_bounds(kind: type, bounds: dict[str, float], plural: bool) -> str:
    """``an integer from 8 to 256``, ``positive numbers``...: ``kind`` qualified by ``bounds``."""
    noun = _NOUNS[kind][plural]
    bare = noun if plural else noun.split(" ", 1)[1]
    lead = "" if plural else "a "
    if bounds == {"gt": 0} or (kind is int and bounds == {"ge": 1}):
        return f"{lead}positive {bare}"
    if bounds == {"ge": 0}:
        return f"{lead}non-negative {bare}"
    low = next((k for k in ("gt", "ge") if k in bounds), None)
    high = next((k for k in ("lt", "le") if k in bounds), None)
    if low and high:
        a, b = bounds[low], bounds[high]
        if (low, high) == ("ge", "le"):
            return f"{noun} from {a} to {b}"
        if (low, high) == ("gt", "lt"):
            return f"{noun} strictly between {a} and {b}"
        return f"{noun} in {'[' if low == 'ge' else '('}{a}, {b}{']' if high == 'le' else ')'}"
    if low:
        return f"{noun} {'greater than' if low == 'gt' else 'at least'} {bounds[low]}"
    if high:
        return f"{noun} {'less than' if high == 'lt' else 'at most'} {bounds[high]}"
    return noun


def key_title(key: str) -> str:
    """The name in prose of the dotted params ``key`` (its field's ``title``), or the key."""
    section, name = key.split(".")
    field = Params.model_fields[section].annotation.model_fields[name]
    return field.title or key


def exp_run_setting(section: str, key: str, value: Any) -> str:
    """The ``-S`` argument of ``dvc exp run`` that sets ``section.key`` to ``value`` (Hydra's
    override syntax: a string that is not a plain word is double-quoted, as is a list's; the
    whole single-quoted for the shell where it needs to be)."""
    plain = isinstance(value, str) and re.fullmatch(r"[\w./-]+", value)
    text = value if plain else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return shlex.quote(f"{section}.{key}={text}")


def reference_table(params: Params) -> str:
    """The Markdown table of every key: its value in ``params`` (params.yaml's, the defaults),
    what is allowed and what it does. docs/parameters.md's table is this table (a test compares)."""
    lines = ["| key | value in params.yaml | allowed | what it does |", "|---|---|---|---|"]
    for section_name, section_field in Params.model_fields.items():
        section = getattr(params, section_name)
        for name, field in section_field.annotation.model_fields.items():
            value = getattr(section, name)
            quoted = value is None or isinstance(value, bool) or value == ""
            shown = json.dumps(value) if quoted else str(value)
            shown = shown.replace("'", "")
            about, what = _about(field), field.description
            lines.append(f"| `{section_name}.{name}` | `{shown}` | {about} | {what} |")
    return "\n".join(lines) + "\n"
