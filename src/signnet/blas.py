"""The one BLAS kernel every kept result is computed with, pinned before NumPy loads.

OpenBLAS (NumPy's BLAS on x86-64) picks its kernels, the order of the multiply-adds inside a
matrix product, by CPU type when it loads: SkylakeX on an AVX-512 CPU, Haswell on an AVX2 one,
and so on, and two kernels give two sets of last bits. So a model trained on an AVX-512 machine
would differ from the committed one. :data:`KERNEL` (Haswell: every x86-64 CPU with AVX2 and FMA,
Intel since 2013, AMD since 2015) runs on every such machine: importing :mod:`signnet` sets
``OPENBLAS_CORETYPE`` to it before NumPy is imported, and every process that computes a kept
result (each stage, each cross-validation fold, ``signnet predict``, the benchmarks) imports
signnet first; processes it starts (joblib's workers) inherit the variable.

Where that cannot hold, :func:`kernel_warning` says so, naming the kernel found: a CPU without
AVX2 (Haswell's instructions would crash it, so OpenBLAS keeps its own choice), another
architecture (ARM) or BLAS (macOS Accelerate, MKL), or a process that had imported NumPy before
signnet (a Dask worker started without the variable). The bytes of the kernel-bound outputs then
differ from the committed ones in their last bits; docs/reproducibility.md says which.

``SIGNNET_OPENBLAS_CORETYPE`` (:data:`OVERRIDE`) names another kernel instead, on purpose: to
measure what another CPU type computes (``benchmarks/kernels.py``, the tests).

This module imports nothing beyond the standard library at import time: it runs before NumPy.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys

# The contract kernel: OpenBLAS's name for its AVX2 + FMA kernels.
KERNEL = "Haswell"
# CPU features KERNEL needs, as Linux's /proc/cpuinfo names them.
KERNEL_FEATURES = frozenset({"avx2", "fma"})
# OpenBLAS's own variable, read once when the library loads.
CORETYPE = "OPENBLAS_CORETYPE"
# Names another kernel instead of KERNEL, for measuring what another CPU type computes.
OVERRIDE = "SIGNNET_OPENBLAS_CORETYPE"

# What pin() found: the kernel asked for (None if none could be), and why not.
_asked: str | None = None
_why_not = ""


def _x86_64() -> bool:
    return platform.machine().lower() in ("x86_64", "amd64")


def _cpu_runs_kernel() -> bool:
    """Whether this CPU has the instructions of :data:`KERNEL` (False where unknown)."""
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/cpuinfo", encoding="utf-8") as info:
                for line in info:
                    if line.startswith("flags"):
                        return set(line.split(":", 1)[1].split()) >= KERNEL_FEATURES
        except OSError:
            return False
        return False
    if sys.platform == "win32":
        import ctypes

        pf_avx2_instructions_available = 40  # winnt.h; FMA comes with AVX2 on every such CPU
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        return bool(kernel32.IsProcessorFeaturePresent(pf_avx2_instructions_available))
    if sys.platform == "darwin":
        try:
            answer = subprocess.run(
                ["sysctl", "-n", "hw.optional.avx2_0", "hw.optional.fma"],
                capture_output=True,
                text=True,
                timeout=5,
            ).stdout.split()
        except (OSError, subprocess.SubprocessError):
            return False
        return answer == ["1", "1"]
    return False


def pin() -> None:
    """Set ``OPENBLAS_CORETYPE`` to :data:`KERNEL` (or to ``$SIGNNET_OPENBLAS_CORETYPE``) for
    this process and those it starts, where it can take effect: before NumPy loads, on an
    x86-64 CPU that runs it. Called once, by ``import signnet``."""
    global _asked, _why_not
    if "numpy" in sys.modules:
        _why_not = "NumPy was imported before signnet, with the kernel OpenBLAS chose then"
        return
    if not _x86_64():
        _why_not = f"this is a {platform.machine()} CPU, not x86-64"
        return
    if not _cpu_runs_kernel():
        _why_not = f"this CPU lacks {' and '.join(sorted(KERNEL_FEATURES))}, which {KERNEL} needs"
        return
    _asked = os.environ.get(OVERRIDE) or KERNEL
    os.environ[CORETYPE] = _asked


def numpy_blas() -> dict | None:
    """NumPy's BLAS as threadpoolctl describes it (``internal_api``, ``version``,
    ``architecture``: the kernel it computes with, ``num_threads``), or None."""
    from threadpoolctl import threadpool_info

    libraries = [i for i in threadpool_info() if i["user_api"] == "blas"]
    # NumPy's own BLAS first (SciPy may load another copy).
    libraries.sort(key=lambda i: "numpy" not in i["filepath"])
    return libraries[0] if libraries else None


def blas_kernel() -> str:
    """``<library> <version> <kernel>`` of NumPy's BLAS, e.g. ``openblas 0.3.31.188.0 Haswell``:
    what decides the last bits of a product, besides how it is divided between threads."""
    blas = numpy_blas()
    if blas is None:
        return "no BLAS found"
    return f"{blas['internal_api']} {blas['version']} {blas.get('architecture') or 'unknown'}"


def kernel_warning(kernel: str | None = None) -> str | None:
    """None when ``kernel`` (:func:`blas_kernel`'s text, by default this process's) is the
    contract kernel or the one asked for on purpose; else what was found and what it means."""
    kernel = blas_kernel() if kernel is None else kernel
    wanted = os.environ.get(OVERRIDE) or KERNEL
    if kernel.startswith("openblas ") and kernel.split()[-1].lower() == wanted.lower():
        return None
    if _asked is None and _why_not:
        why = _why_not
    else:
        why = f"{CORETYPE}={os.environ.get(CORETYPE, '')!r} when this process loaded NumPy"
    return (
        f"NumPy computes with {kernel}, not OpenBLAS's {wanted} kernel ({why}): trained weights, "
        "predictions and the figures computed from them may differ from the committed ones in "
        "their last bits (docs/reproducibility.md says which outputs); the "
        "rounded metrics normally do not"
    )


pin()
