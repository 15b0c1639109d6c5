"""The self-describing model file: everything ``signnet predict`` needs, loadable without pickle.

An uncompressed ``.npz`` holding:

* ``format``: the string ``signnet-model-4``;
* ``config``: the :class:`~signnet.nn.architecture.ModelConfig` as a JSON string;
* ``architecture``: the layer specs, input to output, as a JSON string: the network is rebuilt
  from them (see :mod:`signnet.nn.layers`), and they must be what ``config`` describes;
* ``training``: how the weights were trained (the ``train`` params and the device they were
  computed on), as a JSON string;
* ``classes`` int64 (K,): the digit of each class index;
* ``preprocessing.<name>``: the :class:`~signnet.data.preprocessing.Preprocessing` that turns
  photos into the network's input (image side S, scaling method, offset and scale (S*S,));
* ``photo_range.<name>`` float64 (2,): the training photos' lowest and highest brightness and
  contrast (:class:`~signnet.data.photo_range.PhotoRange`), for saying when a photo is unlike
  them;
* ``layer<i>.<name>`` in ``config.dtype``: the state of the i-th layer that has one (i = 0 at
  the input; its params and buffers, e.g. ``W`` and ``b``, or a batch normalisation's
  ``gamma``, ``beta``, ``running_mean`` and ``running_var``), shaped as the layer's
  ``state_shapes(spec)`` says.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np

from signnet.artifacts import ArtifactError, load_npz, save_npz
from signnet.data.photo_range import PhotoRange, PhotoRangeError
from signnet.data.preprocessing import Preprocessing, PreprocessingError
from signnet.files import GIB
from signnet.nn.architecture import ModelConfig
from signnet.nn.backend import select_backend, to_device, to_numpy
from signnet.nn.layers import LAYERS
from signnet.nn.model import Network

FORMAT = "signnet-model-4"
PREFIX = "preprocessing."
RANGE = "photo_range."


@dataclasses.dataclass
class TrainedModel:
    """A network with what turns a photo into its input and its output into a digit."""

    network: Network
    classes: np.ndarray  # int64 (K,)
    preprocessing: Preprocessing
    photo_range: PhotoRange  # what the training photos looked like
    training: dict

    def inputs(self, images: np.ndarray) -> np.ndarray:
        """The network's input (N, S*S) in its dtype for uint8 images (N, S, S): the pixels
        scaled as in training."""
        return self.preprocessing.features(images).astype(self.network.config.dtype)

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities (N, K) for uint8 images (N, S, S), on the CPU."""
        return to_numpy(self.network.predict_proba(self.inputs(images)))


def save_model(path: str | Path, model: TrainedModel) -> None:
    """Write ``model`` to ``path`` atomically (weights copied back from the device)."""
    arrays = {
        "format": np.array(FORMAT),
        "config": np.array(json.dumps(model.network.config.to_dict(), sort_keys=True)),
        "architecture": np.array(json.dumps(model.network.specs(), sort_keys=True)),
        "training": np.array(json.dumps(model.training, sort_keys=True)),
        "classes": np.asarray(model.classes, dtype=np.int64),
    }
    arrays |= {PREFIX + name: a for name, a in model.preprocessing.to_arrays().items()}
    arrays |= {RANGE + name: a for name, a in model.photo_range.to_arrays().items()}
    for i, state in enumerate(model.network.states()):
        for name, value in state.items():
            arrays[f"layer{i}.{name}"] = to_numpy(value)
    save_npz(path, arrays)


MODEL_FILE = "a signnet model file (one the train stage writes, e.g. models/model.npz)"
# The largest model file read (the ten-digit CNN's is 1.5 MB).
MAX_MODEL_BYTES = 1 * GIB
_JSON_ARRAYS = ("config", "architecture", "training")
# The names a model file's arrays may have, checked before any is inflated (which layer may
# hold which is checked against the architecture once it is read).
_NAMES = re.compile(
    rf"(format|classes|{'|'.join(_JSON_ARRAYS)}|layer\d+\.\w+|{re.escape(PREFIX)}\w+"
    rf"|{re.escape(RANGE)}\w+)"
)


class ModelFileError(ArtifactError):
    """A model file that is not one signnet wrote, or was altered: every problem found."""

    def __init__(self, path: Path, problems: list[str]):
        self.problems = problems
        super().__init__(
            f"{path}: refused: " + problems[0]
            if len(problems) == 1
            else f"{path}: refused, {len(problems)} problems:\n"
            + "\n".join(f"  {p}" for p in problems)
        )


def _text(arrays: dict[str, np.ndarray], name: str) -> str | None:
    """The string stored as the 0-d text array ``name``, or None if it is not one."""
    array = arrays.get(name)
    if array is None or array.shape != () or array.dtype.kind != "U":
        return None
    return str(array)


def _json(arrays: dict[str, np.ndarray], problems: list[str]) -> dict | None:
    """The JSON records of the model file, or None (with the problems) if one is unreadable."""
    records = {}
    for name in _JSON_ARRAYS:
        text = _text(arrays, name)
        if text is None:
            problems.append(f"{name} is missing or not a text array (it holds JSON)")
            continue
        try:
            records[name] = json.loads(text)
        except ValueError as error:
            problems.append(f"{name} is not valid JSON ({error})")
    return records if len(records) == len(_JSON_ARRAYS) else None


def _classes(classes: np.ndarray | None, config: ModelConfig, problems: list[str]) -> None:
    if classes is None:
        problems.append("classes is missing")
    elif classes.dtype.kind not in "iu" or classes.ndim != 1:
        problems.append(
            f"classes is {classes.dtype} {classes.shape}; expected integers, one per class"
        )
    elif len(classes) != config.n_classes:
        problems.append(
            f"classes holds {len(classes)} digits; the output layer is for {config.n_classes}"
        )
    elif len(set(classes.tolist())) != len(classes) or not np.all((classes >= 0) & (classes <= 9)):
        problems.append(f"classes {classes.tolist()} are not distinct digits 0 to 9")


def _states(
    arrays: dict[str, np.ndarray], config: ModelConfig, specs: list[dict], problems: list[str]
) -> list[dict[str, np.ndarray]]:
    """Each stateful layer's arrays, checked: present, of the config's dtype, the layer's shape,
    finite."""
    states, known = [], set()
    for spec in specs:
        shapes = LAYERS[spec["kind"]].state_shapes(spec)
        if not shapes:
            continue
        i, state = len(states), {}
        for name, shape in shapes.items():
            key = f"layer{i}.{name}"
            known.add(key)
            array = arrays.get(key)
            if array is None:
                problems.append(f"{key} is missing (the {spec['kind']} layer's {name})")
            elif array.dtype != np.dtype(config.dtype) or tuple(array.shape) != shape:
                problems.append(
                    f"{key} is {array.dtype} {tuple(array.shape)}; its {spec['kind']} layer needs "
                    f"{config.dtype} {shape}"
                )
            elif not np.all(np.isfinite(array)):
                bad = int(np.count_nonzero(~np.isfinite(array)))
                problems.append(f"{key} holds {bad} NaN or infinite value(s)")
            else:
                state[name] = array
        states.append(state)
    fixed = {"format", "classes", *_JSON_ARRAYS}
    for name in sorted(arrays):
        if name not in fixed | known and not name.startswith((PREFIX, RANGE)):
            problems.append(f"{name} is not an array of a signnet model file")
    return states


def _prefixed(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    """The arrays whose names start with ``prefix``, by the rest of their names."""
    return {name.removeprefix(prefix): a for name, a in arrays.items() if name.startswith(prefix)}


def load_model(path: str | Path) -> TrainedModel:
    """Read a model file written by :func:`save_model`, on the CPU, after checking it whole:
    its format, every array's dtype and shape against the stored architecture, the weights'
    finiteness and the classes (:class:`ModelFileError` lists every problem)."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise ArtifactError(f"{path}: no such file (train a model: dvc repro)")
    arrays = load_npz(path, what=MODEL_FILE, limit=MAX_MODEL_BYTES, names=_NAMES.fullmatch)
    if "format" not in arrays:
        raise ArtifactError(f"{path}: not {MODEL_FILE}: it has no 'format' array")
    if _text(arrays, "format") != FORMAT:
        raise ArtifactError(
            f"{path}: format {arrays['format']!r}; expected {FORMAT!r} "
            "(retrain with this version: dvc repro)"
        )
    problems: list[str] = []
    records = _json(arrays, problems)
    if records is None:
        raise ModelFileError(path, problems)
    try:
        config = ModelConfig.from_dict(records["config"])
    except (TypeError, ValueError, KeyError) as error:  # a config ModelConfig refuses
        raise ModelFileError(path, [f"config is not a network's ({error})"]) from None
    specs = records["architecture"]
    if specs != config.architecture():
        raise ModelFileError(path, ["architecture is not the one its config describes"])
    try:
        preprocessing = Preprocessing.from_arrays(_prefixed(arrays, PREFIX), str(path))
    except PreprocessingError as error:
        problems.append(str(error).removeprefix(f"{path}: "))
    else:
        if preprocessing.offset.shape[0] != config.n_features:
            problems.append(
                f"preprocessing gives {preprocessing.offset.shape[0]} features; the network "
                f"takes {config.n_features}"
            )
    photo_range = None
    try:
        photo_range = PhotoRange.from_arrays(_prefixed(arrays, RANGE), str(path))
    except PhotoRangeError as error:
        problems.append(str(error).removeprefix(f"{path}: "))
    _classes(arrays.get("classes"), config, problems)
    states = _states(arrays, config, specs, problems)
    if problems:
        raise ModelFileError(path, problems)
    xp = select_backend("cpu").xp
    return TrainedModel(
        network=Network.load(
            config, specs, [{n: to_device(a, xp) for n, a in state.items()} for state in states]
        ),
        classes=arrays["classes"].astype(np.int64),
        preprocessing=preprocessing,
        photo_range=photo_range,
        training=records["training"],
    )
