"""What every stage script shares: the environment line in the log and errors as messages."""

from signnet.cpu import blas_kernel, numpy_blas, numpy_dispatch

import logging
import platform

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from signnet.artifacts import atomic_directory
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


@pytest.mark.parametrize(
    ("failure", "status", "said"),
    [
        (OSError(28, "No space left on device", "model.npz"), 1, "model.npz: No space left"),
        (PermissionError(13, "Permission denied", "/ro/out.npz"), 1, "/ro/out.npz: Permission"),
        (KeyboardInterrupt(), 130, "interrupted; the stage left none of its outputs"),
        (MemoryError(), 1, "out of memory; the stage left none of its outputs"),
        (SignnetError("params: x is wrong"), 1, "params: x is wrong"),
    ],
)
def test_a_failed_stage_is_one_line_and_leaves_none_of_its_outputs(
    tmp_path, capsys, failure, status, said
):
    from signnet.artifacts import save_json, write_bytes

    first, folder_output = tmp_path / "first.json", tmp_path / "figures"

    def stage(argv):
        save_json(first, {"written": True})  # one output complete ...
        with atomic_directory(folder_output) as folder:
            (folder / "a.png").write_bytes(b"png")
        write_bytes(tmp_path / "second.bin", b"x")
        raise failure  # ... then the failure

    with pytest.raises(SystemExit) as exited:
        run_stage(stage, [])
    assert exited.value.code == status
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: ") and said in err[-1] and len(err) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing left, no temporary
