"""What every stage entry script shares: logging set-up and turning bad input into a message."""

from __future__ import annotations

import logging
import platform
import sys
from collections.abc import Callable

from signnet.errors import SignnetError
from signnet.nn.backend import fixed_threads

log = logging.getLogger("signnet.stage")


def numpy_blas() -> dict | None:
    """NumPy's BLAS as threadpoolctl describes it (``internal_api``, ``version``,
    ``architecture``: the kernel set it chose for this CPU, ``num_threads``), or None."""
    from threadpoolctl import threadpool_info

    libraries = [i for i in threadpool_info() if i["user_api"] == "blas"]
    # NumPy's own BLAS first (SciPy may load another copy).
    libraries.sort(key=lambda i: "numpy" not in i["filepath"])
    return libraries[0] if libraries else None


def blas_kernel() -> str:
    """``<library> <version> <kernel>`` of NumPy's BLAS, e.g. ``openblas 0.3.31.188.0 Haswell``:
    what decides the last bits of a product on this machine, besides the thread count."""
    blas = numpy_blas()
    if blas is None:
        return "no BLAS found"
    return f"{blas['internal_api']} {blas['version']} {blas.get('architecture') or 'unknown'}"


def environment() -> str:
    """One line on what runs the stage: Python, NumPy and its BLAS, the OS and the CPU. It goes
    to the log, never into an artifact (two machines that compute the same bytes differ here)."""
    import numpy as np

    blas = numpy_blas()
    threads = f", {blas['num_threads']} thread(s)" if blas else ""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return (
        f"Python {platform.python_version()}, NumPy {np.__version__} ({blas_kernel()}{threads}), "
        f"{platform.system()} {platform.release()}, {cpu}"
    )


def run_stage(main: Callable[[list[str]], None], argv: list[str] | None = None) -> None:
    """Call ``main(argv)`` on the fixed BLAS thread count (:func:`fixed_threads`); a
    :class:`SignnetError` prints ``error: <message>`` and exits 1."""
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    logging.getLogger("signnet").setLevel(logging.INFO)  # our progress; libraries stay quiet
    with fixed_threads():
        log.info("environment: %s", environment())
        try:
            main(sys.argv[1:] if argv is None else argv)
        except SignnetError as error:
            print(f"error: {error}", file=sys.stderr)
            raise SystemExit(1) from None
