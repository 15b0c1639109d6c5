"""requirements.lock pins every dependency pyproject.toml declares, at a version it allows."""

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO

LOCK = REPO / "requirements.lock"


def pins() -> dict[str, str]:
    """{canonical name: version} of every ``name==version`` line of the lock."""
    found = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", LOCK.read_text(), re.M)
    return {canonicalize_name(name): version for name, version in found}


def declared() -> list[Requirement]:
    """pyproject.toml's dependencies and those of the extras tools/lock.py locks, with the
    extras they name of signnet itself (``signnet[dask]``) followed."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras, todo = set(), ["test"]
    requirements = [Requirement(text) for text in project["dependencies"]]
    while todo:
        extra = todo.pop()
        extras.add(extra)
        for text in project["optional-dependencies"][extra]:
            requirement = Requirement(text)
            if requirement.name == project["name"]:
                todo += sorted(requirement.extras - extras)
            else:
                requirements.append(requirement)
    return requirements


def test_every_declared_dependency_is_pinned_at_an_allowed_version():
    locked = pins()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements.lock: run python tools/lock.py"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"requirements.lock pins {name}=={locked[name]}, pyproject.toml wants {requirement}: "
            "run python tools/lock.py"
        )


def test_the_lock_pins_one_version_per_package_and_checks_hashes():
    text = LOCK.read_text()
    names = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", text, re.M)
    assert len(names) == len(set(names)) == len(pins()) > 50
    assert text.count("==") <= text.count("--hash=sha256:")  # every pin has a hash
    assert "python tools/lock.py" in text.splitlines()[1]
