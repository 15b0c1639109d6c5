"""The self-describing model file: everything ``signnet predict`` needs, loadable without pickle.

An uncompressed ``.npz`` holding:

* ``format``: the string ``signnet-model-3``;
* ``config``: the :class:`~signnet.nn.architecture.ModelConfig` as a JSON string;
* ``architecture``: the layer specs, input to output, as a JSON string: the network is rebuilt
  from them (see :mod:`signnet.nn.layers`), and they must be what ``config`` describes;
* ``training``: how the weights were trained (the ``train`` params and the device they were
  computed on), as a JSON string;
* ``classes`` int64 (K,): the digit of each class index;
* ``preprocessing.<name>``: the :class:`~signnet.data.preprocessing.Preprocessing` that turns
  photos into the network's input (image side S, scaling method, offset and scale (S*S,));
* ``layer<i>.<name>`` in ``config.dtype``: the state of the i-th layer that has one (i = 0 at
  the input; its params and buffers, e.g. ``W`` and ``b``, or a batch normalisation's
  ``gamma``, ``beta``, ``running_mean`` and ``running_var``), shaped as the layer's
  ``state_shapes(spec)`` says.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from signnet.artifacts import ArtifactError, is_npz, load_npz, save_npz
from signnet.data.preprocessing import Preprocessing
from signnet.nn.architecture import ModelConfig
from signnet.nn.backend import select_backend, to_device, to_numpy
from signnet.nn.layers import LAYERS
from signnet.nn.model import Network

FORMAT = "signnet-model-3"
PREFIX = "preprocessing."


@dataclasses.dataclass
class TrainedModel:
    """A network with what turns a photo into its input and its output into a digit."""

    network: Network
    classes: np.ndarray  # int64 (K,)
    preprocessing: Preprocessing
    training: dict

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities (N, K) for uint8 images (N, S, S), on the CPU."""
        x = self.preprocessing.features(images).astype(self.network.config.dtype)  # (N, S*S)
        return to_numpy(self.network.predict_proba(x))


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
    for i, state in enumerate(model.network.states()):
        for name, value in state.items():
            arrays[f"layer{i}.{name}"] = to_numpy(value)
    save_npz(path, arrays)


NOT_A_MODEL = "not a signnet model file (one the train stage writes, e.g. models/model.npz)"


def load_model(path: str | Path) -> TrainedModel:
    """Read a model file written by :func:`save_model`, on the CPU."""
    path = Path(path)
    if not path.is_file():
        raise ArtifactError(f"{path}: no such file (train a model: dvc repro)")
    if not is_npz(path):
        raise ArtifactError(f"{path}: {NOT_A_MODEL}: it is not a .npz archive")
    arrays = load_npz(path)
    if "format" not in arrays:
        raise ArtifactError(f"{path}: {NOT_A_MODEL}: it has no 'format' array")
    if str(arrays["format"]) != FORMAT:
        raise ArtifactError(
            f"{path}: format {str(arrays['format'])!r}; expected {FORMAT!r} "
            "(retrain with this version: dvc repro)"
        )
    missing = [
        name for name in ("config", "architecture", "training", "classes") if name not in arrays
    ]
    if missing:
        raise ArtifactError(f"{path}: a damaged model file: it lacks {', '.join(missing)}")
    try:
        config = ModelConfig.from_dict(json.loads(str(arrays["config"])))
        specs = json.loads(str(arrays["architecture"]))
        training = json.loads(str(arrays["training"]))
    except (TypeError, ValueError) as error:  # JSON, or a config ModelConfig refuses
        raise ArtifactError(f"{path}: unreadable model config ({error})") from None
    preprocessing = Preprocessing.from_arrays(
        {name.removeprefix(PREFIX): a for name, a in arrays.items() if name.startswith(PREFIX)},
        str(path),
    )
    if preprocessing.offset.shape[0] != config.n_features:
        raise ArtifactError(
            f"{path}: preprocessing gives {preprocessing.offset.shape[0]} features; "
            f"the network takes {config.n_features}"
        )
    if specs != config.architecture():
        raise ArtifactError(f"{path}: a damaged model file: its architecture is not its config's")
    xp = select_backend("cpu").xp
    states = []
    for spec in specs:
        shapes = LAYERS[spec["kind"]].state_shapes(spec)
        if not shapes:
            continue
        i = len(states)
        try:
            state = {name: arrays[f"layer{i}.{name}"] for name in shapes}
        except KeyError as error:
            raise ArtifactError(f"{path}: lacks the array {error} of {spec['kind']}") from None
        for name, shape in shapes.items():
            if tuple(state[name].shape) != shape:
                raise ArtifactError(
                    f"{path}: layer{i}.{name} has shape {state[name].shape}; its {spec['kind']} "
                    f"layer needs {shape}"
                )
        states.append({name: to_device(a, xp) for name, a in state.items()})
    return TrainedModel(
        network=Network.load(config, specs, states),
        classes=arrays["classes"],
        preprocessing=preprocessing,
        training=training,
    )
