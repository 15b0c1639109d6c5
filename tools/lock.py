"""Write the two locks, every package pinned with hashes: requirements-dev.lock, what signnet and
its test, docs and notebook tools need; requirements.lock, what the pipeline needs (`dvc repro`),
at the same versions.

Usage: python tools/lock.py [--upgrade]   (needs uv: pip install uv)

The locks are uv's requirements format, which plain pip installs (`pip install -r
requirements.lock`, hashes checked). The full set is resolved once for every platform and every
Python from the lowest that pyproject.toml allows, with as few versions of each package as
possible (one, so far), so that the versions that wrote the committed dvc.lock are the versions
every machine installs; the pipeline's lock is then resolved within it (a constraint), so a
package both hold has one version. Run it after changing a dependency in pyproject.toml, then
rerun the pipeline and commit both locks with dvc.lock. Without --upgrade, versions already
pinned are kept.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Each lock, in the order written, with the extras it installs beside the package's own
# dependencies: the full set first, then the pipeline's, resolved within it.
LOCKS = {"requirements-dev.lock": ("test",), "requirements.lock": ()}
FULL = next(iter(LOCKS))


def lowest_python() -> str:
    """The lowest Python pyproject.toml's requires-python (``>=X.Y``) allows."""
    with open(REPO / "pyproject.toml", "rb") as file:
        requires = tomllib.load(file)["project"]["requires-python"]
    if not requires.startswith(">="):
        raise SystemExit(f"pyproject.toml: requires-python {requires!r} is not '>=X.Y'")
    return requires.removeprefix(">=")


def compile_command(lock: str, upgrade: bool) -> list[str]:
    """uv's command that writes ``lock`` (a key of :data:`LOCKS`)."""
    return [
        *("uv", "pip", "compile", "pyproject.toml"),
        *(f"--extra={extra}" for extra in LOCKS[lock]),
        *([] if lock == FULL else [f"--constraint={FULL}"]),
        f"--python-version={lowest_python()}",
        "--universal",
        "--fork-strategy=fewest",
        "--generate-hashes",
        "--custom-compile-command=python tools/lock.py",
        f"--output-file={lock}",
        *(["--upgrade"] if upgrade and lock == FULL else []),
    ]


def main(argv: list[str]) -> int:
    for lock in LOCKS:
        code = subprocess.run(compile_command(lock, "--upgrade" in argv), cwd=REPO).returncode
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
