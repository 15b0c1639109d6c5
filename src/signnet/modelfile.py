"""The self-describing model file: everything ``signnet predict`` needs, loadable without pickle.

An uncompressed ``.npz`` holding:

* ``format``: the string ``signnet-model-1``;
* ``config``: the :class:`~signnet.nn.model.ModelConfig` as a JSON string;
* ``training``: how the weights were trained (the ``train`` params), as a JSON string;
* ``classes`` int64 (K,): the digit of each class index;
* ``image_size``: the side S the photos are decoded to;
* ``offset``, ``scale`` float64 (S*S,): the pixel scaling ``x = (pixel - offset) / scale``;
* ``layer<i>.W`` (in, out) and ``layer<i>.b`` (out,) in ``config.dtype``, i = 0 at the input.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from signnet.artifacts import ArtifactError, load_npz, save_npz
from signnet.nn.backend import select_backend, to_device, to_numpy
from signnet.nn.model import ModelConfig, Network

FORMAT = "signnet-model-1"


@dataclasses.dataclass
class TrainedModel:
    """A network with what turns a photo into its input and its output into a digit."""

    network: Network
    classes: np.ndarray
    image_size: int
    offset: np.ndarray
    scale: np.ndarray
    training: dict = dataclasses.field(default_factory=dict)

    def features(self, images: np.ndarray) -> np.ndarray:
        """Scaled features (N, S*S) in the network's dtype for uint8 images (N, S, S)."""
        x = (images.reshape(len(images), -1).astype(np.float64) - self.offset) / self.scale
        return x.astype(self.network.config.dtype)

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities (N, K) for uint8 images (N, S, S), on the CPU."""
        return to_numpy(self.network.predict_proba(self.features(images)))


def save_model(path: str | Path, model: TrainedModel) -> None:
    """Write ``model`` to ``path`` atomically (weights copied back from the device)."""
    arrays = {
        "format": np.array(FORMAT),
        "config": np.array(json.dumps(model.network.config.to_dict(), sort_keys=True)),
        "training": np.array(json.dumps(model.training, sort_keys=True)),
        "classes": np.asarray(model.classes, dtype=np.int64),
        "image_size": np.array(model.image_size, dtype=np.int64),
        "offset": model.offset,
        "scale": model.scale,
    }
    for i, layer in enumerate(model.network.parameters()):
        for name, value in layer.items():
            arrays[f"layer{i}.{name}"] = to_numpy(value)
    save_npz(path, arrays)


def load_model(path: str | Path) -> TrainedModel:
    """Read a model file written by :func:`save_model`, on the CPU."""
    arrays = load_npz(
        path, required=("format", "config", "classes", "image_size", "offset", "scale")
    )
    if str(arrays["format"]) != FORMAT:
        raise ArtifactError(f"{path}: format {str(arrays['format'])!r}; expected {FORMAT!r}")
    try:
        config = ModelConfig.from_dict(json.loads(str(arrays["config"])))
        training = json.loads(str(arrays["training"]))
    except (json.JSONDecodeError, TypeError) as error:
        raise ArtifactError(f"{path}: unreadable model config ({error})") from None
    xp = select_backend("cpu").xp
    n_layers = len(config.widths) - 1
    try:
        weights = [
            (to_device(arrays[f"layer{i}.W"], xp), to_device(arrays[f"layer{i}.b"], xp))
            for i in range(n_layers)
        ]
    except KeyError as error:
        raise ArtifactError(f"{path}: lacks weights {error} for {config.widths}") from None
    for i, (w, _) in enumerate(weights):
        if tuple(w.shape) != (config.widths[i], config.widths[i + 1]):
            raise ArtifactError(f"{path}: layer{i}.W has shape {w.shape}; config says {config}")
    return TrainedModel(
        network=Network(config, weights),
        classes=arrays["classes"],
        image_size=int(arrays["image_size"]),
        offset=arrays["offset"],
        scale=arrays["scale"],
        training=training,
    )
