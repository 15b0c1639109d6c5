"""Finding the dataset: the user's data cache, then local mirrors, then the canonical URL.

Whatever the source, its content fingerprint is verified before use. A download goes to a
temporary folder inside the cache and is moved to its final name only once verified, so the
cache never holds a bad archive as if it were good; a cached archive that fails verification is
deleted. An archive found in a mirror is kept in the cache too, once verified: DVC's experiment
workspaces (``dvc exp run --temp``, ``--queue``) are copies of the repository elsewhere, and the
cache is where every copy finds the photos.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

import pooch

from signnet.artifacts import remove_stale
from signnet.data.archive import ArchiveError, DatasetSpec, read_verified

log = logging.getLogger(__name__)

DATA_HOME_ENV = "SIGNNET_DATA"


def data_home() -> Path:
    """The per-user cache folder: ``$SIGNNET_DATA`` if set, else the platform's user cache."""
    override = os.environ.get(DATA_HOME_ENV)
    return Path(override).expanduser() if override else Path(pooch.os_cache("signnet"))


def _mirror_source(folder: Path, spec: DatasetSpec) -> Path | None:
    """The zip or unpacked copy inside mirror ``folder``, or None when it holds neither."""
    zip_path = folder / spec.archive_name
    if zip_path.exists():
        return zip_path
    candidates = [folder, *(p for p in sorted(folder.iterdir()) if p.is_dir())]
    return folder if any((c / "Dataset").is_dir() for c in candidates) else None


def _keep(archive: Path, cached: Path) -> None:
    """Copy the verified ``archive`` to ``cached`` (atomically), where every working copy of the
    repository finds it, DVC's experiment workspaces included. A copy that fails (a full or
    read-only disk) is logged and skipped: the photos are in hand."""
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".keep-", dir=cached.parent))
    except OSError as error:
        log.warning("could not keep a copy of %s in %s: %s", archive.name, cached.parent, error)
        return
    try:
        shutil.copyfile(archive, staging / cached.name)
        os.replace(staging / cached.name, cached)
        log.info("kept a copy of %s in %s", archive.name, cached.parent)
    except OSError as error:
        log.warning("could not keep a copy of %s in %s: %s", archive.name, cached.parent, error)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _download(spec: DatasetSpec, cache: Path) -> dict[str, bytes]:
    """Fetch ``spec.url`` with a progress bar, verify it, then keep it in ``cache``."""
    cache.mkdir(parents=True, exist_ok=True)
    remove_stale(cache, ".download-*")  # what a killed download left
    staging = Path(tempfile.mkdtemp(prefix=".download-", dir=cache))
    try:
        fetched = Path(
            pooch.retrieve(
                spec.url, known_hash=None, fname=spec.archive_name, path=staging, progressbar=True
            )
        )
        files = read_verified(fetched, spec)
        os.replace(fetched, cache / spec.archive_name)
        return files
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def fetch_dataset(
    spec: DatasetSpec, mirrors: list[Path], cache: Path | None = None
) -> tuple[dict[str, bytes], str]:
    """The verified photo files of ``spec`` and a description of where they were found.

    Looks in ``cache`` (default :func:`data_home`), then in each folder of ``mirrors`` that
    exists, then downloads. A verified archive from a mirror or the URL is kept in ``cache``, so
    that the next run finds it there wherever it runs. Raises :class:`ArchiveError` listing every
    source tried (skipped mirrors too, with the reason) when none gives the expected content.
    """
    cache = data_home() if cache is None else cache
    problems = []
    cached = cache / spec.archive_name
    if cached.exists():
        try:
            return read_verified(cached, spec), f"cache {cached}"
        except ArchiveError as error:
            log.warning("deleting a bad cached archive: %s", error)
            try:
                cached.unlink()
            except OSError as failure:  # a folder, or a read-only cache: left, and said
                log.warning("could not delete %s (%s); delete it by hand", cached, failure)
            problems.append(f"cache: {error}")
    for folder in mirrors:
        if not folder.is_dir():
            why = "is not a folder" if folder.exists() else "does not exist"
            log.info("mirror %s %s; skipped", folder, why)
            problems.append(f"mirror {folder}: {why}; skipped")
            continue
        source = _mirror_source(folder, spec)
        if source is None:
            problems.append(f"mirror {folder}: holds neither {spec.archive_name} nor Dataset/")
            continue
        try:
            files = read_verified(source, spec)
        except ArchiveError as error:
            problems.append(f"mirror: {error}")
            continue
        if source.is_file():
            _keep(source, cached)
        return files, f"mirror {source}"
    try:
        return _download(spec, cache), f"download {spec.url}"
    except ArchiveError as error:
        problems.append(f"download: {error}")
    except Exception as error:  # network failures come in many types (requests, OSError, ...)
        problems.append(f"download {spec.url}: {type(error).__name__}: {error}")
    raise ArchiveError(
        "could not obtain the Sign Language Digits photos; tried:\n  " + "\n  ".join(problems)
    )
