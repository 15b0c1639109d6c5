"""The download stage's work: the images as arrays, from the source ``download.source`` names."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from signnet.data.sources import COURSE_SOURCE, PHOTO_FILES, SOURCES
from signnet.params import DownloadParams, ParamError

log = logging.getLogger(__name__)


# Where DVC puts an experiment's copy of the repository (dvc exp run --temp, --queue):
# <repository>/.dvc/tmp/exps/<name>/.
EXPERIMENT_WORKSPACES = (".dvc", "tmp", "exps")


def workspaces(root: Path) -> list[Path]:
    """``root``, then the repository DVC copied it from when ``root`` is one of DVC's experiment
    workspaces: the folders a relative path in params is taken from, in that order."""
    parts = root.resolve().parts
    n = len(EXPERIMENT_WORKSPACES)
    for i in range(len(parts) - n):
        if parts[i : i + n] == EXPERIMENT_WORKSPACES:
            return [root, Path(*parts[:i])]
    return [root]


def load_photos(params: DownloadParams, root: Path) -> tuple[dict[str, np.ndarray], dict]:
    """Images uint8 (N, S, S), digits (N,) and files (N,), plus a record of their source.

    Relative paths in ``params`` (mirrors, course file) are taken from ``root`` and, in one of
    DVC's experiment workspaces, from the repository it copies too (:func:`workspaces`), so that
    ``dvc exp run --temp`` finds what ``dvc repro`` finds. The record describes what the data is
    (not where this machine found it), so it is the same on every machine.
    """
    folders = workspaces(root)
    course_file = None  # download.source and download.course_file agree (signnet.params)
    if params.source == COURSE_SOURCE:
        candidates = [folder / params.course_file for folder in folders]
        course_file = next((c for c in candidates if c.is_file()), None)
        if course_file is None:
            raise ParamError([("download.course_file", params.course_file, "is not a file")])
    arrays, source = SOURCES[params.source](
        params.image_size, _mirrors(params, folders), course_file
    )
    log.info("read %d images from %s", len(arrays["digits"]), source["kind"])
    digits, counts = np.unique(arrays["digits"], return_counts=True)
    source["image_size"] = params.image_size
    source["images"] = int(len(arrays["digits"]))
    source["images_per_digit"] = {str(d): int(c) for d, c in zip(digits, counts, strict=True)}
    return arrays, source


def _mirrors(params: DownloadParams, folders: list[Path]) -> list[Path]:
    """``download.mirrors`` taken from each of ``folders`` (see :func:`workspaces`)."""
    return list(dict.fromkeys(folder / m for m in params.mirrors for folder in folders))


def photo_files(params: DownloadParams, root: Path) -> dict[str, bytes] | None:
    """The original photo files of the source ``download.source`` names (path -> encoded bytes),
    found as :func:`load_photos` finds them; None for a source that is not photos (MNIST, a
    course file)."""
    if params.source not in PHOTO_FILES:
        return None
    return PHOTO_FILES[params.source](_mirrors(params, workspaces(root)))
