"""The two locks (tools/lock.py): requirements.lock pins what the pipeline needs, and
requirements-dev.lock everything the tests, docs and notebook add, each dependency
pyproject.toml declares at a version it allows, one version per package across both."""

import re
import sys
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import lock as lock_tool  # noqa: E402  (tools/ is not a package)

PIPELINE, FULL = "requirements.lock", "requirements-dev.lock"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)(.*?)(?=^\S|\Z)", re.M | re.S)


def pins(lock: str) -> dict[str, tuple[str, str]]:
    """{canonical name: (version, its hashes and markers)} of every ``name==version`` entry of
    ``lock``."""
    found = PIN.findall((REPO / lock).read_text())
    hashes = (re.findall(r"--hash=sha256:\w+|;[^\\\n]*", rest) for *_, rest in found)
    return {
        canonicalize_name(name): (version, " ".join(sorted(h)))
        for (name, version, _), h in zip(found, hashes, strict=True)
    }


def declared(extras: tuple[str, ...]) -> list[Requirement]:
    """pyproject.toml's dependencies and those of ``extras``, with the extras they name of
    signnet itself (``signnet[dask]``) followed."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    seen, todo = set(), list(extras)
    requirements = [Requirement(text) for text in project["dependencies"]]
    while todo:
        extra = todo.pop()
        seen.add(extra)
        for text in project["optional-dependencies"][extra]:
            requirement = Requirement(text)
            if requirement.name == project["name"]:
                todo += sorted(requirement.extras - seen)
            else:
                requirements.append(requirement)
    return requirements


@pytest.mark.parametrize("lock", lock_tool.LOCKS)
def test_every_declared_dependency_is_pinned_at_an_allowed_version(lock):
    locked = pins(lock)
    for requirement in declared(lock_tool.LOCKS[lock]):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in {lock}: run python tools/lock.py"
        assert requirement.specifier.contains(locked[name][0], prereleases=True), (
            f"{lock} pins {name}=={locked[name][0]}, pyproject.toml wants {requirement}: "
            "run python tools/lock.py"
        )


@pytest.mark.parametrize("lock", lock_tool.LOCKS)
def test_each_lock_pins_one_version_per_package_and_checks_hashes(lock):
    text = (REPO / lock).read_text()
    names = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", text, re.M)
    assert len(names) == len(set(names)) == len(pins(lock)) > 50
    assert text.count("==") <= text.count("--hash=sha256:")  # every pin has a hash
    assert "python tools/lock.py" in text.splitlines()[1]


def test_the_pipeline_lock_is_the_full_lock_without_the_tools():
    """Every package the pipeline installs has the version and hashes the full lock gives it, so
    the second install command changes nothing the first installed; the test, docs and notebook
    tools are in the full lock only."""
    pipeline, full = pins(PIPELINE), pins(FULL)
    assert {name: full.get(name) for name in pipeline} == pipeline
    for tool in ("pytest", "ruff", "mkdocs", "jupyterlab", "dask", "hypothesis"):
        assert tool in full and tool not in pipeline, tool
    assert len(pipeline) < len(full) * 0.6
