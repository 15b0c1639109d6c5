"""Each pipeline's dvc.yaml (the main one and the all-pairs one) lists, for each stage, every
package module its entry script imports, and no other."""

import ast
import json
import posixpath
import subprocess
import sys
from pathlib import Path

import pytest
from dvc.utils.serialize import load_yaml
from dvc_render.vega_templates import TEMPLATES

from tests.conftest import REPO

SRC = REPO / "src"
# The folders the report stage fingerprints (stages/report.py's CODE).
REPORT_CODE = ast.literal_eval(
    next(
        line.split("=", 1)[1]
        for line in (REPO / "stages" / "report.py").read_text().splitlines()
        if line.startswith("CODE = ")
    )
)
# Each pipeline's stages by (pipeline folder, stage name); paths in a stage are relative to its
# pipeline's folder.
STAGES = {
    (folder, name): stage
    for folder in (".", "pairs")
    for name, stage in load_yaml(REPO / folder / "dvc.yaml")["stages"].items()
}


def in_repo(folder: str, path: str) -> str:
    """A path written in the pipeline at ``folder``, relative to the repository root."""
    return posixpath.normpath(posixpath.join(folder, path))


def module_file(name: str) -> Path | None:
    """The file of module ``name`` under src/, or None for a name that is not a module."""
    base = SRC.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_names(path: Path) -> set[str]:
    """Every absolute ``signnet`` name imported anywhere in ``path`` (module level or not)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in names if name.split(".")[0] == "signnet"}


def package_closure(script: Path) -> set[str]:
    """Repository paths of the package modules ``script`` imports, directly or not, leaving out
    the package ``__init__`` files (checked below to hold no code)."""
    seen: set[Path] = set()
    todo = [script]
    while todo:
        for name in imported_names(todo.pop()):
            parts = name.split(".")
            for i in range(1, len(parts) + 1):  # importing a.b.c runs a, a.b and a.b.c
                path = module_file(".".join(parts[:i]))
                if path is not None and path not in seen:
                    seen.add(path)
                    todo.append(path)
    return {p.relative_to(REPO).as_posix() for p in seen if p.name != "__init__.py"}


@pytest.mark.parametrize("folder, stage", sorted(STAGES))
def test_deps_list_every_imported_package_module(folder, stage):
    script = in_repo(folder, STAGES[folder, stage]["cmd"].split()[1])
    assert script == f"stages/{stage}.py"
    deps = {in_repo(folder, d) for d in STAGES[folder, stage]["deps"]}
    assert script in deps
    if stage == "report":  # it fingerprints the code folders whole, so it depends on them
        assert set(REPORT_CODE) <= deps
        return
    listed = {d for d in deps if d.startswith("src/")}
    imported = package_closure(REPO / script)
    assert listed == imported, (
        f"{stage}: missing from deps {sorted(imported - listed)}; "
        f"listed but not imported {sorted(listed - imported)}"
    )


def test_package_init_files_hold_no_code():
    """Only a docstring, constants and imports: an __init__ is in no deps, but what it imports
    is (the closure follows it; signnet's imports signnet.cpu, which pins the BLAS kernel and
    NumPy's dispatch)."""
    for path in SRC.rglob("__init__.py"):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        for node in body:
            constant = isinstance(node, ast.Expr | ast.Assign) and isinstance(
                node.value, ast.Constant
            )
            assert constant or isinstance(node, ast.Import | ast.ImportFrom), (
                f"{path}: only a docstring, constants and imports (it is not in any deps)"
            )


def test_the_closure_follows_imports_inside_functions(tmp_path):
    script = tmp_path / "stage.py"
    script.write_text("def main():\n    from signnet.report import figures\n")
    assert package_closure(script) == {
        "src/signnet/report/figures.py",
        "src/signnet/cpu.py",  # imported by the package signnet itself
    }


@pytest.mark.parametrize("folder", [".", "pairs"])
def test_the_committed_lock_records_the_code_as_it_is(folder):
    """A change to a stage's code without `dvc repro` and the new dvc.lock would leave a fresh
    clone's `dvc repro` rerunning stages and `git status` showing dvc.lock modified: caught here
    in the fast loop, not only by the slow fresh-clone test."""
    import hashlib

    lock = load_yaml(REPO / folder / "dvc.lock")
    stale = []
    for name, stage in lock["stages"].items():
        for dep in stage["deps"]:
            path = (REPO / folder / dep["path"]).resolve()
            code = path.is_file() and path.suffix == ".py"
            if code and hashlib.md5(path.read_bytes()).hexdigest() != dep["md5"]:
                stale.append(f"{name}: {dep['path']}")
    assert not stale, (
        f"{folder}/dvc.lock is older than the code: {stale[:5]}; run dvc repro there and commit "
        "its dvc.lock"
    )


def _template(name: str) -> dict:
    """A plot template as dvc plots show fills it: the project's .dvc/plots/NAME.json, else
    DVC's own."""
    path = REPO / ".dvc" / "plots" / f"{name}.json"
    if path.exists():
        return json.loads(path.read_text())
    return next(t for t in TEMPLATES if name == t.DEFAULT_NAME).DEFAULT_CONTENT


def test_the_plots_tell_train_from_test_by_colour_and_show_the_confusion_counts():
    plots = {
        name: spec for plot in load_yaml(REPO / "dvc.yaml")["plots"] for name, spec in plot.items()
    }
    curves = [s for s in plots.values() if any(isinstance(y, list) for y in s["y"].values())]
    assert len(curves) == 2  # loss and accuracy, each train beside test
    for spec in curves:
        # DVC names each curve of a multi-field plot by its field: train_loss, test_loss, ...
        assert _template(spec["template"])["encoding"]["color"]["field"] == "field"
    [matrix] = [spec for spec in plots.values() if "confusion" in spec["template"]]
    [show] = [p for p in _template(matrix["template"])["params"] if p["name"] == "showValues"]
    assert show.get("value") is True


def test_the_committed_vega_templates_are_the_ones_the_tool_writes():
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "vega_templates.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
