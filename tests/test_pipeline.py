"""The pipeline run by DVC in a temporary copy of the repo, on the real mirror."""

from signnet.cpu import DISABLE, DISPATCH_OVERRIDE, FLOOR, KERNEL_OVERRIDE, blas_kernel

import csv
import hashlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from signnet import canary
from signnet.artifacts import load_npz
from signnet.canary import IN_GIT, KERNEL_BOUND
from signnet.modelfile import load_model
from signnet.params import read_yaml
from tests.conftest import MIRROR, REPO, copy_repo


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
    # Found in the mirror, nothing downloaded; a verified copy kept for DVC's experiment copies.
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [next(MIRROR.glob("*.zip")).name]

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


def git_status(repo):
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def clone_committed(destination: Path) -> Path:
    """A clone of this repository's last commit (not the working tree), with ``shared`` beside
    it linked to the real one, as a user's fresh clone."""
    subprocess.run(["git", "clone", "-q", str(REPO), str(destination)], check=True)
    shared = destination.parent / "shared"
    if not shared.exists():
        shared.symlink_to(REPO.parent / "shared", target_is_directory=True)
    return destination


def another_kernel(kernel: str) -> str:
    """An OpenBLAS core type other than ``kernel`` that every x86-64 CPU with AVX can run."""
    return "Sandybridge" if kernel.split()[-1] != "Sandybridge" else "Haswell"


@pytest.mark.mirror
def test_a_fresh_clone_reproduces_the_committed_lock_on_any_thread_count_and_kernel(tmp_path, env):
    repo = clone_committed(tmp_path / "repo")  # params.yaml and dvc.lock as committed
    committed = tracked_outputs(repo)
    out = dvc(repo, "repro", env=env)
    for stage in ("download", "filter", "split", "train", "evaluate", "crossvalidate", "report"):
        assert f"Running stage '{stage}'" in out
    first = tracked_outputs(repo)
    changed = {path for path in committed if committed[path] != first.get(path)}
    assert not changed - set(KERNEL_BOUND), (
        f"dvc repro changed {sorted(changed - set(KERNEL_BOUND))}, which no CPU changes: the "
        "committed dvc.lock is not what the committed code and params write (rerun dvc repro "
        "and commit dvc.lock)"
    )
    assert not any(path in git_status(repo) for path in IN_GIT), git_status(repo)
    verdict = canary.check()  # this process computes as the stages do (signnet imported first)
    if verdict.reproduces:
        assert git_status(repo) == "", (
            f"dvc repro changed {sorted(changed)} on a machine that computes the committed "
            "canary: the committed dvc.lock is not what the committed code writes on the "
            "contract's machine (rerun dvc repro and commit dvc.lock)"
        )
    # else: a machine outside the contract (the canary names what differs); only the
    # kernel-bound outputs may differ, as asserted above

    # The thread count does not matter: one BLAS thread (a one-core container), the products
    # on one thread or on three (more than this machine's cores).
    for threads in ("1", "3"):
        setting = {"OPENBLAS_NUM_THREADS": "1", "SIGNNET_THREADS": threads}
        result = run_dvc(repo, "repro", "--force", env=env | setting)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"products on {threads} thread(s)" in result.stderr
        assert tracked_outputs(repo) == first, f"SIGNNET_THREADS={threads} changed outputs"

    # Another CPU type's choices in the environment, as on a machine whose OpenBLAS would pick
    # another kernel and whose NumPy has only AVX2's loops: signnet's pins hold, nothing changes.
    here = blas_kernel()
    other = another_kernel(here)
    simulated = {"OPENBLAS_CORETYPE": other, DISABLE: "X86_V4 AVX512_ICL"}
    result = run_dvc(repo, "repro", "--force", env=env | simulated)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{here}, 1 thread(s); {FLOOR} loops" in result.stderr
    if verdict.reproduces:
        assert "warning" not in result.stderr.lower(), result.stderr
    assert tracked_outputs(repo) == first

    # Another kernel and NumPy's own widest loops on purpose (as where neither pin can hold):
    # the trained weights' last bits change, the metrics kept in git do not.
    metrics = {path: (repo / path).read_bytes() for path in IN_GIT}
    unpinned = {KERNEL_OVERRIDE: other, DISPATCH_OVERRIDE: "native"}
    result = run_dvc(repo, "repro", "--force", env=env | unpinned)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{other}, 1 thread(s)" in result.stderr  # the stages ran on that kernel, one thread
    assert "this machine computes" in result.stderr  # the canary's warning, in every stage
    second = tracked_outputs(repo)
    assert {path for path in first if first[path] != second[path]} <= set(KERNEL_BOUND)
    assert {path: (repo / path).read_bytes() for path in IN_GIT} == metrics


def test_the_reproducibility_page_names_the_kernel_bound_outputs():
    contract = (REPO / "docs" / "reproducibility.md").read_text()
    for path in KERNEL_BOUND + IN_GIT:
        assert f"`{path}`" in contract, path


@pytest.mark.mirror
def test_every_dvc_command_a_user_runs_works_on_a_fresh_clone(tmp_path, env):
    repo = copy_repo(tmp_path / "repo")
    dvc(repo, "repro", env=env)
    assert "Data and pipelines are up to date." in dvc(repo, "status", env=env)
    dvc(repo, "checkout", env=env)
    assert git_status(repo) == ""
    assert "Running stage" not in dvc(repo, "repro", env=env)

    # `dvc metrics show` fits a 100-column terminal; no metric is named like a param.
    shown = dvc(repo, "metrics", "show", env=env | {"COLUMNS": "100"})
    assert max(map(len, shown.splitlines())) <= 100, shown
    assert "test.accuracy" in shown and "cv.accuracy" in shown
    params = read_yaml(repo / "params.yaml")
    for path in IN_GIT:
        for section, figures in json.loads((repo / path).read_text()).items():
            assert not set(figures) & set(params.get(section, {})), (path, section)

    # Push to a local remote, pull into a second clone: nothing to train, predict works there.
    dvc(repo, "remote", "add", "-d", "local", str(tmp_path / "remote"), env=env)
    commit(repo, "remote")
    dvc(repo, "push", env=env)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    dvc(clone, "pull", env=env)
    assert "Data and pipelines are up to date." in dvc(clone, "status", env=env)
    assert "Running stage" not in dvc(clone, "repro", env=env)
    photo = tmp_path / "photo.jpg"
    with zipfile.ZipFile(next(MIRROR.glob("*.zip"))) as archive:
        name = next(n for n in archive.namelist() if "/Dataset/8/" in n and n.endswith(".JPG"))
        photo.write_bytes(archive.read(name))
    predicted = subprocess.run(
        [sys.executable, "-m", "signnet.cli", "predict", str(clone / "models/model.npz"), photo],
        env=env,
        capture_output=True,
        text=True,
    )
    assert predicted.returncode == 0, predicted.stderr
    assert predicted.stdout.startswith(f"{photo}\t8\t")
    # What the network looks at in the real photo: its PNG; a FIFO and a folder are named.
    fifo = tmp_path / "fifo.jpg"
    os.mkfifo(fifo)
    explained = subprocess.run(
        [sys.executable, "-m", "signnet.cli", "explain", str(clone / "models/model.npz")]
        + [str(photo), str(fifo), str(tmp_path), "-o", str(tmp_path / "explained")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert explained.returncode == 1, explained.stderr
    png = tmp_path / "explained" / "photo.png"
    assert explained.stdout == f"{photo}\t8\t{predicted.stdout.split()[2]}\t{png}\n"
    assert png.read_bytes().startswith(b"\x89PNG")
    assert f"{fifo}: is a FIFO (named pipe)" in explained.stderr
    assert f"{tmp_path}: is a directory" in explained.stderr

    # Experiments: in the workspace, in a temporary copy, and queued (a new image size reruns the
    # download stage in DVC's copy under .dvc/tmp/exps/, where ../shared is not beside it).
    out = dvc(
        repo, "exp", "run", "-n", "short", "-S", "train.lr=1e-5", "-S", "train.epochs=2", env=env
    )
    ran = {s for s in ("download", "filter", "split", "train") if f"Running stage '{s}'" in out}
    assert ran == {"train"}, out  # DVC writes 1e-05 into params.yaml; the stages read a number
    assert len(json.loads((repo / "models" / "history.json").read_text())) == 2
    subprocess.run(["git", "checkout", "params.yaml"], cwd=repo, check=True)
    dvc(repo, "exp", "run", "--temp", "-n", "slower", "-S", "train.lr=0.05", env=env)
    shutil.rmtree(tmp_path / "cache")  # the photos must come from the mirror, found from there
    dvc(repo, "exp", "run", "--queue", "-n", "size32", "-S", "download.image_size=32", env=env)
    # A grid, as the experiments page sweeps: one queued experiment per value, two at a time.
    queued = dvc(repo, "exp", "run", "--queue", "-S", "train.epochs=2,3", env=env)
    assert queued.count("Queued experiment") == 2, queued
    dvc(repo, "queue", "start", "-j", "2", env=env)
    wait_for_the_queue(repo, env)
    table = list(csv.DictReader(io.StringIO(dvc(repo, "exp", "show", "--csv", env=env))))
    runs = {row["Experiment"]: row for row in table if row["Experiment"]}
    assert {"short", "slower", "size32"} <= set(runs), list(runs)
    grid = [name for name in runs if name not in ("short", "slower", "size32")]
    swept = [runs[name] for name in grid]
    assert sorted(r["train.epochs"] for r in swept) == ["2", "3"], swept
    assert all(r["test.accuracy"] and r["cv.accuracy"] for r in swept), swept
    assert runs["size32"]["download.image_size"] == "32" and runs["size32"]["test.accuracy"]
    assert runs["slower"]["train.lr"] == "0.05" and runs["slower"]["cv.accuracy"]

    # Compare two experiments' plots (no warning), apply one, branch another.
    result = run_dvc(repo, "plots", "diff", "slower", "size32", env=env)
    assert result.returncode == 0 and "WARNING" not in result.stdout + result.stderr, result
    dvc(repo, "exp", "apply", "slower", env=env)
    assert read_yaml(repo / "params.yaml")["train"]["lr"] == 0.05
    assert "Data and pipelines are up to date." in dvc(repo, "status", env=env)
    dvc(repo, "exp", "branch", "size32", "size32-branch", env=env)
    branches = subprocess.run(["git", "branch"], cwd=repo, capture_output=True, text=True)
    assert "size32-branch" in branches.stdout

    # The documented recipe shows the headline metrics and the params that changed, in 100
    # columns.
    subprocess.run(["git", "checkout", "-q", "."], cwd=repo, check=True)
    recipe = next(
        line
        for line in (REPO / "docs" / "getting-started.md").read_text().splitlines()
        if line.startswith("dvc exp show --only-changed")
    )
    args = shlex.split(recipe)[1:]
    header = dvc(repo, *args, "--csv", env=env).splitlines()[0]
    assert header.split(",") == [
        "Experiment",
        "rev",
        "typ",
        "test.accuracy",
        "test.log_loss",
        "test.worst",
        "cv.accuracy",
        "cv.accuracy_std",
        "download.image_size",
        "train.lr",
        "train.epochs",
    ]
    # signnet experiments: every experiment's headline metrics and every param it changed,
    # within 100 columns.
    listed = subprocess.run(
        [sys.executable, "-m", "signnet.cli", "experiments", "--width", "100"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert max(map(len, listed.splitlines())) <= 100, listed
    by_name = {line.split()[0]: line for line in listed.splitlines()}
    assert "image_size=32" in by_name["size32"] and "lr=0.05" in by_name["slower"], listed
    dvc(
        repo, "exp", "remove", "size32", "short", *grid, env=env
    )  # one param changed, as documented
    shown = dvc(repo, *args, env=env | {"COLUMNS": "100"})
    assert max(map(len, shown.splitlines())) <= 100, shown

    # The plots page draws offline: no script comes from the network; dvc_plots/ is ignored.
    dvc(repo, "plots", "show", env=env)
    page = (repo / "dvc_plots" / "index.html").read_text()
    assert "<script src" not in page and "vegaEmbed" in page
    assert "dvc_plots" not in git_status(repo)


def commit(repo, message):
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message],
        cwd=repo,
        check=True,
    )


def wait_for_the_queue(repo, env, seconds=600):
    """Wait until DVC's queue has no queued or running experiment; fail on a failed one."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = dvc(repo, "queue", "status", env=env)
        assert "Failed" not in status, dvc(repo, "queue", "logs", "size32", env=env)
        if not re.search(r"\b(Queued|Running)\b", status):
            return
        time.sleep(2)
    pytest.fail(f"the queue did not finish in {seconds} s: {status}")
