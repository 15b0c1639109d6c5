"""A check any machine can run: does it compute what the committed results were computed with?

The canary is a small fixed computation that goes through every numeric path the kept results
depend on: NumPy's elementwise functions that the network, the losses, the augmentation and the
metrics call (their own SIMD loops or the C library's maths, :mod:`signnet.cpu` says which
decides), in float32 and float64; the reductions (sums along either axis, means, dot products,
maxima, cumulative sums); the matrix products, whole and in :mod:`signnet.nn.parallel`'s blocks;
and the random draws the weights start from. Each operation's result is fingerprinted (the first
16 hex digits of the sha256 of its bytes). ``canary.json`` beside this module records the
fingerprints the machine that wrote the committed ``dvc.lock`` computed, with what it computed
with (BLAS kernel, NumPy's dispatch, versions, C library): ``python tools/canary.py`` writes it.

:func:`check` computes the canary here (a few milliseconds) and compares: every stage runs it at
start and logs a warning naming the operations that differ, each cross-validation fold runs it
where the fold runs (a Dask worker may be another machine), and ``signnet doctor`` prints the
verdict with what it means for ``dvc repro``.

Inputs are made from integers with exact arithmetic (no random generator, no libm), so they are
the same bits everywhere; operations run on one BLAS thread, as the stages compute.
"""

from __future__ import annotations

from signnet.cpu import Numerics, pin_failure

import dataclasses
import hashlib
import json
import platform
from collections.abc import Callable
from importlib import resources

import numpy as np

from signnet.nn.backend import fixed_threads
from signnet.nn.parallel import matmul, plan

# The committed fingerprints: a file inside the package, so that every process finds it.
REFERENCE = "canary.json"
# The main pipeline's outputs whose bytes follow the operations below, whatever decides them
# (BLAS kernel, NumPy's loops, the C library): they hold full-precision floats of the trained
# weights. Every other output, the metrics kept in git included, is the same where they differ.
KERNEL_BOUND = (
    "models/model.npz",
    "models/history.json",
    "data/predictions.npz",
    "reports/evaluation.json",
)
# The outputs git keeps (DVC metrics), rounded: the same on every machine measured so far.
IN_GIT = ("reports/metrics.json", "reports/cv.json")
# A multiplier whose products modulo 2**32 scatter consecutive integers (Knuth's).
_SCATTER = 2654435761
# Values per elementwise operation: enough to reach every branch of NumPy's SIMD loops.
_SIZE = 4096


def _uniform(n: int, seed: int) -> np.ndarray:
    """``n`` float64 values in [0, 1), exact multiples of 2**-32, from integers alone."""
    i = np.arange(seed * n, (seed + 1) * n, dtype=np.uint64)
    return ((i * np.uint64(_SCATTER)) % np.uint64(1 << 32)).astype(np.float64) / float(1 << 32)


def _on(low: float, high: float, seed: int) -> Callable[[type], np.ndarray]:
    """Inputs spread over [low, high), in a given dtype."""
    return lambda dtype: (low + (high - low) * _uniform(_SIZE, seed)).astype(dtype)


def _matrix(rows: int, cols: int, seed: int, dtype: type) -> np.ndarray:
    return (_uniform(rows * cols, seed) - 0.5).astype(dtype).reshape(rows, cols)


# name -> (inputs for a dtype, operation). The ranges cover what the network feeds each one:
# exp of -|z| and of shifted logits, log1p of (0, 1], logs of sums of exponentials, tanh and its
# saturated tails, square roots of variances, the augmentation's angles.
ELEMENTWISE: dict[str, tuple[Callable[[type], np.ndarray], Callable]] = {
    "exp": (_on(-40.0, 5.0, 1), np.exp),
    "log": (_on(1e-6, 50.0, 2), np.log),
    "log1p": (_on(0.0, 1.0, 3), np.log1p),
    "tanh": (_on(-12.0, 12.0, 4), np.tanh),
    "sqrt": (_on(0.0, 10.0, 5), np.sqrt),
    "sin": (_on(-0.6, 0.6, 6), np.sin),
    "cos": (_on(-0.6, 0.6, 7), np.cos),
    "arithmetic": (_on(-3.0, 3.0, 8), lambda x: (x * 0.3 + 1.0) / (x * x + 1.5) - x),
}


def _reductions(dtype: type) -> dict[str, np.ndarray]:
    x = _matrix(96, 333, 9, dtype)
    return {
        "sum (last axis)": x.sum(axis=1),
        "sum (first axis)": x.sum(axis=0),
        "sum (whole)": np.asarray(x.sum()),
        "mean": x.mean(axis=0),
        "max": x.max(axis=1),
        "vecdot": np.vecdot(x, x[::-1], axis=1),
        "cumsum": np.cumsum(x[0]),
    }


def _products(dtype: type) -> dict[str, np.ndarray]:
    a, b = _matrix(67, 129, 10, dtype), _matrix(129, 65, 11, dtype)
    # The smallest products signnet cuts into blocks: one cut along the rows, one along the
    # summed side (partial products added in block order).
    by_rows = _matrix(512, 64, 12, dtype), _matrix(64, 128, 13, dtype)
    summed = _matrix(64, 1024, 14, dtype), _matrix(1024, 64, 15, dtype)
    assert [plan(*x.shape, y.shape[1])[0] for x, y in (by_rows, summed)] == ["m", "k"]
    return {
        "matmul": a @ b,
        "matrix-vector": a[:1] @ b,
        "blocked matmul (rows cut)": matmul(*by_rows),
        "blocked matmul (summed side cut)": matmul(*summed),
    }


def _draws() -> np.ndarray:
    """The draws weights start from (normal and uniform; the normal's tails call the C
    library's exp and log)."""
    rng = np.random.default_rng(20240607)
    return np.concatenate([rng.normal(0.0, 1.0, 20000), rng.uniform(-1.0, 1.0, 1000)])


def _digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()[:16]


def compute() -> dict[str, str]:
    """``{"<operation> <dtype>": fingerprint}`` of every operation, on one BLAS thread."""
    results = {}
    with fixed_threads():
        for dtype in (np.float32, np.float64):
            name = np.dtype(dtype).name
            for op, (inputs, function) in ELEMENTWISE.items():
                results[f"{op} {name}"] = _digest(function(inputs(dtype)))
            for op, value in {**_reductions(dtype), **_products(dtype)}.items():
                results[f"{op} {name}"] = _digest(value)
        results["random draws float64"] = _digest(_draws())
    return results


def libc() -> str:
    """The C library, whose maths (exp, log, log1p, sin, cos in float64) NumPy's x86-64-v3 loops
    call: e.g. ``glibc 2.36``."""
    name, version = platform.libc_ver()
    return f"{name} {version}".strip() or platform.system()


def record() -> dict:
    """What this machine computes, as ``canary.json`` holds it."""
    numerics = Numerics.here()
    return {
        "numpy": np.__version__,
        "blas": numerics.kernel,
        "dispatch": numerics.dispatch,
        "libc": libc(),
        "operations": compute(),
    }


def reference() -> dict | None:
    """The committed record (``canary.json``), or None where it is missing or unreadable."""
    try:
        committed = json.loads(
            resources.files("signnet").joinpath(REFERENCE).read_text(encoding="utf-8")
        )
    except (OSError, ValueError):
        return None
    return committed if isinstance(committed.get("operations"), dict) else None


# What the warnings advise: where the whole story is.
_MORE = "`signnet doctor` says more; docs/reproducibility.md what it means"
# The set-up a record holds, and how a message names each part.
_SETUP = {"numpy": "NumPy", "blas": "BLAS", "dispatch": "NumPy's loops", "libc": "C library"}


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The canary computed here against the committed one (None where none could be read)."""

    here: dict  # record() of the machine checked
    committed: dict | None  # reference()
    pin: str | None  # signnet.cpu.pin_failure() there

    @property
    def differing(self) -> list[str]:
        """The operations whose bytes differ from the committed ones (missing ones included)."""
        if self.committed is None:
            return []
        mine, theirs = self.here["operations"], self.committed["operations"]
        return [op for op in theirs if mine.get(op) != theirs[op]]

    @property
    def reproduces(self) -> bool:
        """Whether this machine computes what the committed results were computed with (False
        where that is unknown)."""
        return self.committed is not None and not self.differing

    def _versus(self) -> str:
        """What differs between the two machines' set-ups, e.g. ``NumPy's loops AVX512_ICL, not
        X86_V3``, or that nothing does."""
        parts = [
            f"{label} {self.here.get(key)}, not {self.committed.get(key)}"
            for key, label in _SETUP.items()
            if self.here.get(key) != self.committed.get(key)
        ]
        return "; ".join(parts) or "the same kernel, loops, versions and C library"

    def warning(self) -> str | None:
        """None when this machine reproduces the committed canary with signnet's pins as the
        contract has them; else what differs, what it means and where to read more."""
        if self.committed is None:
            return (
                f"no committed canary could be read ({REFERENCE} in the signnet package), so "
                "whether this machine computes the committed results is unknown: reinstall "
                "signnet (pip install --no-deps -e .)"
            )
        if self.reproduces:
            if self.pin is None:
                return None
            return (
                f"{self.pin}; this machine still computes the canary as committed, so the "
                f"results should still reproduce ({_MORE})"
            )
        differing = self.differing
        shown = ", ".join(differing[:6]) + (len(differing) > 6) * f" and {len(differing) - 6} more"
        why = f"; {self.pin}" if self.pin else ""
        return (
            f"this machine computes {shown} otherwise than the one that wrote the committed "
            f"results ({self._versus()}{why}): {', '.join(KERNEL_BOUND)} will differ in their "
            f"last bits from the committed dvc.lock; the metrics kept in git ({', '.join(IN_GIT)})"
            f" normally do not ({_MORE})"
        )

    def meaning(self) -> str:
        """One sentence: should this machine reproduce the committed dvc.lock, and if not, what
        will differ and what should not."""
        if self.committed is None:
            return self.warning()
        count = len(self.committed["operations"])
        if self.reproduces:
            return (
                f"This machine computes all {count} of the canary's operations as the machine "
                "that wrote the committed results did: `dvc repro` should reproduce the "
                "committed dvc.lock byte for byte."
            )
        return (
            f"This machine computes {len(self.differing)} of the canary's {count} operations "
            "otherwise: `dvc repro` will change "
            f"{', '.join(KERNEL_BOUND)} in their last bits, so git shows dvc.lock modified in "
            f"their hashes, while the metrics kept in git ({', '.join(IN_GIT)}) and the other "
            "outputs normally stay as committed."
        )


def check() -> Verdict:
    """This process's canary against the committed one."""
    return Verdict(record(), reference(), pin_failure())
