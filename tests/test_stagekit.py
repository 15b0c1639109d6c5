"""What every stage script shares: the environment line in the log and errors as messages."""

import logging
import platform

import numpy as np
import pytest

from signnet.errors import SignnetError
from signnet.stagekit import environment, run_stage


def test_the_environment_goes_to_the_log(caplog):
    line = environment()
    assert f"Python {platform.python_version()}" in line and f"NumPy {np.__version__}" in line
    with caplog.at_level(logging.INFO, logger="signnet"):
        run_stage(lambda argv: None, [])
    assert f"environment: {line}" in caplog.text


def test_a_signnet_error_is_a_message_and_exit_1(capsys):
    def main(argv):
        raise SignnetError("train.lr: 'fast' is not a number")

    with pytest.raises(SystemExit) as exit_:
        run_stage(main, [])
    assert exit_.value.code == 1
    assert capsys.readouterr().err == "error: train.lr: 'fast' is not a number\n"
