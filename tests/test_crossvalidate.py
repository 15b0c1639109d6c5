"""Cross-validation: stratified folds, the summary and its interval, the backends (joblib
processes and a Dask cluster give byte-identical figures) and the errors raised before work."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
from scipy import stats

from signnet.data.stratify import StratifyError, stratified_folds
from signnet.errors import SignnetError
from signnet.params import ParamError
from signnet.pipeline import crossvalidate
from signnet.pipeline.crossvalidate import (
    HEADLINE,
    SCHEDULER_VARIABLE,
    cross_validate,
    summarise,
)
from tests.conftest import REPO, repo_params


def test_folds_partition_the_data_and_keep_each_class_balanced():
    labels = np.repeat([0, 1, 2], [10, 7, 13])
    folds = stratified_folds(labels, [0, 1, 2], 5, seed=3)
    joined = np.concatenate(folds)
    assert sorted(joined) == list(range(len(labels)))  # every sample tested exactly once
    for c, size in enumerate((10, 7, 13)):
        per_fold = [int(np.sum(labels[f] == c)) for f in folds]
        assert max(per_fold) - min(per_fold) <= 1 and sum(per_fold) == size
    sizes = [len(f) for f in folds]
    assert max(sizes) - min(sizes) <= 1
    assert all(np.all(np.diff(f) > 0) for f in folds)  # sorted, in data order
    again = stratified_folds(labels, [0, 1, 2], 5, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(folds, again, strict=True))
    other = stratified_folds(labels, [0, 1, 2], 5, seed=4)
    assert not all(np.array_equal(a, b) for a, b in zip(folds, other, strict=True))


def test_more_folds_than_the_smallest_class_is_refused():
    labels = np.repeat([0, 1], [10, 3])
    with pytest.raises(StratifyError, match="digit 8 has only 3 sample.*at most 3 folds"):
        stratified_folds(labels, [6, 8], 4, seed=0)


def test_summary_gives_mean_std_extremes_and_the_corrected_t_interval():
    accuracies = [0.9, 0.95, 0.85, 1.0, 0.9]
    records = [
        {
            "accuracy": a,
            "balanced_accuracy": a,
            "log_loss": 1 - a,
            "test_images": 20,
            "train_images": 80,
        }
        for a in accuracies
    ]
    summary = summarise(records)
    mean, std = np.mean(accuracies), np.std(accuracies, ddof=1)
    assert summary["accuracy_mean"] == pytest.approx(mean, abs=1e-6)
    assert summary["accuracy_std"] == pytest.approx(std, abs=1e-6)
    assert (summary["accuracy_min"], summary["accuracy_max"]) == (0.85, 1.0)
    # Nadeau and Bengio: variance of the mean std^2 (1/k + n_test/n_train), t with k-1 dof.
    half = stats.t.ppf(0.975, 4) * std * math.sqrt(1 / 5 + 20 / 80)
    assert summary["accuracy_ci95_low"] == pytest.approx(mean - half, abs=1e-6)
    assert summary["accuracy_ci95_high"] == pytest.approx(min(1.0, mean + half), abs=1e-6)
    assert set(HEADLINE.values()) <= set(summary)


@pytest.fixture
def dataset():
    """Three separable classes of 9 x 9 photos: a bright band at a class's own rows."""
    rng = np.random.default_rng(0)
    images, labels = [], []
    for c in range(3):
        for _ in range(12):
            photo = rng.integers(0, 80, (9, 9))
            photo[3 * c : 3 * c + 3, :] += 150
            images.append(photo)
            labels.append(c)
    n = len(labels)
    return {
        "images": np.array(images, dtype=np.uint8),
        "labels": np.array(labels, dtype=np.int64),
        "digits": np.array(labels, dtype=np.int64),
        "files": np.array([f"p{i}.jpg" for i in range(n)]),
        "classes": np.arange(3, dtype=np.int64),
    }


def run(dataset, on_fold=lambda name, record: None, **cv):
    params = repo_params(
        model={"hidden": [8]}, train={"epochs": 5, "batch_size": 8}, cv={"folds": 3} | cv
    )
    return cross_validate({"data": dataset}, params, on_fold)["data"]


def test_each_fold_is_trained_and_scored_on_its_own_parts(dataset):
    result = run(dataset, workers=1)
    assert [r["fold"] for r in result["folds"]] == [1, 2, 3]
    assert sum(r["test_images"] for r in result["folds"]) == 36
    assert all(r["train_images"] + r["test_images"] == 36 for r in result["folds"])
    assert all(r["epochs"] == 5 for r in result["folds"])
    assert result["summary"]["accuracy_mean"] > 0.9  # the classes are easy to tell apart


def test_cross_validation_off_with_one_fold(dataset):
    assert run(dataset, folds=1) == {"folds": [], "summary": {}}


def test_results_are_byte_identical_with_one_or_two_process_workers(dataset):
    one = json.dumps(run(dataset, workers=1))
    reported = []  # each fold as it finishes, in whatever order the two workers end them
    assert json.dumps(run(dataset, lambda name, r: reported.append(r), workers=2)) == one
    assert sorted(r["fold"] for r in reported) == [1, 2, 3]


@pytest.fixture
def environment():
    """Restores os.environ afterwards: starting a Dask cluster sets OPENBLAS_NUM_THREADS=1 (and
    more) in this process, which would change what later tests' subprocesses compute."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_results_are_byte_identical_on_a_local_dask_cluster(dataset, monkeypatch, environment):
    distributed = pytest.importorskip("dask.distributed")
    expected = json.dumps(run(dataset, workers=1))
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        assert json.dumps(run(dataset, scheduler=cluster.scheduler_address)) == expected
        monkeypatch.setenv(SCHEDULER_VARIABLE, cluster.scheduler_address)
        assert json.dumps(run(dataset)) == expected  # the address from the environment


def test_a_dask_worker_on_another_kernel_is_a_warning_naming_it(dataset, caplog, environment):
    distributed = pytest.importorskip("dask.distributed")
    from signnet import cpu

    # Workers started with another kernel, as on a machine whose workers compute otherwise
    # (two: on a cluster of one worker thread, joblib runs the tasks in this process).
    os.environ[cpu.KERNEL_OVERRIDE] = os.environ[cpu.CORETYPE] = "Sandybridge"
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.wait_for_workers(2)  # started: the variables are in their environment
        del os.environ[cpu.KERNEL_OVERRIDE]  # while here the contract's kernel is expected
        with caplog.at_level("WARNING", logger="signnet"):
            run(dataset, scheduler=cluster.scheduler_address)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 3, warnings  # one per fold, each run where the fold ran
    assert all("BLAS openblas" in w and "Sandybridge, not openblas" in w for w in warnings)
    # Each names its fold; they come as the folds finish, in any order.
    assert sorted(w.split(":")[0] for w in warnings) == [f"fold {k} of data" for k in (1, 2, 3)]
    assert all(
        w.split(": ", 1)[1].startswith("this machine computes vecdot float32") for w in warnings
    )


def test_too_many_folds_is_a_param_error_before_training(dataset):
    with pytest.raises(ParamError, match=r"cv\.folds = 13 does not fit: 13 folds: digit 0"):
        run(dataset, folds=13)


@pytest.mark.parametrize("workers", [0, -2])
def test_a_worker_count_below_one_is_refused(workers):
    with pytest.raises(ParamError, match=rf"cv\.workers = {workers} .*an integer from 1 to 256"):
        repo_params(cv={"workers": workers})


def test_an_unreachable_scheduler_is_an_error_naming_the_key(dataset, monkeypatch):
    pytest.importorskip("dask.distributed")
    monkeypatch.setattr("signnet.pipeline.crossvalidate.CONNECT_TIMEOUT", 1)
    named = r"cv\.scheduler = 'tcp://127\.0\.0\.1:9' cannot be"
    with pytest.raises(ParamError, match=named) as raised:
        run(dataset, scheduler="tcp://127.0.0.1:9")
    assert "leave cv.scheduler null to run here" in str(raised.value)
    monkeypatch.setenv(SCHEDULER_VARIABLE, "tcp://127.0.0.1:9")
    with pytest.raises(SignnetError, match=f"environment variable {SCHEDULER_VARIABLE}") as raised:
        run(dataset)
    # the hint fits: cv.scheduler is already null, the variable is what to change
    assert f"unset {SCHEDULER_VARIABLE} to run here (cv.scheduler is null)" in str(raised.value)
    assert "leave cv.scheduler null" not in str(raised.value)


@pytest.fixture
def not_dask():
    """TCP servers on this machine that are not Dask schedulers: one that accepts and says
    nothing, one that answers as an HTTP server would."""
    import socket
    import threading

    servers, stop = {}, threading.Event()

    def serve(listener, reply):
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            if reply:
                conn.recv(1024)
                conn.sendall(reply)
            servers.setdefault("open", []).append(conn)

    for name, reply in (("silent", b""), ("http", b"HTTP/1.1 400 Bad Request\r\n\r\n")):
        listener = socket.create_server(("127.0.0.1", 0))
        servers[name] = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
        threading.Thread(target=serve, args=(listener, reply), daemon=True).start()
    yield servers
    stop.set()


@pytest.mark.parametrize(
    ("server", "problem"),
    [("silent", "no answer within 1 s"), ("http", "does not speak Dask's protocol")],
)
def test_a_service_that_is_not_dask_fails_within_the_timeout(
    dataset, monkeypatch, not_dask, server, problem
):
    pytest.importorskip("dask.distributed")
    import time

    monkeypatch.setattr("signnet.pipeline.crossvalidate.CONNECT_TIMEOUT", 1)
    started = time.monotonic()
    with pytest.raises(
        ParamError, match=f"cv.scheduler = '{not_dask[server]}' cannot be used .*{problem}"
    ):
        run(dataset, scheduler=not_dask[server])
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("address", ["tcp://nonsense:::1", "http"])
def test_the_message_is_the_last_thing_printed(not_dask, address):
    """No trace after the message (a half-made Dask client used to time out at exit, 20 s
    later, with an 'Exception ignored' trace)."""
    pytest.importorskip("dask.distributed")
    import subprocess
    import sys
    import time

    address = not_dask.get(address, address)
    code = (
        "from signnet.pipeline.crossvalidate import fold_backend\n"
        "from tests.conftest import repo_params\n"
        f"with fold_backend(repo_params(cv={{'scheduler': {address!r}}}).cv, 5): pass\n"
    )
    started = time.monotonic()
    run_ = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO
    )
    assert time.monotonic() - started < 15
    assert run_.returncode == 1
    last = run_.stderr.strip().splitlines()[-1]
    assert f"cv.scheduler = '{address}' cannot be used" in last
    assert "Exception ignored" not in run_.stderr


@pytest.mark.parametrize(
    ("workers", "tasks", "expected"), [(None, 5, 5), (None, 8, 8), (None, 9, 2), (3, 5, 3)]
)
def test_folds_share_the_cores_in_one_round_unless_there_are_many(
    monkeypatch, workers, tasks, expected
):
    monkeypatch.setattr(crossvalidate.joblib, "cpu_count", lambda: 2)
    assert crossvalidate.local_workers(repo_params(cv={"workers": workers}).cv, tasks) == expected
