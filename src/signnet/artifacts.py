"""Atomic, deterministic artifact writes and safe loads.

Every write goes to a temporary file beside the target and is moved into place with
``os.replace`` only when complete, so a failed or killed stage never leaves a half-written file.
The temporary file of a killed write (``.<name>.<random>.tmp``) is removed by the next write of
the same target.
``.npz`` archives are written with a fixed timestamp, so equal arrays give equal bytes; arrays
are loaded with ``allow_pickle=False`` and JSON with the standard parser only.
"""

from __future__ import annotations

import contextlib
import glob
import json
import logging
import math
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from signnet.errors import SignnetError, shown
from signnet.files import (
    GIB,
    MIB,
    byte_size,
    open_user_file,
    read_user_file,
    zip_member_problem,
)

log = logging.getLogger(__name__)

# The earliest time a zip entry can record: a constant, so the bytes do not depend on the clock.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# The largest artifacts read: far above what the pipeline writes (evaluation.json is 37 MB and
# images.npz 4.6 GB for 70,000 images at the largest image size), far below what would exhaust
# memory by mistake.
MAX_JSON_BYTES = 256 * MIB
MAX_NPZ_BYTES = 16 * GIB


class ArtifactError(SignnetError):
    """An artifact that is missing, unreadable or lacks what a stage needs."""


# The outputs written so far inside all_or_nothing(), or None outside it.
_written: list[Path] | None = None


@contextlib.contextmanager
def all_or_nothing() -> Iterator[None]:
    """Every output written atomically inside the block is removed again if the block fails
    (an error, Ctrl-C, a full disk): a failed stage leaves none of its outputs, not only no
    half-written one. Each removal is logged."""
    global _written
    outer, _written = _written, []
    try:
        yield
    except BaseException:
        for path in reversed(_written):
            log.info("removing %s: the stage that wrote it failed", path)
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        raise
    finally:
        if outer is not None:  # a block inside another: its writes are the outer block's too
            outer.extend(_written)
        _written = outer


def _moved(path: Path) -> None:
    """Note ``path`` as written, for :func:`all_or_nothing`."""
    if _written is not None:
        _written.append(path)


def remove_stale(folder: Path, pattern: str) -> None:
    """Remove what a killed write left in ``folder`` under the glob ``pattern``."""
    for stale in sorted(folder.glob(pattern)):
        log.info("removing %s, left by an interrupted write", stale)
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


@contextlib.contextmanager
def _naming(path: Path) -> Iterator[None]:
    """An OSError inside the block (a full disk, a read-only folder) names ``path``, the output
    being written, rather than its temporary file or nothing."""
    try:
        yield
    except OSError as error:
        raise OSError(error.errno, error.strerror or str(error), str(path)) from None


def _temporary(path: Path) -> str:
    """The glob of the temporary names :func:`atomic_path` and :func:`atomic_directory` use."""
    return f".{glob.escape(path.name)}.*.tmp"


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` only if the block succeeds.
    An OSError on the way names ``path``."""
    path = Path(path)
    with _naming(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(path.parent, _temporary(path))
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp = Path(tmp)
        try:
            yield tmp
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
            _moved(path)
        finally:
            tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; it replaces ``path`` only if the block succeeds.
    An OSError on the way names ``path``."""
    path = Path(path)
    with _naming(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(path.parent, _temporary(path))
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
        try:
            yield tmp
            tmp.chmod(0o755)
            if path.exists():
                shutil.rmtree(path)
            os.replace(tmp, path)
            _moved(path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def save_json(path: str | Path, record: Any) -> None:
    """Write ``record`` as indented JSON (keys in insertion order, final newline), atomically."""
    text = json.dumps(record, indent=2, allow_nan=False) + "\n"
    write_bytes(path, text.encode("utf-8"))


def load_json(path: str | Path, limit: int = MAX_JSON_BYTES) -> Any:
    """Parse the JSON file at ``path`` (a regular file of at most ``limit`` bytes); errors name
    the file."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise ArtifactError(f"{path}: file does not exist (run the stage that writes it)")
    data = read_user_file(path, "a JSON file", limit)
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArtifactError(f"{path}: not valid JSON ({error})") from None


def save_npz(path: str | Path, arrays: Mapping[str, Any]) -> None:
    """Write ``arrays`` as an uncompressed ``.npz``, byte-identical for equal arrays, atomically.

    Object arrays are refused: they could only be read back with pickle.
    """
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as archive:
        for name, value in arrays.items():
            array = np.asarray(value)
            if array.dtype.hasobject:
                raise TypeError(f"{path}: array {name!r} has dtype object, which needs pickle")
            info = zipfile.ZipInfo(f"{name}.npy", date_time=ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _member_array(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    """The array of the ``.npy`` member ``info``, after checking its header (no object dtype, a
    data size that the zip directory's declared size matches) and before inflating its data;
    zipfile stops at the declared size (and checks the CRC), so no member inflates beyond what
    it declares. ValueError says what is wrong."""
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(member)
        elif version in ((2, 0), (3, 0)):
            shape, _, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            raise ValueError(f"has .npy format version {version}")
        if dtype.hasobject:
            raise ValueError(f"holds Python objects ({dtype}), which are never loaded")
        if dtype.itemsize == 0:
            raise ValueError(f"has dtype {dtype}, whose items hold nothing")
        data = math.prod(shape) * dtype.itemsize
        if data != info.file_size - member.tell():
            raise ValueError(
                f"declares {dtype} {tuple(shape)} ({byte_size(data)}) in a member of "
                f"{byte_size(info.file_size - member.tell())} of data"
            )
        member.seek(0)
        return np.lib.format.read_array(member, allow_pickle=False)


def load_npz(
    path: str | Path,
    required: tuple[str, ...] = (),
    what: str = "a .npz file (NumPy's zip archive of arrays)",
    limit: int = MAX_NPZ_BYTES,
    names: Callable[[str], bool] | None = None,
) -> dict[str, np.ndarray]:
    """Load every array of the ``.npz`` at ``path`` (``what``: a regular file of at most
    ``limit`` bytes, whose arrays inflate to at most ``limit`` bytes in all) without pickle;
    check ``required`` names. Each member is checked before its data is inflated: a ``.npy``
    name, allowed by ``names`` where given, once; its header's dtype (no objects) and shape
    against the size the zip declares and the bytes left of ``limit``."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise ArtifactError(f"{path}: file does not exist (run the stage that writes it)")
    arrays: dict[str, np.ndarray] = {}
    with open_user_file(path, what, limit) as file:
        if file.read(4) != b"PK\x03\x04":
            raise ArtifactError(f"{path}: not {what}: it is not a zip archive")
        file.seek(0)
        try:
            with zipfile.ZipFile(file) as archive:
                budget = limit
                for info in archive.infolist():
                    name = info.filename.removesuffix(".npy")
                    if name == info.filename or "/" in name or "\\" in name:
                        raise ArtifactError(
                            f"{path}: member {shown(info.filename)} is not an array"
                        )
                    if name in arrays:
                        raise ArtifactError(f"{path}: array {shown(name)} is there twice")
                    if names is not None and not names(name):
                        raise ArtifactError(f"{path}: {shown(name)} is not an array of {what}")
                    if problem := zip_member_problem(info):
                        raise ArtifactError(f"{path}: array {shown(name)} {problem}; refused")
                    if info.file_size > budget:
                        raise ArtifactError(
                            f"{path}: array {shown(name)} inflates to "
                            f"{byte_size(info.file_size)}; "
                            f"{what} may hold at most {byte_size(limit)} in all; refused"
                        )
                    try:
                        arrays[name] = _member_array(archive, info)
                    except ValueError as error:
                        raise ArtifactError(
                            f"{path}: array {shown(name)} {error}; refused"
                        ) from None
                    budget -= info.file_size
        except (OSError, zipfile.BadZipFile, EOFError, zlib.error) as error:
            raise ArtifactError(f"{path}: not a readable .npz ({error})") from None
    missing = [name for name in required if name not in arrays]
    if missing:
        raise ArtifactError(
            f"{path}: lacks array(s) {', '.join(missing)}; it holds {', '.join(sorted(arrays))}"
        )
    return arrays
