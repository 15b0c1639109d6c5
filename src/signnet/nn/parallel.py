"""Every core, the same bytes: work cut into blocks fixed by the shapes alone, on a pool of threads.

A BLAS that divides one product between its threads divides it differently for different thread
counts, and the last bits follow. Here the division is fixed by the shapes alone, and the blocks
run on a pool of :func:`threads` Python threads (NumPy releases the GIL inside BLAS and its
array loops); one thread runs the same blocks one after another, so 1, 2, 3 or 8 threads give
identical bytes by construction.

* :func:`matmul`: a product ``(m, k) @ (k, n)`` is cut along its longest side (:func:`plan`),
  each block one BLAS call on one BLAS thread (:data:`signnet.nn.backend.BLAS_THREADS`). Cut
  along ``m`` or ``n``, each block writes its own rows or columns of the result; cut along ``k``
  (the summed side, e.g. a weight gradient summed over a batch of pixels), each block is a
  partial product and the partials are added in block order, so the reduction's order is fixed
  too. Only products of at least ``2 * MIN_BLOCK`` multiply-adds are cut.
* :func:`for_slabs`: a pass whose rows along the first axis are independent (a layer's channels
  or features: pooling, normalisation, unfolding an image) runs ``task(start, stop)`` on slabs
  of rows (:func:`slabs`), each computing exactly what the whole pass computes for its rows.

Arrays of other libraries (CuPy on the GPU) are left to their library: one product, one slab.

The thread count: :func:`set_threads` (or the :func:`using_threads` context), else
``$SIGNNET_THREADS``, else the cores this process may run on.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

import numpy as np

from signnet.errors import SignnetError

Array = Any

# Multiply-adds per block, at least (about 50 microseconds of one core's BLAS).
MIN_BLOCK = 1 << 21
# Blocks per product or pass, at most: enough for 16 cores, few enough to keep blocks large.
MAX_BLOCKS = 16
# Values per slab of a pass, at least: a pass over fewer, smaller slabs spends more on handing
# the GIL between threads than the second core gains (256 Ki values: about 0.1 ms).
MIN_SLAB = 1 << 18
# A block's side is a multiple of this many rows, columns or summed terms (but the last).
GRANULE = 64
# The environment variable that sets the default thread count.
THREADS_VARIABLE = "SIGNNET_THREADS"

_threads: int | None = None  # set_threads's count; None: the default
_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()
_in_pool = threading.local()  # set in the pool's threads: a product inside a block runs inline


class ThreadsError(SignnetError):
    """A thread count that is not a positive integer."""


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_threads() -> int:
    """``$SIGNNET_THREADS`` if set (a positive integer), else the cores this process may run on."""
    value = os.environ.get(THREADS_VARIABLE, "").strip()
    if not value:
        return _cores()
    if not (value.isascii() and value.isdigit()) or int(value) < 1:  # "²" is isdigit()
        raise ThreadsError(
            f"{THREADS_VARIABLE}={value!r} is not a positive integer: set it to the number of "
            "threads a training computes on, or unset it to use every core"
        )
    return int(value)


def threads() -> int:
    """How many threads compute a product's blocks."""
    return default_threads() if _threads is None else _threads


def set_threads(count: int | None) -> None:
    """Compute products on ``count`` threads from now on (None: :func:`default_threads`)."""
    global _threads
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise ThreadsError(f"threads={count!r} is not a positive integer")
    _threads = count


@contextlib.contextmanager
def using_threads(count: int | None) -> Iterator[None]:
    """Compute products on ``count`` threads inside the block, as before after it."""
    before = _threads
    set_threads(count)
    try:
        yield
    finally:
        set_threads(before)


def _forget_pool() -> None:
    """In a forked child the parent's pool threads do not exist: start a new pool there."""
    global _pool, _pool_size
    _pool, _pool_size = None, 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _run(task: Callable[[tuple[int, int]], Any], blocks: list[tuple[int, int]]) -> list:
    """``task`` of each block, results in block order, on :func:`threads` threads: the caller
    and ``threads() - 1`` pool threads each take the next block not yet taken."""
    global _pool, _pool_size
    count = min(threads(), len(blocks))
    if count == 1 or getattr(_in_pool, "active", False):
        return [task(block) for block in blocks]
    results: list[Any] = [None] * len(blocks)
    taken = iter(range(len(blocks)))
    take = threading.Lock()

    def drain() -> None:
        while True:
            with take:
                i = next(taken, None)
            if i is None:
                return
            results[i] = task(blocks[i])

    def helper() -> None:
        _in_pool.active = True
        drain()

    with _pool_lock:
        if _pool is None or _pool_size < count - 1:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool_size = count - 1  # the caller is the first thread
            _pool = ThreadPoolExecutor(_pool_size, thread_name_prefix="signnet-parallel")
        pool = _pool
    helpers = [pool.submit(helper) for _ in range(count - 1)]
    try:
        drain()
    finally:  # no helper left writing when this returns or raises
        wait(helpers)
    for done in helpers:
        done.result()  # re-raises a helper's error
    return results


def plan(m: int, k: int, n: int) -> tuple[str, list[tuple[int, int]]]:
    """How ``(m, k) @ (k, n)`` is cut: the axis (``"m"``, ``"k"`` or ``"n"``; the longest side,
    ``n`` then ``m`` on ties) and the blocks ``[(start, stop), ...]`` along it, or ``("", [])``
    for one uncut product. Depends on the shapes only, never on the thread count."""
    axis, size = max((("n", n), ("m", m), ("k", k)), key=lambda pair: pair[1])
    count = min(MAX_BLOCKS, (m * k * n) // MIN_BLOCK, -(-size // GRANULE))
    if count < 2:
        return "", []
    per_block = -(-size // count)
    step = -(-per_block // GRANULE) * GRANULE  # rounded up to whole granules
    return axis, [(start, min(start + step, size)) for start in range(0, size, step)]


def matmul(a: Array, b: Array) -> Array:
    """``a @ b`` for 2-D ``a`` (m, k) and ``b`` (k, n): on NumPy arrays, in the blocks of
    :func:`plan` on :func:`threads` threads (bytes independent of the count); else ``a @ b``."""
    if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or a.ndim != 2 or b.ndim != 2:
        return a @ b
    (m, k), n = a.shape, b.shape[1]
    axis, blocks = plan(m, k, n)
    if not blocks:
        return a @ b
    if axis == "k":
        partials = _run(lambda block: a[:, block[0] : block[1]] @ b[block[0] : block[1]], blocks)
        out = partials[0]
        for partial in partials[1:]:  # in block order: a fixed order of the sums
            out += partial
        return out
    out = np.empty((m, n), dtype=np.result_type(a, b))
    if axis == "n":

        def task(block: tuple[int, int]) -> None:
            np.matmul(a, b[:, block[0] : block[1]], out=out[:, block[0] : block[1]])

    else:

        def task(block: tuple[int, int]) -> None:
            np.matmul(a[block[0] : block[1]], b, out=out[block[0] : block[1]])

    _run(task, blocks)
    return out


def slabs(rows: int, values: int) -> list[tuple[int, int]]:
    """The slabs ``[(start, stop), ...]`` that a pass over ``rows`` independent rows of
    ``values`` values in all is cut into: equal runs of rows, by the shape only."""
    count = min(MAX_BLOCKS, rows, values // MIN_SLAB)
    if count < 2:
        return [(0, rows)]
    step = -(-rows // count)
    return [(start, min(start + step, rows)) for start in range(0, rows, step)]


def for_slabs(array: Array, task: Callable[[int, int], None]) -> None:
    """``task(start, stop)`` for each slab of :func:`slabs` along the first axis of ``array``
    (NumPy), on :func:`threads` threads; once for all rows for other libraries' arrays. Each
    call must write only its own rows' results."""
    if not isinstance(array, np.ndarray):
        task(0, array.shape[0])
        return
    blocks = slabs(array.shape[0], array.size)
    if len(blocks) == 1:
        task(*blocks[0])
        return
    _run(lambda block: task(*block), blocks)
