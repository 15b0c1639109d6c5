"""MNIST (LeCun et al., 1998), the data of the fourth reference README, as a second source.

Its four gzipped IDX files are found like the photos (see :mod:`signnet.data.fetch`): in the
user's data cache (``<cache>/mnist/``), then in each mirror folder (directly or in ``mnist/``),
then downloaded with pooch from the pinned location. Each file is checked against its published
MD5 before use. The training and test files are merged (60,000 + 10,000 images of 28 x 28): the
pipeline draws its own stratified split, as it does for the photos.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from pathlib import Path

import numpy as np
import pooch

from signnet.data.archive import ArchiveError, fingerprint
from signnet.data.idx import MAX_IDX_BYTES, IDXError, read_idx
from signnet.files import UserFileError, read_user_file

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class MnistSpec:
    """Where the four IDX files are served and the MD5 of each (file name -> hex digest)."""

    base_url: str
    md5: dict[str, str]
    # The (images, labels) file pairs, in the order their images are stacked.
    parts: tuple[tuple[str, str, str], ...]  # (part name, images file, labels file)


MNIST = MnistSpec(
    # PyTorch's copy of the files on yann.lecun.com, which now asks for a login.
    base_url="https://ossci-datasets.s3.amazonaws.com/mnist/",
    md5={
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    parts=(
        ("train", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
        ("t10k", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
    ),
)
CITATION = (
    'LeCun, Y., Bottou, L., Bengio, Y. and Haffner, P. (1998), "Gradient-based learning applied '
    'to document recognition", Proceedings of the IEEE 86(11), 2278-2324'
)


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _find(name: str, spec: MnistSpec, mirrors: list[Path], cache: Path) -> tuple[bytes, str]:
    """The verified bytes of the file ``name`` and where they were found."""
    problems = []
    candidates = [cache / name] + [m / sub / name for m in mirrors for sub in (".", "mnist")]
    for path in candidates:
        if path.exists() or path.is_symlink():
            try:  # a regular file within the limit, like every file a user names
                data = read_user_file(path, f"the MNIST file {name}", MAX_IDX_BYTES)
            except UserFileError as error:
                problems.append(str(error))
                continue
            digest = _md5(data)
            if digest == spec.md5[name]:
                return data, str(path)
            problems.append(f"{path}: MD5 {digest}, not the published {spec.md5[name]}")
    try:
        fetched = pooch.retrieve(
            spec.base_url + name,
            known_hash=f"md5:{spec.md5[name]}",
            fname=name,
            path=cache,
            progressbar=True,
        )
        return Path(fetched).read_bytes(), f"download {spec.base_url + name}"
    except Exception as error:  # network failures come in many types (requests, OSError, ...)
        problems.append(f"download {spec.base_url + name}: {type(error).__name__}: {error}")
    raise ArchiveError(
        f"could not obtain the MNIST file {name}; it needs a connection to {spec.base_url} or a "
        "mirror folder in download.mirrors that holds the four files (directly or in mnist/). "
        "Tried:\n  " + "\n  ".join(problems)
    )


def read_mnist(files: dict[str, bytes], spec: MnistSpec) -> dict[str, np.ndarray]:
    """Images uint8 (N, 28, 28), digits (N,) and files (N,) (``mnist/<part>/<index>``) from the
    IDX files ``files`` (name -> bytes), each pair checked to agree."""
    images, digits, names = [], [], []
    for part, image_file, label_file in spec.parts:
        pixels = read_idx(files[image_file], image_file)
        labels = read_idx(files[label_file], label_file)
        if pixels.ndim != 3 or pixels.dtype != np.uint8:
            raise IDXError(
                f"{image_file}: {pixels.dtype} of shape {pixels.shape}; expected "
                "unsigned bytes of shape (N, rows, columns)"
            )
        if labels.ndim != 1 or labels.shape[0] != pixels.shape[0]:
            raise IDXError(
                f"{label_file}: shape {labels.shape}; expected ({pixels.shape[0]},), "
                f"one label per image of {image_file}"
            )
        if labels.size and (labels.min() < 0 or labels.max() > 9):
            raise IDXError(
                f"{label_file}: labels from {labels.min()} to {labels.max()}; "
                "expected digits 0 to 9"
            )
        images.append(pixels)
        digits.append(labels.astype(np.int64))
        width = len(str(len(labels) - 1))
        names += [f"mnist/{part}/{i:0{width}d}" for i in range(len(labels))]
    if len({p.shape[1:] for p in images}) > 1:
        raise IDXError(f"the image files differ in size: {[p.shape[1:] for p in images]}")
    return {
        "images": np.concatenate(images),
        "digits": np.concatenate(digits),
        "files": np.array(names),
    }


def fetch_mnist(
    mirrors: list[Path], cache: Path, spec: MnistSpec | None = None
) -> tuple[dict[str, np.ndarray], dict]:
    """The MNIST images (see :func:`read_mnist`) of ``spec`` (default :data:`MNIST`) and a
    record of the source."""
    spec = MNIST if spec is None else spec
    cache.mkdir(parents=True, exist_ok=True)
    files = {}
    for name in spec.md5:
        files[name], where = _find(name, spec, mirrors, cache)
        log.info("%s: verified, from %s", name, where)
    source = {
        "kind": "MNIST",
        "url": spec.base_url,
        "md5": dict(spec.md5),
        "fingerprint": fingerprint(files),  # as the photos': sha256 of the files' manifest
        "citation": CITATION,
    }
    return read_mnist(files, spec), source
