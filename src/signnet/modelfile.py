"""The self-describing model file: everything ``signnet predict`` needs, loadable without pickle.

An uncompressed ``.npz`` holding:

* ``format``: the string ``signnet-model-2``;
* ``config``: the :class:`~signnet.nn.model.ModelConfig` as a JSON string;
* ``training``: how the weights were trained (the ``train`` params and the device they were
  computed on), as a JSON string;
* ``classes`` int64 (K,): the digit of each class index;
* ``preprocessing.<name>``: the :class:`~signnet.data.preprocessing.Preprocessing` that turns
  photos into the network's input (image side S, scaling method, offset and scale (S*S,));
* ``layer<i>.W`` and ``layer<i>.b`` in ``config.dtype``, i = 0 at the input, shaped as
  :meth:`~signnet.nn.model.ModelConfig.parameter_shapes` says.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from signnet.artifacts import ArtifactError, is_npz, load_npz, save_npz
from signnet.data.preprocessing import Preprocessing
from signnet.nn.backend import select_backend, to_device, to_numpy
from signnet.nn.model import ModelConfig, Network

FORMAT = "signnet-model-2"
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
        "training": np.array(json.dumps(model.training, sort_keys=True)),
        "classes": np.asarray(model.classes, dtype=np.int64),
    }
    arrays |= {PREFIX + name: a for name, a in model.preprocessing.to_arrays().items()}
    for i, layer in enumerate(model.network.parameters()):
        for name, value in layer.items():
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
    missing = [name for name in ("config", "training", "classes") if name not in arrays]
    if missing:
        raise ArtifactError(f"{path}: a damaged model file: it lacks {', '.join(missing)}")
    try:
        config = ModelConfig.from_dict(json.loads(str(arrays["config"])))
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
    xp = select_backend("cpu").xp
    weights = []
    for i, shapes in enumerate(config.parameter_shapes()):
        try:
            pair = (arrays[f"layer{i}.W"], arrays[f"layer{i}.b"])
        except KeyError as error:
            raise ArtifactError(f"{path}: lacks weights {error} for {config}") from None
        if tuple(tuple(a.shape) for a in pair) != shapes:
            found = [a.shape for a in pair]
            raise ArtifactError(f"{path}: layer{i} has shapes {found}; its config says {shapes}")
        weights.append(tuple(to_device(a, xp) for a in pair))
    return TrainedModel(
        network=Network(config, weights),
        classes=arrays["classes"],
        preprocessing=preprocessing,
        training=training,
    )
