"""Reading the dataset's photos out of a zip or a folder, safely, and fingerprinting them.

A source is either the archive (a zip whose entries sit under one top folder, as GitHub serves
it) or an unpacked copy (a folder holding ``Dataset/<digit>/*.JPG``, directly or under one top
folder). Reading yields ``{relative path: file bytes}`` for every file under ``Dataset/``, with
paths relative to the top folder and ``/`` as separator, e.g. ``Dataset/6/IMG_1120.JPG``.

The content fingerprint is the sha256 of the manifest text: one line
``<sha256 of the file>  <relative path>\\n`` per file, sorted by path in plain byte order. It
identifies the photos independently of how they were packed. The published manifest ships with
the package (``manifests/``, checked against the fingerprint), so a copy that does not match is
refused with the files that are missing, extra or changed.

Files that operating systems add to folders and archives (``.DS_Store``, ``Thumbs.db``,
``desktop.ini``, ``._*`` and ``__MACOSX/``) are left out, with a note in the log.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import posixpath
import zipfile
import zlib
from pathlib import Path

from signnet.errors import SignnetError, shown
from signnet.files import MIB, UserFileError, open_user_file, read_user_file, zip_member_problem

log = logging.getLogger(__name__)

DATASET_DIR = "Dataset/"
# Limits that no real copy of this dataset comes near (24 MB unpacked, JPEGs barely compress).
MAX_UNPACKED_BYTES = 1 << 30
# The largest photo file read, from a mirror folder or given to signnet predict.
MAX_PHOTO_BYTES = 100 * MIB
# What the messages call the dataset's zip archive, and the most bytes it may hold.
ARCHIVE = "the dataset's zip archive"
MAX_ARCHIVE_BYTES = 1 << 30
MAX_COMPRESSION_RATIO = 200
# Files that operating systems add to folders and archives: never part of a dataset.
SYSTEM_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}
SYSTEM_FOLDERS = {"__MACOSX"}
MANIFESTS = Path(__file__).parent / "manifests"
# How many paths of each kind a mismatch names.
NAMED = 5


class ArchiveError(SignnetError):
    """A dataset source that is missing, damaged, unsafe or not the expected content."""


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """One exact version of the photos: where to download it and how to recognise it."""

    commit: str
    url: str
    fingerprint: str
    commit_date: str
    # The published manifest, whose sha256 is ``fingerprint``: it names the files that differ.
    manifest: Path | None = None

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
    manifest=MANIFESTS / "sign-language-digits-4b09433.sha256",
)


def is_system_file(path: str) -> bool:
    """True for a file an operating system adds (see :data:`SYSTEM_FILES`), by its ``/`` path."""
    parts = path.split("/")
    name = parts[-1]
    return bool(SYSTEM_FOLDERS & set(parts)) or name in SYSTEM_FILES or name.startswith("._")


def _note_ignored(source: Path, ignored: list[str]) -> None:
    if ignored:
        shown = ", ".join(ignored[:NAMED]) + (
            f" and {len(ignored) - NAMED} more" if len(ignored) > NAMED else ""
        )
        log.info(
            "%s: ignored %d file(s) that operating systems add: %s", source, len(ignored), shown
        )


def file_hashes(files: dict[str, bytes]) -> dict[str, str]:
    """The sha256 of each file, by path."""
    return {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}


def manifest_text(hashes: dict[str, str]) -> str:
    """The manifest (see the module docstring) of the files with these hashes."""
    return "".join(
        f"{hashes[path]}  {path}\n" for path in sorted(hashes, key=lambda p: p.encode("utf-8"))
    )


def fingerprint(files: dict[str, bytes]) -> str:
    """The sha256 of the manifest of ``files`` (see the module docstring)."""
    return hashlib.sha256(manifest_text(file_hashes(files)).encode("utf-8")).hexdigest()


def published_manifest(spec: DatasetSpec) -> dict[str, str]:
    """The sha256 of each file of ``spec``'s photos, by path, from its manifest."""
    text = spec.manifest.read_text(encoding="utf-8")
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != spec.fingerprint:
        raise ArchiveError(f"{spec.manifest}: damaged: not the manifest of {spec.fingerprint}")
    return {path: digest for digest, path in (line.split("  ", 1) for line in text.splitlines())}


def _some(paths: list[str]) -> str:
    more = f" and {len(paths) - NAMED} more" if len(paths) > NAMED else ""
    return ", ".join(paths[:NAMED]) + more


def differences(files: dict[str, bytes], spec: DatasetSpec) -> str:
    """What sets ``files`` apart from the published manifest: missing, extra, changed files."""
    if spec.manifest is None:
        return f"content fingerprint {fingerprint(files)} instead of {spec.fingerprint}"
    expected, found = published_manifest(spec), file_hashes(files)
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    changed = sorted(p for p in set(expected) & set(found) if expected[p] != found[p])
    parts = [
        f"{len(paths)} {kind} ({_some(paths)})"
        for kind, paths in (("missing", missing), ("extra", extra), ("changed", changed))
        if paths
    ]
    return "; ".join(parts) or "no file differs (the manifest lines do)"


def _safe_member_path(source: Path, name: str) -> str:
    """``name`` normalised, or an error if it would land outside the extraction folder."""
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ArchiveError(f"{source}: member {name!r} has an absolute or non-POSIX path")
    normal = posixpath.normpath(name)
    if normal == ".." or normal.startswith("../"):
        raise ArchiveError(f"{source}: member {name!r} would land outside the extraction folder")
    return normal


def read_zip(path: Path) -> dict[str, bytes]:
    """The files under ``Dataset/`` of the zip at ``path`` (a regular file of at most
    :data:`MAX_ARCHIVE_BYTES`, opened as every file a user names is: no device, no FIFO),
    checked before anything is unpacked."""
    with contextlib.ExitStack() as stack:
        try:
            file = stack.enter_context(open_user_file(path, ARCHIVE, MAX_ARCHIVE_BYTES))
            archive = stack.enter_context(zipfile.ZipFile(file))
        except UserFileError as error:
            raise ArchiveError(str(error)) from None
        except (zipfile.BadZipFile, OSError) as error:
            raise ArchiveError(f"{path}: not a zip archive, or truncated ({error})") from None
        return _read_members(path, archive)


def _read_members(path: Path, archive: zipfile.ZipFile) -> dict[str, bytes]:
    """The files under ``Dataset/`` of ``archive`` (read from ``path``), checked before
    anything is unpacked: paths inside the folder, total and per-member sizes bounded."""
    infos = [info for info in archive.infolist() if not info.is_dir()]
    names = [_safe_member_path(path, info.filename) for info in infos]
    ignored = [name for name in names if is_system_file(name)]
    _note_ignored(path, ignored)
    kept = [(i, n) for i, n in zip(infos, names, strict=True) if not is_system_file(n)]
    infos, names = [i for i, _ in kept], [n for _, n in kept]
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED_BYTES:
        raise ArchiveError(
            f"{path}: would unpack to {total:,} bytes; at most {MAX_UNPACKED_BYTES:,} allowed"
        )
    for info in infos:
        if problem := zip_member_problem(info):
            raise ArchiveError(f"{path}: member {shown(info.filename)} {problem}")
        if info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise ArchiveError(
                f"{path}: member {shown(info.filename)} expands {info.file_size:,} bytes from "
                f"{info.compress_size:,}; a ratio above {MAX_COMPRESSION_RATIO} is refused"
            )
    top = _top_folder(path, names)
    try:
        return {
            name[len(top) :]: archive.read(info)
            for info, name in zip(infos, names, strict=True)
            if name.startswith(top + DATASET_DIR)
        }
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
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
    files, ignored = {}, []
    for file in sorted((base / DATASET_DIR).rglob("*")):
        if not file.is_file():
            continue
        if is_system_file(file.relative_to(base).as_posix()):
            ignored.append(file.relative_to(base).as_posix())
            continue
        if not file.resolve().is_relative_to(base):
            raise ArchiveError(f"{file}: links outside the dataset folder {base}")
        try:  # an ArchiveError, so that the next mirror is tried
            data = read_user_file(file, "a photo of the dataset", MAX_PHOTO_BYTES)
        except UserFileError as error:
            raise ArchiveError(str(error)) from None
        files[file.relative_to(base).as_posix()] = data
    _note_ignored(root, ignored)
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
    if fingerprint(files) != spec.fingerprint:
        raise ArchiveError(
            f"{path}: not the published photos of commit {spec.commit}: against its manifest, "
            f"{differences(files, spec)}. Delete this copy (or take it out of download.mirrors) "
            f"and let the stage download {spec.url}, or restore the files named"
        )
    return files
