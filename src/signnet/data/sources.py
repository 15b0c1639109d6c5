"""The sources the download stage reads (``download.source``), by name.

Each loader takes the image size, the mirror folders and the course file (absolute paths) and
returns the images uint8 (N, S, S), digits (N,) and files (N,), with a record of what the data is
(never where this machine found it, so that it is the same on every machine).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from signnet.data.archive import SIGN_LANGUAGE_DIGITS
from signnet.data.course import read_course_file, sha256_of
from signnet.data.fetch import data_home, fetch_dataset
from signnet.data.images import decode_dataset, resize_all
from signnet.data.mnist import fetch_mnist

Loader = Callable[[int, list[Path], Path | None], tuple[dict[str, np.ndarray], dict]]

SIGN_DIGITS_CITATION = (
    'Mavi, A. (2020), "A New Dataset and Proposed Convolutional Neural Network Architecture '
    'for Classification of American Sign Language Digits", arXiv:2011.08927'
)


def sign_digits(size: int, mirrors: list[Path], course_file: Path | None) -> tuple[dict, dict]:
    """The Sign Language Digits photos, verified and decoded."""
    spec = SIGN_LANGUAGE_DIGITS
    files, _ = fetch_dataset(spec, mirrors)
    source = {
        "kind": "Sign Language Digits Dataset",
        "repository": "https://github.com/ardamavi/Sign-Language-Digits-Dataset",
        "commit": spec.commit,
        "commit_date": spec.commit_date,
        "url": spec.url,
        "fingerprint": spec.fingerprint,
        "license": "Apache License 2.0",
        "citation": SIGN_DIGITS_CITATION,
        # The dataset's README: 218 students, 10 photos each; the files do not say whose.
        "signers": 218,
        "signer_recorded": False,
    }
    return decode_dataset(files, size), source


def mnist(size: int, mirrors: list[Path], course_file: Path | None) -> tuple[dict, dict]:
    """MNIST's four IDX files, verified, merged and resized to ``size``."""
    arrays, source = fetch_mnist(mirrors, data_home() / "mnist")
    return arrays | {"images": resize_all(arrays["images"], size)}, source


def course(size: int, mirrors: list[Path], course_file: Path | None) -> tuple[dict, dict]:
    """A course-format file."""
    arrays = read_course_file(course_file, size)
    return arrays, {
        "kind": "course file",
        "file": course_file.name,
        "sha256": sha256_of(course_file),
    }


def sign_digit_photos(mirrors: list[Path]) -> dict[str, bytes]:
    """The Sign Language Digits photo files, verified: path in the archive -> encoded bytes."""
    return fetch_dataset(SIGN_LANGUAGE_DIGITS, mirrors)[0]


SOURCES: dict[str, Loader] = {"sign-digits": sign_digits, "mnist": mnist, "course-file": course}
# The sources whose images are photos a person takes, with their original files by name (the
# ``files`` of the images): what the robustness measurement changes (signnet.data.changes).
PHOTO_FILES: dict[str, Callable[[list[Path]], dict[str, bytes]]] = {
    "sign-digits": sign_digit_photos
}
# The source that reads download.course_file (the others must leave it null).
COURSE_SOURCE = "course-file"
