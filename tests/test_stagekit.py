"""What every stage script shares: the environment line in the log and errors as messages."""

from signnet.cpu import blas_kernel, numpy_blas, numpy_dispatch

import logging
import platform

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from signnet.errors import SignnetError
from signnet.nn.backend import BLAS_THREADS, fixed_threads
from signnet.nn.parallel import threads
from signnet.stagekit import environment, run_stage


def test_the_environment_goes_to_the_log(caplog):
    with fixed_threads():
        line = environment()
    assert f"Python {platform.python_version()}" in line and f"NumPy {np.__version__}" in line
    assert (
        f"({blas_kernel()}, {BLAS_THREADS} thread(s); {numpy_dispatch()} loops), "
        f"products on {threads()} thread(s)"
    ) in line
    with caplog.at_level(logging.INFO, logger="signnet"):
        run_stage(lambda argv: None, [])
    assert f"environment: {line}" in caplog.text


def test_a_stage_computes_on_the_fixed_thread_count_whatever_the_machine():
    seen = []

    def main(argv):
        seen.append(numpy_blas()["num_threads"])

    with threadpool_limits(limits=2):  # as OpenBLAS starts on two cores
        run_stage(main, [])
        assert numpy_blas()["num_threads"] == 2  # and as it is again afterwards
    assert seen == [BLAS_THREADS]


def test_a_signnet_error_is_a_message_and_exit_1(capsys):
    def main(argv):
        raise SignnetError("train.lr: 'fast' is not a number")

    with pytest.raises(SystemExit) as exit_:
        run_stage(main, [])
    assert exit_.value.code == 1
    assert capsys.readouterr().err == "error: train.lr: 'fast' is not a number\n"
