"""The fingerprint of the pipeline's code: what the report prints so that a reader can tell
whether two runs ran the same code.

sha256 over every ``*.py`` file under the given folders, in sorted order of their paths relative
to ``root``, each as ``path\\0sha256(content)\\n``. Byte caches and anything else are left out,
so two clones or two installs of the same commit give the same fingerprint.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def code_fingerprint(root: Path, folders: list[Path]) -> str:
    """The hex sha256 of the Python files under ``folders`` (relative to ``root``)."""
    files = sorted(
        (path.relative_to(root).as_posix(), path)
        for folder in folders
        for path in (root / folder).rglob("*.py")
        if "__pycache__" not in path.parts
    )
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(f"{name}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()
