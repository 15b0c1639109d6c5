"""What every stage entry script shares: logging set-up and turning bad input into a message."""

from __future__ import annotations

from signnet.cpu import blas_kernel, cpu_model, numpy_blas, numpy_dispatch

import logging
import platform
import sys
from collections.abc import Callable

from signnet import canary
from signnet.artifacts import all_or_nothing
from signnet.errors import INTERRUPTED, SignnetError
from signnet.nn.backend import fixed_threads
from signnet.nn.parallel import threads

log = logging.getLogger("signnet.stage")


def environment() -> str:
    """One line on what runs the stage: Python, NumPy and its BLAS (kernel, BLAS threads, and the
    threads that share a product's blocks), NumPy's SIMD dispatch, the OS and the CPU. It goes
    to the log, never into an artifact (two machines that compute the same bytes differ here)."""
    import numpy as np

    blas = numpy_blas()
    counts = f", {blas['num_threads']} thread(s)" if blas else ""
    return (
        f"Python {platform.python_version()}, NumPy {np.__version__} ({blas_kernel()}{counts}; "
        f"{numpy_dispatch()} loops), products on {threads()} thread(s), {platform.system()} "
        f"{platform.release()}, {cpu_model()}"
    )


def run_stage(main: Callable[[list[str]], None], argv: list[str] | None = None) -> None:
    """Call ``main(argv)`` on the fixed BLAS thread count (:func:`fixed_threads`), after logging
    the environment and a warning if this machine computes otherwise than the one that wrote the
    committed results (:func:`signnet.canary.check`: the operations that differ, and the pins
    of :mod:`signnet.cpu` that do not hold). Every output written is removed again if the stage
    fails (:func:`signnet.artifacts.all_or_nothing`), and a failure is one line, ``error:
    <message>``, never a traceback: a :class:`SignnetError` (exit 1), Ctrl-C (130), running out
    of memory (1), a full disk or a folder it may not write (1)."""
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    logging.getLogger("signnet").setLevel(logging.INFO)  # our progress; libraries stay quiet
    with fixed_threads():
        try:
            log.info("environment: %s", environment())
            if warning := canary.check().warning():
                log.warning("%s", warning)
            with all_or_nothing():
                main(sys.argv[1:] if argv is None else argv)
        except SignnetError as error:
            _fail(str(error), 1)
        except KeyboardInterrupt:
            _fail(
                "interrupted; the stage left none of its outputs (run it again: dvc repro)",
                INTERRUPTED,
            )
        except MemoryError:
            _fail(
                "out of memory; the stage left none of its outputs (free memory, or choose a "
                "smaller network, batch_size or download.image_size)",
                1,
            )
        except OSError as error:  # a full disk, a folder it may not write, ...
            where = f"{error.filename}: " if error.filename else ""
            _fail(
                f"{where}{error.strerror or error}; the stage left none of its outputs (free "
                "some space, or make the folder writable, then run it again)",
                1,
            )


def _fail(message: str, status: int) -> None:
    """Print ``error: <message>`` (one line, no traceback) and exit with ``status``."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(status)
