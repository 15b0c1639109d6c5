"""The download stage's work: the images as arrays, from the source ``download.source`` names."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from signnet.data.sources import COURSE_SOURCE, SOURCES
from signnet.params import DownloadParams, ParamError

log = logging.getLogger(__name__)


def load_photos(params: DownloadParams, root: Path) -> tuple[dict[str, np.ndarray], dict]:
    """Images uint8 (N, S, S), digits (N,) and files (N,), plus a record of their source.

    Relative paths in ``params`` (mirrors, course file) are taken from ``root``. The record
    describes what the data is (not where this machine found it), so it is the same on every
    machine.
    """
    course_file = None  # download.source and download.course_file agree (signnet.params)
    if params.source == COURSE_SOURCE:
        course_file = root / params.course_file
        if not course_file.is_file():
            raise ParamError([("download.course_file", params.course_file, "is not a file")])
    arrays, source = SOURCES[params.source](
        params.image_size, [root / m for m in params.mirrors], course_file
    )
    log.info("read %d images from %s", len(arrays["digits"]), source["kind"])
    digits, counts = np.unique(arrays["digits"], return_counts=True)
    source["image_size"] = params.image_size
    source["images"] = int(len(arrays["digits"]))
    source["images_per_digit"] = {str(d): int(c) for d, c in zip(digits, counts, strict=True)}
    return arrays, source
