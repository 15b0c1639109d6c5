"""PyTorch twins of signnet networks and training runs, for the benchmarks.

:func:`twin` builds a ``torch.nn.Sequential`` from what each signnet layer says of its PyTorch
counterpart (``Layer.torch()``: the module, its arguments, and a copy of its state in PyTorch's
names and layout), so both start alike. PyTorch's images are channels first: the twin reads the
same flat rows (N, S*S) as (N, 1, S, S) images and flattens (N, C, H, W) in signnet's (h, w, c)
order (:class:`ChannelsLastFlatten`), so the dense weights need no reordering.

:func:`train_twin` trains a twin with the recipe signnet's loop uses: the same optimizer and
settings (decay on the parameters each signnet layer names in ``decayed``), the schedule from
signnet's ``SCHEDULES``, and each epoch's order and each batch's augmentation drawn by the same
code from a generator seeded alike.
"""

from __future__ import annotations

import signnet.cpu  # noqa: F401  (first: pins OpenBLAS and NumPy's dispatch before NumPy loads)

import numpy as np
import torch

from signnet.nn.augment import Augmentation
from signnet.nn.model import Network
from signnet.nn.optimizers import SGD
from signnet.nn.schedules import SCHEDULES


class ChannelsLastFlatten(torch.nn.Module):
    """(N, C, H, W) -> (N, H * W * C), in signnet's (h, w, c) order."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.flatten(x.permute(0, 2, 3, 1), 1)


# Modules a layer may name that torch.nn does not have.
OWN_MODULES = {"ChannelsLastFlatten": ChannelsLastFlatten}


def _tensor(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(array))


def twin(network: Network) -> torch.nn.Sequential:
    """The network as PyTorch modules holding copies of its state (same dtype); the decayed
    parameters are marked ``decayed`` for :func:`optimizer_for`."""
    dtype = getattr(torch, network.config.dtype)
    modules = []
    for layer in network.layers:
        name, arguments, state = layer.torch()
        cls = OWN_MODULES.get(name) or getattr(torch.nn, name)
        module = cls(**arguments, dtype=dtype) if state else cls(**arguments)
        decayed = {layer.torch_names[n] for n in layer.decayed}
        for torch_name, value in state.items():
            target = getattr(module, torch_name)
            with torch.no_grad():
                target.copy_(_tensor(value))
            if isinstance(target, torch.nn.Parameter):
                target.decayed = torch_name in decayed
        modules.append(module)
    return torch.nn.Sequential(*modules)


def loss_function(n_classes: int):
    """signnet's output/loss pair: sigmoid + BCE on (N, 1) float targets for two classes,
    softmax + CE on (N,) labels otherwise."""
    return torch.nn.BCEWithLogitsLoss() if n_classes == 2 else torch.nn.CrossEntropyLoss()


def torch_targets(labels: np.ndarray, n_classes: int, dtype: torch.dtype) -> torch.Tensor:
    """What :func:`loss_function` compares the logits with."""
    if n_classes == 2:
        return torch.from_numpy(labels.reshape(-1, 1)).to(dtype)
    return torch.from_numpy(labels)


def optimizer_for(model: torch.nn.Module, optimizer: SGD) -> torch.optim.Optimizer:
    """PyTorch's counterpart of signnet's ``optimizer`` (``optimizer.torch()``), with weight
    decay on the parameters :func:`twin` marked as decayed, as signnet applies it."""
    parameters = list(model.parameters())
    groups = [
        {"params": [p for p in parameters if p.decayed], "weight_decay": optimizer.weight_decay},
        {"params": [p for p in parameters if not p.decayed], "weight_decay": 0.0},
    ]
    name, arguments = optimizer.torch()
    return getattr(torch.optim, name)(groups, **arguments)


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
        factor = SCHEDULES[schedule].factor(epoch, epochs)
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
