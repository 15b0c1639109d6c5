"""Reading the dataset's photos out of a zip or a folder, safely, and fingerprinting them.

A source is either the archive (a zip whose entries sit under one top folder, as GitHub serves
it) or an unpacked copy (a folder holding ``Dataset/<digit>/*.JPG``, directly or under one top
folder). Reading yields ``{relative path: file bytes}`` for every file under ``Dataset/``, with
paths relative to the top folder and ``/`` as separator, e.g. ``Dataset/6/IMG_1120.JPG``.

The content fingerprint is the sha256 of the manifest text: one line
``<sha256 of the file>  <relative path>\\n`` per file, sorted by path in plain byte order. It
identifies the photos independently of how they were packed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import posixpath
import zipfile
from pathlib import Path

from signnet.errors import SignnetError

DATASET_DIR = "Dataset/"
# Limits that no real copy of this dataset comes near (24 MB unpacked, JPEGs barely compress).
MAX_UNPACKED_BYTES = 1 << 30
MAX_COMPRESSION_RATIO = 200


class ArchiveError(SignnetError):
    """A dataset source that is missing, damaged, unsafe or not the expected content."""


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """One exact version of the photos: where to download it and how to recognise it."""

    commit: str
    url: str
    fingerprint: str
    commit_date: str

    @property
    def archive_name(self) -> str:
        """The file name of the zip, as GitHub names the archive of ``commit``."""
        return f"Sign-Language-Digits-Dataset-{self.commit}.zip"


SIGN_LANGUAGE_DIGITS = DatasetSpec(
    commit="4b09433ef9d5c60602e8805bb54b8aa2428527f8",
    url=(
        "https://github.com/ardamavi/Sign-Language-Digits-Dataset/archive/"
        "4b09433ef9d5c60602e8805bb54b8aa2428527f8.zip"
    ),
    fingerprint="dcb2ae4be3d7735fcdd5afd3ac662c8515803a0ab9c5acce989eb085802de6d1",
    commit_date="2021-05-08",
)


def fingerprint(files: dict[str, bytes]) -> str:
    """The sha256 of the manifest of ``files`` (see the module docstring)."""
    manifest = "".join(
        f"{hashlib.sha256(files[path]).hexdigest()}  {path}\n"
        for path in sorted(files, key=lambda p: p.encode("utf-8"))
    )
    return hashlib.sha256(manifest.encode("utf-8")).hexdigest()


def _safe_member_path(source: Path, name: str) -> str:
    """``name`` normalised, or an error if it would land outside the extraction folder."""
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ArchiveError(f"{source}: member {name!r} has an absolute or non-POSIX path")
    normal = posixpath.normpath(name)
    if normal == ".." or normal.startswith("../"):
        raise ArchiveError(f"{source}: member {name!r} would land outside the extraction folder")
    return normal


def read_zip(path: Path) -> dict[str, bytes]:
    """The files under ``Dataset/`` of the zip at ``path``, checked before anything is unpacked."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ArchiveError(f"{path}: file does not exist") from None
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveError(f"{path}: not a zip archive, or truncated ({error})") from None
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        names = [_safe_member_path(path, info.filename) for info in infos]
        total = sum(info.file_size for info in infos)
        if total > MAX_UNPACKED_BYTES:
            raise ArchiveError(
                f"{path}: would unpack to {total:,} bytes; at most {MAX_UNPACKED_BYTES:,} allowed"
            )
        for info in infos:
            if info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
                raise ArchiveError(
                    f"{path}: member {info.filename!r} expands {info.file_size:,} bytes from "
                    f"{info.compress_size:,}; a ratio above {MAX_COMPRESSION_RATIO} is refused"
                )
        top = _top_folder(path, names)
        try:
            return {
                name[len(top) :]: archive.read(info)
                for info, name in zip(infos, names, strict=True)
                if name.startswith(top + DATASET_DIR)
            }
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise ArchiveError(f"{path}: damaged or truncated archive ({error})") from None


def read_folder(root: Path) -> dict[str, bytes]:
    """The files under ``Dataset/`` of an unpacked copy at ``root`` (links may not leave it)."""
    root = root.resolve()
    base = next(
        (
            c
            for c in [root, *sorted(p for p in root.iterdir() if p.is_dir())]
            if (c / DATASET_DIR).is_dir()
        ),
        None,
    )
    if base is None:
        raise ArchiveError(f"{root}: holds no {DATASET_DIR} folder, directly or one level down")
    files = {}
    for file in sorted((base / DATASET_DIR).rglob("*")):
        if not file.is_file():
            continue
        if not file.resolve().is_relative_to(base):
            raise ArchiveError(f"{file}: links outside the dataset folder {base}")
        files[file.relative_to(base).as_posix()] = file.read_bytes()
    return files


def _top_folder(path: Path, names: list[str]) -> str:
    """``'<top>/'`` when every member sits under one folder that holds ``Dataset/``, else ``''``."""
    if any(name.startswith(DATASET_DIR) for name in names):
        return ""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1:
        (top,) = tops
        if any(name.startswith(f"{top}/{DATASET_DIR}") for name in names):
            return f"{top}/"
    raise ArchiveError(f"{path}: holds no {DATASET_DIR} folder at its top or under one top folder")


def read_verified(path: Path, spec: DatasetSpec) -> dict[str, bytes]:
    """Read a zip or folder at ``path`` and check its content fingerprint against ``spec``."""
    files = read_folder(path) if path.is_dir() else read_zip(path)
    found = fingerprint(files)
    if found != spec.fingerprint:
        raise ArchiveError(
            f"{path}: content fingerprint {found} does not match the expected {spec.fingerprint} "
            f"of commit {spec.commit} ({len(files)} files under {DATASET_DIR})"
        )
    return files
