"""The walkthrough notebook: stored without outputs, and run from top to bottom as Jupyter runs it
(a kernel, through nbclient) in a copy of the repository where the pipeline has run."""

import json
import os
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import REPO, copy_repo

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_there_is_a_walkthrough():
    assert [path.name for path in NOTEBOOKS] == ["walkthrough.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_stored_valid_and_without_outputs(path):
    """git keeps the cells, not what a run printed or drew: clear them with
    ``jupyter nbconvert --clear-output --inplace notebooks/*.ipynb`` before committing."""
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
    assert "widgets" not in notebook.metadata
    assert notebook.metadata.kernelspec.name == "python3"


def first_cell() -> str:
    notebook = nbformat.read(REPO / "notebooks" / "walkthrough.ipynb", as_version=4)
    return next(cell.source for cell in notebook.cells if cell.cell_type == "code")


@pytest.mark.parametrize("installed", [True, False])
def test_the_first_cell_installs_signnet_only_where_it_is_missing(tmp_path, monkeypatch, installed):
    """Where signnet is installed, the first cell does nothing; where it is not (Colab), it
    clones the repository, installs it with this Python's pip and moves into it. The commands
    are recorded, not run (no network here)."""
    import importlib.util

    calls = []

    def run(command, check):
        calls.append(command)
        if command[:2] == ["git", "clone"]:
            (tmp_path / command[-1]).mkdir()

    monkeypatch.setattr(subprocess, "run", run)
    if not installed:
        find_spec = importlib.util.find_spec
        monkeypatch.setattr(
            importlib.util, "find_spec", lambda name: None if name == "signnet" else find_spec(name)
        )
    monkeypatch.chdir(tmp_path)
    exec(compile(first_cell(), "the first cell", "exec"), {})
    if installed:
        assert calls == [] and os.getcwd() == str(tmp_path)
        return
    clone, install = calls
    assert clone[:2] == ["git", "clone"] and clone[-1] == "signnet"
    assert install == [sys.executable, "-m", "pip", "install", "--quiet", "./signnet"]
    assert os.getcwd() == str(tmp_path / "signnet")


@pytest.mark.mirror
def test_the_walkthrough_runs_from_top_to_bottom_and_reads_the_pipeline_s_results(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    env = {**os.environ, "SIGNNET_DATA": str(tmp_path / "cache")}
    subprocess.run(
        [sys.executable, "-m", "dvc", "repro", "evaluate"],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
    )
    before = status(repo)
    path = repo / "notebooks" / "walkthrough.ipynb"
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute(env={**env, "PYTHONPATH": str(repo / "src")})  # a failing cell raises
    printed = {
        i: "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
    }
    text = "\n".join(printed.values())
    assert f"repository {repo}" in text
    assert "largest relative difference" in text
    assert "epoch 15: test accuracy" in text
    images = sum(
        1
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.outputs
        if o.output_type == "display_data" and "image/png" in o.get("data", {})
    )
    assert images == 6  # photos, loss curve, weights, saliency, map, the pipeline's curves
    metrics = json.loads((repo / "reports" / "metrics.json").read_text())
    assert f"metrics: {metrics}" in text
    assert status(repo) == before  # the notebook writes nothing into the repository


def status(repo) -> str:
    """What ``git status`` says of the repository, ignored files included."""
    command = ["git", "status", "--porcelain", "--ignored"]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, check=True).stdout
