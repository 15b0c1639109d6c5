"""The download stage's work: the photos as arrays, from the dataset or a course-format file."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from signnet.data.archive import SIGN_LANGUAGE_DIGITS, ArchiveError
from signnet.data.course import read_course_file, sha256_of
from signnet.data.fetch import fetch_dataset
from signnet.data.images import decode_dataset
from signnet.params import DownloadParams

log = logging.getLogger(__name__)

CITATION = (
    'Mavi, A. (2020), "A New Dataset and Proposed Convolutional Neural Network Architecture '
    'for Classification of American Sign Language Digits", arXiv:2011.08927'
)


def load_photos(params: DownloadParams, root: Path) -> tuple[dict[str, np.ndarray], dict]:
    """Images uint8 (N, S, S), digits (N,) and files (N,), plus a record of their source.

    Relative paths in ``params`` (mirrors, course file) are taken from ``root``. The record
    describes what the data is (not where this machine found it), so it is the same on every
    machine.
    """
    if params.course_file is not None:
        path = root / params.course_file
        if not path.is_file():
            raise ArchiveError(f"download.course_file = {params.course_file!r}: no such file")
        arrays = read_course_file(path, params.image_size)
        source = {"kind": "course file", "file": path.name, "sha256": sha256_of(path)}
    else:
        spec = SIGN_LANGUAGE_DIGITS
        files, where = fetch_dataset(spec, [root / m for m in params.mirrors])
        log.info("found %d verified files in %s", len(files), where)
        arrays = decode_dataset(files, params.image_size)
        source = {
            "kind": "Sign Language Digits Dataset",
            "repository": "https://github.com/ardamavi/Sign-Language-Digits-Dataset",
            "commit": spec.commit,
            "commit_date": spec.commit_date,
            "url": spec.url,
            "fingerprint": spec.fingerprint,
            "license": "Apache License 2.0",
            "citation": CITATION,
        }
    digits, counts = np.unique(arrays["digits"], return_counts=True)
    source["image_size"] = params.image_size
    source["images"] = int(len(arrays["digits"]))
    source["images_per_digit"] = {str(d): int(c) for d, c in zip(digits, counts, strict=True)}
    return arrays, source
