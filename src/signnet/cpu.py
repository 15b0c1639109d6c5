"""The two CPU-dependent layers of NumPy's arithmetic, pinned in one place before NumPy loads.

Besides the code, the pinned versions and the C library's maths, two things decide the last
bits of what NumPy computes, and both are chosen by CPU type when NumPy loads:

* **OpenBLAS's kernel**, the order of the multiply-adds inside a matrix product: SkylakeX on an
  AVX-512 CPU, Haswell on an AVX2 one, and so on. Importing signnet sets ``OPENBLAS_CORETYPE``
  to :data:`KERNEL` (Haswell: AVX2 and FMA).
* **NumPy's SIMD dispatch**: NumPy compiles its ufunc loops for several instruction sets and
  runs the widest the CPU has: ``X86_V4`` and ``AVX512_ICL`` on an AVX-512 CPU, ``X86_V3`` on an
  AVX2 one. Some functions (exp, log...: docs/reproducibility.md lists them, as measured) give
  other bits with the AVX-512 loops. Importing signnet adds the targets above :data:`FLOOR`
  (:data:`ABOVE_FLOOR`) to ``NPY_DISABLE_CPU_FEATURES``, keeping whatever the variable disabled
  already.

The contract's floor is x86-64-v3 (AVX2, FMA and the rest of :data:`FLOOR_FEATURES`: Intel since
2013, AMD since 2015): every CPU at or above it computes with the same kernel and the same loops,
so the same bytes. Every process that computes a kept result (each stage, each cross-validation
fold, ``signnet predict`` and ``explain``, the benchmarks) imports signnet first; processes it
starts (joblib's workers) inherit both variables.

Where that cannot hold, :func:`pin_failure` says what differs and why: a CPU below the floor
(OpenBLAS's Haswell kernel would crash it, so both choices are left to OpenBLAS and NumPy),
another architecture (ARM) or BLAS (macOS Accelerate, MKL), a NumPy whose dispatch targets are
not the ones named here, or a process that had imported NumPy before signnet (a Dask worker
started without the variables). :mod:`signnet.canary` then tells whether this machine still
computes what the committed results were computed with.

On purpose, to measure what another CPU computes: ``SIGNNET_OPENBLAS_CORETYPE``
(:data:`KERNEL_OVERRIDE`) names another kernel, and ``SIGNNET_NUMPY_DISPATCH=native``
(:data:`DISPATCH_OVERRIDE`) leaves NumPy's dispatch to NumPy (``NPY_DISABLE_CPU_FEATURES`` as
the environment has it). The second is also the way out for a NumPy built with x86-64-v4 in its
baseline (a source build with ``-march=native``), which refuses to load with those targets
disabled.

This module imports nothing beyond the standard library at import time: it runs before NumPy.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import re
import subprocess
import sys

# The contract kernel: OpenBLAS's name for its AVX2 + FMA kernels.
KERNEL = "Haswell"
# CPU features of x86-64-v3, the floor, as Linux's /proc/cpuinfo names them (abm: LZCNT).
FLOOR_FEATURES = frozenset({"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe"})
# OpenBLAS's own variable, read once when the library loads.
CORETYPE = "OPENBLAS_CORETYPE"
# Names another kernel instead of KERNEL, for measuring what another CPU type computes.
KERNEL_OVERRIDE = "SIGNNET_OPENBLAS_CORETYPE"

# The contract's NumPy dispatch target: x86-64-v3 (AVX2, FMA, BMI1/2, F16C, LZCNT, MOVBE).
FLOOR = "X86_V3"
# NumPy's x86-64 dispatch targets above FLOOR (NumPy 2.4's names; a NumPy with other targets is
# found out after it loads, by pin_failure).
ABOVE_FLOOR = ("X86_V4", "AVX512_ICL", "AVX512_SPR")
# NumPy's variables, read once when it loads: the dispatch targets it must not use, or the only
# ones it may (NumPy refuses to load when both are set).
DISABLE = "NPY_DISABLE_CPU_FEATURES"
ENABLE = "NPY_ENABLE_CPU_FEATURES"
# "native": leave NumPy's dispatch to NumPy, for measuring what an unpinned CPU computes.
DISPATCH_OVERRIDE = "SIGNNET_NUMPY_DISPATCH"

# Why pin() could not pin, if it could not; else the variables NumPy and OpenBLAS loaded with.
_why_not = ""
_loaded_with: dict[str, str] = {}


def _x86_64() -> bool:
    return platform.machine().lower() in ("x86_64", "amd64")


def cpu_flags() -> set[str] | None:
    """The CPU's features as Linux's /proc/cpuinfo names them (``avx2``, ``avx512f``...), or
    None where that file is not to be read (another system)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        return None
    return set()


def cpu_model() -> str:
    """The CPU's model name (Linux's /proc/cpuinfo), else what the platform module says."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            return next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def cpu_at_floor() -> bool:
    """Whether this CPU has the instructions of :data:`KERNEL` and :data:`FLOOR` (False where
    unknown; on Windows and macOS, AVX2 and FMA are asked, which come with the rest)."""
    if sys.platform.startswith("linux"):
        flags = cpu_flags()
        return flags is not None and flags >= FLOOR_FEATURES
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


def _names(value: str | None) -> list[str]:
    """The feature names of a NumPy CPU-features variable (commas or spaces between them)."""
    return [name for name in re.split(r"[\s,]+", value or "") if name]


def _disabled_with_pin(environ: dict) -> str:
    """``NPY_DISABLE_CPU_FEATURES`` with the targets above the floor added to what ``environ``
    disables already (a list that ``NPY_ENABLE_CPU_FEATURES`` enables is turned into the list it
    leaves out, since NumPy refuses both at once)."""
    if _names(environ.get(ENABLE)):  # NumPy takes an empty value for no value
        enabled = set(_names(environ[ENABLE]))
        disabled = [t for t in (FLOOR, *ABOVE_FLOOR) if t not in enabled]
    else:
        disabled = _names(environ.get(DISABLE))
    return " ".join(dict.fromkeys([*disabled, *ABOVE_FLOOR]))


def pin() -> None:
    """Pin OpenBLAS's kernel and NumPy's dispatch for this process and those it starts, where it
    can take effect: before NumPy loads, on an x86-64 CPU at the floor. Called once, by
    ``import signnet``."""
    global _why_not, _loaded_with
    if "numpy" in sys.modules:
        _why_not = "NumPy was imported before signnet, with the choices it made then"
        return
    if not _x86_64():
        _why_not = f"this is a {platform.machine()} CPU, not x86-64"
        return
    if not cpu_at_floor():
        _why_not = (
            "this CPU lacks some of x86-64-v3's instructions "
            f"({', '.join(sorted(FLOOR_FEATURES))}): it is below the contract's floor"
        )
        return
    os.environ[CORETYPE] = os.environ.get(KERNEL_OVERRIDE) or KERNEL
    if os.environ.get(DISPATCH_OVERRIDE) != "native":
        os.environ[DISABLE] = _disabled_with_pin(os.environ)
        os.environ.pop(ENABLE, None)
    _loaded_with = {v: os.environ.get(v, "") for v in (CORETYPE, DISABLE)}


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


def _cpu_features() -> tuple[list[str], list[str], dict[str, bool]]:
    """NumPy's baseline targets, its dispatch targets and which features are on in this process
    (what ``numpy.show_runtime()`` prints)."""
    from numpy._core import _multiarray_umath as umath

    return list(umath.__cpu_baseline__), list(umath.__cpu_dispatch__), umath.__cpu_features__


def numpy_dispatch() -> str:
    """The widest SIMD target NumPy's own loops run with in this process (``X86_V3`` under the
    pin; its baseline, e.g. ``X86_V2``, where no dispatch target is on)."""
    baseline, targets, on = _cpu_features()
    running = [t for t in targets if on.get(t)]
    return running[-1] if running else (baseline[-1] if baseline else "none")


@dataclasses.dataclass(frozen=True)
class Numerics:
    """What decides the last bits of NumPy's arithmetic in a process: its BLAS kernel
    (:func:`blas_kernel`) and NumPy's dispatch target (:func:`numpy_dispatch`)."""

    kernel: str
    dispatch: str

    @classmethod
    def here(cls) -> Numerics:
        return cls(blas_kernel(), numpy_dispatch())


def settings() -> str:
    """The pins' variables as this process's NumPy and OpenBLAS loaded with them, e.g.
    ``OPENBLAS_CORETYPE='Haswell' NPY_DISABLE_CPU_FEATURES='X86_V4 AVX512_ICL AVX512_SPR'``
    (unknown where NumPy was loaded before signnet)."""
    if not _loaded_with:
        return "unknown (NumPy was loaded before signnet)"
    return " ".join(f"{name}={value!r}" for name, value in _loaded_with.items())


def pin_failure(found: Numerics | None = None) -> str | None:
    """None when ``found`` (by default this process's) computes with the contract's kernel and
    loops, or the ones asked for on purpose; else what differs and why, in a few words. A
    :data:`DISPATCH_OVERRIDE` with another value than ``native`` is named too."""
    found = Numerics.here() if found is None else found
    wanted = os.environ.get(KERNEL_OVERRIDE) or KERNEL
    override = os.environ.get(DISPATCH_OVERRIDE)
    differs = []
    kernel = found.kernel.lower()
    if not (kernel.startswith("openblas ") and kernel.endswith(f" {wanted.lower()}")):
        differs.append(f"its BLAS is {found.kernel}, not OpenBLAS's {wanted} kernel")
    if found.dispatch != FLOOR and override != "native":
        differs.append(f"NumPy's loops are {found.dispatch}, not {FLOOR} (x86-64-v3)")
    parts = []
    if differs:
        why = _why_not or f"{settings()} when this process loaded NumPy"
        parts.append(f"{'; '.join(differs)} ({why})")
    if override not in (None, "native"):
        parts.append(
            f"{DISPATCH_OVERRIDE}={override!r} is not 'native', its one value: NumPy's dispatch "
            "stayed pinned (unset it, or set it to 'native')"
        )
    return "; ".join(parts) or None


pin()
