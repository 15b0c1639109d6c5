"""The canary: this machine computes the committed fingerprints; another kernel, NumPy's own
widest loops or loops below the floor are each caught and named, by the stages' warning and by
``signnet doctor``."""

import signnet.cpu  # noqa: F401  (first, as in every process that computes a kept result)

import copy
import logging
import subprocess
import sys

import pytest

from signnet import canary, cpu
from signnet.nn.parallel import using_threads
from signnet.stagekit import run_stage
from tests.conftest import REPO
from tests.test_cpu import at_floor, clean_environment, machine_targets


def doctor(**settings: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "signnet.cli", "doctor"],
        env=clean_environment(**settings),
        cwd=REPO,
        capture_output=True,
        text=True,
    )


@at_floor
def test_this_machine_computes_the_committed_canary():
    verdict = canary.check()
    assert verdict.differing == [], (
        f"this machine computes {verdict.differing} otherwise than src/signnet/canary.json "
        f"records ({verdict._versus()}; pins: {verdict.pin or 'hold'}): either this machine's "
        "libraries differ from requirements.lock's, or a change altered the numerics (then "
        "rerun the pipeline and `python tools/canary.py` on a machine at the floor, and commit "
        "both)"
    )
    assert verdict.warning() is None


def test_the_canary_goes_through_every_committed_operation_and_ignores_the_thread_count():
    with using_threads(1):
        one = canary.compute()
    with using_threads(3):
        three = canary.compute()
    assert one == three
    assert list(one) == list(canary.reference()["operations"])


@at_floor
def test_another_kernel_is_caught_in_the_products_and_named():
    done = doctor(**{cpu.KERNEL_OVERRIDE: "Sandybridge"})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "differing: vecdot float32, matmul float32" in done.stdout
    assert "blocked matmul (summed side cut) float64" in " ".join(done.stdout.split())
    assert "BLAS:           openblas" in done.stdout and "Sandybridge" in done.stdout
    assert "as asked on purpose: SIGNNET_OPENBLAS_CORETYPE=Sandybridge" in done.stdout
    assert "`dvc repro` will change models/model.npz" in done.stdout.replace("\n", " ")


@at_floor
def test_loops_below_the_floor_are_caught_and_the_failed_pin_named():
    done = doctor(**{cpu.DISABLE: "X86_V3"})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "tanh float64" in done.stdout and "exp float32" in done.stdout
    assert "NumPy's loops are X86_V2, not X86_V3 (x86-64-v3)" in done.stdout


@at_floor
def test_numpys_own_avx512_loops_are_caught():
    targets = machine_targets()
    if targets[-1] == cpu.FLOOR:
        pytest.skip("this CPU has no NumPy dispatch target above x86-64-v3 (no AVX-512)")
    done = doctor(**{cpu.DISPATCH_OVERRIDE: "native"})
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"its {targets[-1]} loops (contract: X86_V3)" in done.stdout
    assert "exp float64" in done.stdout and "log1p float64" in done.stdout


@at_floor
def test_doctor_on_a_machine_that_reproduces():
    done = doctor()
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("signnet:")
    assert any(line.startswith("pins:") and line.endswith("both hold") for line in lines)
    count = len(canary.reference()["operations"])
    assert f"canary:         {count} of {count} operations as committed" in lines
    assert "should reproduce the committed dvc.lock byte for byte" in " ".join(done.stdout.split())
    assert max(map(len, lines)) <= 100


def verdict_with(differing: list[str], pin: str | None = None, **setup: str) -> canary.Verdict:
    committed = canary.reference()
    here = copy.deepcopy(committed) | setup
    for op in differing:
        here["operations"][op] = "0" * 16
    return canary.Verdict(here, committed, pin)


def test_the_warning_names_the_operations_the_setup_and_the_outputs():
    assert verdict_with([]).warning() is None
    warning = verdict_with(["exp float64", "log float64"], dispatch="AVX512_ICL").warning()
    assert warning.startswith("this machine computes exp float64, log float64 otherwise")
    assert "NumPy's loops AVX512_ICL, not X86_V3" in warning
    assert "models/model.npz" in warning and "reports/metrics.json" in warning
    many = list(canary.reference()["operations"])[:9]
    assert "and 3 more" in verdict_with(many).warning()
    # pins that do not hold where the bytes are still the same: said, softly
    soft = verdict_with([], pin="NumPy's loops are X86_V4, not X86_V3").warning()
    assert soft.startswith("NumPy's loops are X86_V4, not X86_V3; this machine still computes")
    assert "should still reproduce" in soft and "`signnet doctor` says more" in soft


def test_a_missing_reference_is_a_warning_saying_what_to_do(monkeypatch, capsys):
    from signnet import cli

    monkeypatch.setattr(canary, "reference", lambda: None)
    verdict = canary.check()
    assert not verdict.reproduces and verdict.differing == []
    assert verdict.warning().startswith("no committed canary could be read (canary.json")
    assert "reinstall signnet" in verdict.warning()
    assert cli.main(["doctor"]) == 1
    assert "whether this machine computes the committed results is unknown" in " ".join(
        capsys.readouterr().out.split()
    )


def test_each_stage_logs_the_canarys_warning(monkeypatch, caplog):
    monkeypatch.setattr(canary, "check", lambda: verdict_with(["matmul float64"]))
    with caplog.at_level(logging.WARNING, logger="signnet"):
        run_stage(lambda argv: None, [])
    assert "this machine computes matmul float64 otherwise" in caplog.text


def test_the_reference_records_both_pins_and_ships_as_package_data():
    import tomllib

    package_data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert canary.REFERENCE in package_data["package-data"]["signnet"]
    committed = canary.reference()
    assert set(committed) == {"numpy", "blas", "dispatch", "libc", "operations"}
    assert committed["dispatch"] == cpu.FLOOR and committed["blas"].endswith(f" {cpu.KERNEL}")
