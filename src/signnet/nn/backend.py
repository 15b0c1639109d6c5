"""The one place that chooses the array library: NumPy on the CPU, CuPy on an NVIDIA GPU.

Everything else in :mod:`signnet.nn` is backend-neutral: it takes the array namespace from its
inputs with :func:`namespace`, and uses only functions of the Python array API standard.
Data is prepared on the CPU as NumPy arrays and moved to the device once with :func:`to_device`.

How many BLAS threads compute is chosen here too (:data:`BLAS_THREADS`, :func:`fixed_threads`):
a matrix product's last bits depend on how many threads share it, so each BLAS call computes on
one thread, whatever the machine; the cores are used by :mod:`signnet.nn.parallel`, which cuts
every product into blocks fixed by its shapes and runs them on a pool of threads.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
from types import ModuleType
from typing import Any

import array_api_compat
import numpy as np
from threadpoolctl import threadpool_limits

from signnet.errors import SignnetError

log = logging.getLogger(__name__)

GPU_HINT = (
    "install the GPU extra (pip install -e '.[gpu]': CuPy for CUDA 12) on a machine with an "
    "NVIDIA GPU, or compute on the cpu (or auto)"
)


class BackendError(SignnetError):
    """The requested device cannot be used on this machine."""


@dataclasses.dataclass(frozen=True)
class Backend:
    """An array namespace (array-API compatible) and the name of the device it computes on."""

    xp: ModuleType
    device: str


def _cupy_namespace() -> tuple[ModuleType | None, str]:
    """The CuPy array-API namespace if CuPy imports and sees a CUDA device, else (None, why)."""
    try:
        cupy = importlib.import_module("cupy")
    except ImportError as error:
        return None, f"CuPy is not installed ({error})"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CUDA driver/runtime errors have many types
        return None, f"CuPy finds no usable CUDA device ({error})"
    if count == 0:
        return None, "CuPy finds no CUDA device"
    return importlib.import_module("array_api_compat.cupy"), ""


def _cpu() -> Backend:
    return Backend(importlib.import_module("array_api_compat.numpy"), "cpu")


def _gpu() -> Backend:
    cupy_xp, why = _cupy_namespace()
    if cupy_xp is None:
        raise BackendError(f"the GPU cannot be used: {why}; {GPU_HINT}")
    log.info("computing on the GPU (CuPy)")
    return Backend(cupy_xp, "gpu")


def _auto() -> Backend:
    cupy_xp, why = _cupy_namespace()
    if cupy_xp is not None:
        log.info("computing on the GPU (CuPy)")
        return Backend(cupy_xp, "gpu")
    log.info("no GPU (%s); computing on the CPU (NumPy)", why)
    return _cpu()


# BLAS (and OpenMP) threads for every computation whose result is kept. OpenBLAS divides a
# product between its threads differently for different counts (and takes another code path for
# one thread), which changes the last bits of, e.g., a (32, 784) @ (784, 64) float32 product or a
# (332, 784) @ (784, 64) float64 one; a count that follows the machine's cores would make the
# bytes of every trained model depend on the machine. One thread is the count every machine has
# and never spins on a busy core; signnet.nn.parallel spreads a product's blocks over the cores
# instead (benchmarks/threads.py measures both ways, idle and under load).
BLAS_THREADS = 1


def fixed_threads() -> threadpool_limits:
    """A context manager in which BLAS and OpenMP compute on :data:`BLAS_THREADS` thread(s)."""
    return threadpool_limits(limits=BLAS_THREADS)


# Devices by name: ``cpu`` (NumPy), ``gpu`` (CuPy, or an error), ``auto`` (the GPU if usable).
DEVICES = {"cpu": _cpu, "gpu": _gpu, "auto": _auto}


def select_backend(device: str) -> Backend:
    """The backend for ``device``, one of :data:`DEVICES`; :class:`BackendError` if unusable."""
    if device not in DEVICES:
        raise BackendError(f"device {device!r} is not one of {', '.join(DEVICES)}")
    return DEVICES[device]()


def namespace(*arrays: Any) -> ModuleType:
    """The array-API namespace of ``arrays`` (NumPy, CuPy, or any compliant library)."""
    return array_api_compat.array_namespace(*arrays)


def to_device(array: np.ndarray, xp: ModuleType, dtype: Any = None) -> Any:
    """``array`` (host, NumPy) as an array of namespace ``xp``, optionally cast to ``dtype``."""
    return xp.asarray(array, dtype=dtype)


def to_numpy(array: Any) -> np.ndarray:
    """A NumPy copy (or view, on the CPU) of any array-API array."""
    if isinstance(array, np.ndarray):
        return array
    if hasattr(array, "get"):  # CuPy: copy from the device
        return array.get()
    return np.from_dlpack(array)
