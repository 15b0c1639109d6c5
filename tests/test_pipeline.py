"""The pipeline run by DVC in a temporary copy of the repo, on the real mirror."""

import csv
import hashlib
import io
import json
import os
import shlex
import subprocess
import sys

import numpy as np
import pytest

from signnet.artifacts import load_npz
from signnet.modelfile import load_model
from tests.conftest import REPO, copy_repo


def run_dvc(repo, *args, env):
    return subprocess.run(
        [sys.executable, "-m", "dvc", *args], cwd=repo, env=env, capture_output=True, text=True
    )


def dvc(repo, *args, env):
    result = run_dvc(repo, *args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def digests(repo):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (repo / "data").glob("*.np*")
    }


@pytest.fixture
def env(tmp_path):
    # The stages import signnet from the copy, and find no data cache of the user's.
    return {
        **os.environ,
        "SIGNNET_DATA": str(tmp_path / "cache"),
        "PYTHONPATH": str(tmp_path / "repo" / "src"),
    }


@pytest.mark.mirror
def test_download_filter_split_on_the_real_mirror(tmp_path, env):
    repo = copy_repo(tmp_path / "repo")
    out = dvc(repo, "repro", "split", env=env)
    for stage in ("download", "filter", "split"):
        assert f"Running stage '{stage}'" in out
    filtered = load_npz(repo / "data" / "filtered.npz")
    assert len(filtered["digits"]) == 415
    assert np.bincount(filtered["digits"], minlength=10)[[6, 8]].tolist() == [207, 208]
    train, test = load_npz(repo / "data" / "train.npz"), load_npz(repo / "data" / "test.npz")
    assert (len(train["labels"]), len(test["labels"])) == (332, 83)
    assert np.bincount(test["labels"]).tolist() == [41, 42]  # 207:208 kept
    assert not set(train["files"]) & set(test["files"])
    assert not (tmp_path / "cache").exists()  # found in the mirror, nothing downloaded

    assert "x" not in train  # the images, not a second copy of the pixels
    preprocessing = load_npz(repo / "data" / "preprocessing.npz")
    assert str(preprocessing["scaling"]) == "standardize" and int(preprocessing["image_size"]) == 28
    first = digests(repo)
    assert "Running stage" not in dvc(repo, "repro", "split", env=env)
    dvc(repo, "repro", "--force", "split", env=env)
    assert digests(repo) == first  # byte-identical on a second run

    params = (repo / "params.yaml").read_text().replace("seed: 42", "seed: 7")
    (repo / "params.yaml").write_text(params)
    out = dvc(repo, "repro", "split", env=env)
    assert "Running stage 'split'" in out
    assert "Running stage 'download'" not in out and "Running stage 'filter'" not in out


@pytest.mark.mirror
def test_bad_params_stop_the_stage_before_any_output(tmp_path, env):
    repo = copy_repo(tmp_path / "repo", {"filter": {"classes": [6, 6]}})
    result = subprocess.run(
        [sys.executable, "-m", "dvc", "repro", "filter"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "filter.classes = [6, 6] is not allowed: a list of 2 to 10 integers" in result.stderr
    assert not (repo / "data" / "filtered.npz").exists()


@pytest.mark.mirror
def test_a_typo_in_any_section_stops_the_first_stage_that_runs(tmp_path, env):
    repo = copy_repo(tmp_path / "repo", {"train": {"lrr": 0.1}})
    result = run_dvc(repo, "repro", "filter", env=env)
    assert result.returncode != 0
    assert "params: train.lrr = 0.1 is not allowed: unknown key (did you mean lr?)" in result.stderr
    assert not (repo / "data").exists()  # the download stage stopped before any work


@pytest.mark.mirror
def test_train_stage_writes_a_model_that_predicts(tmp_path, env):
    repo = copy_repo(tmp_path / "repo")
    dvc(repo, "repro", "train", env=env)
    model = load_model(repo / "models" / "model.npz")
    assert model.network.config.widths == [784, 64, 1]
    history = json.loads((repo / "models" / "history.json").read_text())
    assert [r["epoch"] for r in history] == list(range(1, 41))
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert history[-1]["test_accuracy"] >= 0.9
    assert model.training["computed_on"] == "cpu" and model.training["lr"] == 0.1
    test = load_npz(repo / "data" / "test.npz")
    predicted = model.classes[model.predict_proba(test["images"]).argmax(axis=1)]
    assert np.mean(predicted == test["digits"]) == history[-1]["test_accuracy"]
    first = (repo / "models" / "model.npz").read_bytes()
    dvc(repo, "repro", "--force", "train", env=env)
    assert (repo / "models" / "model.npz").read_bytes() == first


@pytest.mark.mirror
def test_diverging_training_writes_nothing(tmp_path, env):
    diverging = {"activation": "relu", "hidden": [16]}
    repo = copy_repo(tmp_path / "repo", {"model": diverging, "train": {"lr": 1e8, "epochs": 5}})
    result = run_dvc(repo, "repro", "train", env=env)
    assert result.returncode != 0
    assert "params: train.lr = 100000000.0 is too large here: training diverged at epoch" in (
        result.stderr
    )
    assert not (repo / "models" / "model.npz").exists()
    assert not (repo / "models" / "history.json").exists()


def tracked_outputs(repo, lock_text=None):
    """{path: md5} of every output DVC tracks, from the repo's dvc.lock (or ``lock_text``)."""
    from dvc.utils.serialize import parse_yaml

    lock = parse_yaml(lock_text or (repo / "dvc.lock").read_text(), "dvc.lock")
    return {out["path"]: out["md5"] for stage in lock["stages"].values() for out in stage["outs"]}


@pytest.mark.mirror
def test_a_fresh_clone_reproduces_the_committed_lock_then_an_experiment(tmp_path, env):
    repo = copy_repo(tmp_path / "repo")  # params.yaml and dvc.lock as committed
    committed = tracked_outputs(repo)
    out = dvc(repo, "repro", env=env)
    for stage in ("download", "filter", "split", "train", "evaluate", "report"):
        assert f"Running stage '{stage}'" in out
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    first = tracked_outputs(repo)
    changed = sorted(path for path in committed if committed[path] != first.get(path))
    assert status == "", (
        f"dvc repro changed {status.split()} and the outputs {changed}: commit the dvc.lock that "
        "dvc repro writes (outputs can differ on another CPU type: BLAS and SIMD kernels)"
    )
    dvc(repo, "repro", "--force", env=env)
    assert tracked_outputs(repo) == first  # every tracked output byte-identical on a rerun

    assert (repo / "reports" / "report.pdf").read_bytes().startswith(b"%PDF")
    metrics = json.loads((repo / "reports" / "metrics.json").read_text())
    assert metrics["test"]["accuracy"] >= 0.9
    assert "test.accuracy" in dvc(repo, "metrics", "show", env=env)

    # DVC writes 1e-05 into params.yaml; the stages read it as DVC does, as a number.
    out = dvc(repo, "exp", "run", "-S", "train.lr=1e-5", "-S", "train.epochs=2", env=env)
    ran = {
        stage
        for stage in ("download", "filter", "split", "train", "evaluate", "report")
        if f"Running stage '{stage}'" in out
    }
    assert ran == {"train", "evaluate", "report"}, out
    history = json.loads((repo / "models" / "history.json").read_text())
    assert len(history) == 2

    table = list(csv.DictReader(io.StringIO(dvc(repo, "exp", "show", "--csv", env=env))))
    runs = {(row["train.epochs"], row["train.lr"]): row for row in table}
    assert {("40", "0.1"), ("2", "1e-05")} <= set(runs), list(runs)
    assert float(runs["2", "1e-05"]["test.accuracy"]) != float(runs["40", "0.1"]["test.accuracy"])
    # The pipeline's last words: the headline figures and where the report is.
    assert "6 vs 8: test accuracy " in out and "report: reports/report.pdf" in out

    # The README's recipe shows the headline metrics and the params that changed, nothing else.
    recipe = next(
        line
        for line in (REPO / "README.md").read_text().splitlines()
        if line.startswith("dvc exp show --only-changed")
    )
    header = dvc(repo, *shlex.split(recipe)[1:], "--csv", env=env).splitlines()[0]
    assert header.split(",") == [
        "Experiment",
        "rev",
        "typ",
        "test.accuracy",
        "cv.accuracy_mean",
        "cv.accuracy_std",
        "train.lr",
        "train.epochs",
    ]

    # The plots page draws offline: no script comes from the network; dvc_plots/ is ignored.
    dvc(repo, "plots", "show", env=env)
    page = (repo / "dvc_plots" / "index.html").read_text()
    assert "<script src" not in page and "vegaEmbed" in page
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    assert "dvc_plots" not in status
