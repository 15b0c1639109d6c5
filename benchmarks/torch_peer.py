"""PyTorch twins of signnet networks and training runs, for the benchmarks.

:func:`twin` builds a ``torch.nn.Sequential`` with the layers of a signnet :class:`Network` and
a copy of its current weights, so both start alike: convolution weights (k*k*C_in, C_out) rows
(dy, dx, c_in) become (C_out, C_in, k, k), and the first dense layer after the convolutions has
its rows reordered from signnet's (h, w, c) flattening to PyTorch's (c, h, w). Inputs are the
same flat rows (N, S*S) in both; the twin reshapes them to (N, 1, S, S).

:func:`train_twin` trains a twin with the recipe signnet's loop uses: the same optimizer and
settings (L2 decay on weights only), the schedule from :data:`SCHEDULES`, and each epoch's
order and each batch's augmentation drawn by the same code from a generator seeded alike.
"""

from __future__ import annotations

import numpy as np
import torch

from signnet.nn.augment import Augmentation
from signnet.nn.model import Network
from signnet.nn.training import SCHEDULES

ACTIVATIONS = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}


def _tensor(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(array))


def twin(network: Network) -> torch.nn.Sequential:
    """The network as PyTorch layers holding copies of its weights (same dtype)."""
    config = network.config
    weights = [(layer["W"], layer["b"]) for layer in network.parameters()]
    n_conv, k = len(config.conv), config.kernel_size
    side = config.image_side
    layers: list[torch.nn.Module] = []
    if n_conv:
        layers.append(torch.nn.Unflatten(1, (1, side, side)))
    for w, b in weights[:n_conv]:
        c_in, c_out = w.shape[0] // (k * k), w.shape[1]
        conv = torch.nn.Conv2d(c_in, c_out, k, padding=k // 2, dtype=_tensor(w).dtype)
        with torch.no_grad():
            conv.weight.copy_(_tensor(w.reshape(k, k, c_in, c_out).transpose(3, 2, 0, 1)))
            conv.bias.copy_(_tensor(b))
        layers += [conv, ACTIVATIONS[config.activation](), torch.nn.MaxPool2d(2)]
        side //= 2
    if n_conv:
        layers.append(torch.nn.Flatten())
    for i, (w, b) in enumerate(weights[n_conv:]):
        if i:
            layers.append(ACTIVATIONS[config.activation]())
            if config.dropout:
                layers.append(torch.nn.Dropout(config.dropout))
        if i == 0 and n_conv:  # rows (h, w, c) -> (c, h, w)
            c = config.conv[-1]
            w = w.reshape(side, side, c, -1).transpose(2, 0, 1, 3).reshape(w.shape)
        linear = torch.nn.Linear(*w.shape, dtype=_tensor(w).dtype)
        with torch.no_grad():
            linear.weight.copy_(_tensor(w.T))
            linear.bias.copy_(_tensor(b))
        layers.append(linear)
    return torch.nn.Sequential(*layers)


def loss_function(n_classes: int):
    """signnet's output/loss pair: sigmoid + BCE on (N, 1) float targets for two classes,
    softmax + CE on (N,) labels otherwise."""
    return torch.nn.BCEWithLogitsLoss() if n_classes == 2 else torch.nn.CrossEntropyLoss()


def torch_targets(labels: np.ndarray, n_classes: int, dtype: torch.dtype) -> torch.Tensor:
    """What :func:`loss_function` compares the logits with."""
    if n_classes == 2:
        return torch.from_numpy(labels.reshape(-1, 1)).to(dtype)
    return torch.from_numpy(labels)


def optimizer_for(model: torch.nn.Module, name: str, settings: dict) -> torch.optim.Optimizer:
    """PyTorch's optimizer named like signnet's (sgd, momentum, adam) with the same settings;
    weight decay on the weight matrices only, as signnet applies it."""
    weights = [p for p in model.parameters() if p.dim() > 1]
    biases = [p for p in model.parameters() if p.dim() == 1]
    groups = [
        {"params": weights, "weight_decay": settings["weight_decay"]},
        {"params": biases, "weight_decay": 0.0},
    ]
    lr = settings["lr"]
    if name == "adam":
        betas = (settings["beta1"], settings["beta2"])
        return torch.optim.Adam(groups, lr=lr, betas=betas, eps=1e-8)
    momentum = settings["momentum"] if name == "momentum" else 0.0
    return torch.optim.SGD(groups, lr=lr, momentum=momentum)


def train_twin(
    model: torch.nn.Sequential,
    optimizer: torch.optim.Optimizer,
    x: np.ndarray,
    labels: np.ndarray,
    n_classes: int,
    *,
    epochs: int,
    batch_size: int,
    seed: int,
    schedule: str,
    augmentation: Augmentation,
) -> None:
    """Train ``model`` on x (N, features) as signnet's loop trains: each epoch a permutation,
    cut into batches, and (when active) each batch's transforms, all from one generator seeded
    with ``seed``; the rate set per epoch by the schedule. Dropout's masks come
    from PyTorch's generator, seeded with ``seed`` too (they differ from signnet's)."""
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)  # dropout's masks
    dtype = next(model.parameters()).dtype
    targets = torch_targets(labels, n_classes, dtype)
    loss_fn = loss_function(n_classes)
    initial = [group["lr"] for group in optimizer.param_groups]
    model.train()
    for epoch in range(1, epochs + 1):
        factor = SCHEDULES[schedule](epoch, epochs)
        for group, lr in zip(optimizer.param_groups, initial, strict=True):
            group["lr"] = lr * factor
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            rows = order[start : start + batch_size]
            batch = augmentation.apply(x[rows], rng) if augmentation.active else x[rows]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(torch.from_numpy(batch)), targets[torch.from_numpy(rows)])
            loss.backward()
            optimizer.step()
    model.eval()


def predict(model: torch.nn.Sequential, x: np.ndarray, n_classes: int) -> np.ndarray:
    """Class indices (N,) for inputs x (N, features)."""
    with torch.no_grad():
        logits = torch.cat([model(torch.from_numpy(x[i : i + 256])) for i in range(0, len(x), 256)])
    if n_classes == 2:
        return (logits[:, 0] > 0).long().numpy()
    return logits.argmax(1).numpy()
