"""Write requirements.lock: every package signnet and its test tools need, pinned, with hashes.

Usage: python tools/lock.py [--upgrade]   (needs uv: pip install uv)

The lock is uv's requirements format, which plain pip installs (`pip install -r
requirements.lock`, hashes checked). It is resolved once for every platform and every Python
from the lowest that pyproject.toml allows, with as few versions of each package as possible
(one, so far), so that the versions that wrote the committed dvc.lock are the versions every
machine installs. Run it after changing a dependency in pyproject.toml, then rerun the pipeline
and commit requirements.lock with dvc.lock. Without --upgrade, versions already pinned are kept.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOCK = "requirements.lock"
# What the lock installs: the package's own dependencies and these extras.
EXTRAS = ("test",)


def lowest_python() -> str:
    """The lowest Python pyproject.toml's requires-python (``>=X.Y``) allows."""
    with open(REPO / "pyproject.toml", "rb") as file:
        requires = tomllib.load(file)["project"]["requires-python"]
    if not requires.startswith(">="):
        raise SystemExit(f"pyproject.toml: requires-python {requires!r} is not '>=X.Y'")
    return requires.removeprefix(">=")


def main(argv: list[str]) -> int:
    command = [
        *("uv", "pip", "compile", "pyproject.toml"),
        *(f"--extra={extra}" for extra in EXTRAS),
        f"--python-version={lowest_python()}",
        "--universal",
        "--fork-strategy=fewest",
        "--generate-hashes",
        "--custom-compile-command=python tools/lock.py",
        f"--output-file={LOCK}",
        *(["--upgrade"] if "--upgrade" in argv else []),
    ]
    return subprocess.run(command, cwd=REPO).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
