"""MNIST as a source: the checked IDX reader, and the four files found like the photos (cache,
mirror, download), on IDX files written here (this machine cannot reach the real ones)."""

import dataclasses
import gzip
import hashlib
import re
import struct

import numpy as np
import pytest

from signnet.data import idx, mnist
from signnet.data.archive import ArchiveError
from signnet.data.idx import IDXError, read_idx
from signnet.data.mnist import MNIST, fetch_mnist, read_mnist
from signnet.params import ParamError
from signnet.pipeline.download import load_photos, workspaces
from tests.conftest import repo_params

# IDX type codes of the arrays the tests write.
CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int32): 0x0C, np.dtype(np.float32): 0x0D}


def write_idx(array: np.ndarray) -> bytes:
    """``array`` as an IDX file: magic, big-endian sizes, big-endian values."""
    header = bytes([0, 0, CODES[array.dtype], array.ndim]) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


@pytest.mark.parametrize(
    "array",
    [
        np.arange(24, dtype=np.uint8).reshape(2, 3, 4),
        np.array([-5, 70000, 3], dtype=np.int32),
        np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3),
    ],
)
@pytest.mark.parametrize("packed", [False, True])
def test_idx_files_read_back_plain_and_gzipped(array, packed):
    data = write_idx(array)
    out = read_idx(gzip.compress(data, mtime=0) if packed else data, "a.idx")
    assert out.dtype == array.dtype and np.array_equal(out, array)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x01\x00\x08\x01" + struct.pack(">I", 1) + b"\x00", "not an IDX file"),
        (b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00", "unknown IDX type code 0x07"),
        (b"\x00\x00\x08\x00", "an IDX file with no dimensions"),
        (b"\x00\x00\x08\x03\x00\x00", "truncated inside its header"),
        (
            b"\x00\x00\x08\x01" + struct.pack(">I", 3) + b"\x00\x00",
            "10 bytes where shape (3,) of uint8 needs 11",
        ),
        (
            b"\x00\x00\x08\x01" + struct.pack(">I", 1) + b"\x00\x00",
            "10 bytes where shape (1,) of uint8 needs 9",
        ),
        (b"\x1f\x8b\x08\x00garbage", "a damaged or truncated gzip file"),
    ],
)
def test_anything_else_is_a_clear_error_naming_the_file(data, message):
    with pytest.raises(IDXError, match=f"^bad.idx: {re.escape(message)}"):
        read_idx(data, "bad.idx")


def test_a_gzip_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(idx, "MAX_IDX_BYTES", 1000)
    bomb = gzip.compress(write_idx(np.zeros(5000, np.uint8)))
    with pytest.raises(IDXError, match=r"^bomb.gz: unpacks to more than 1,000 bytes; refused"):
        read_idx(bomb, "bomb.gz")


def tiny_mnist(tmp_path):
    """The four MNIST files for 6 training and 4 test images of 5 x 5, in a mirror folder, and a
    spec whose MD5s are theirs (port 9 refuses: no download)."""
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (6, 5, 5)).astype(np.uint8),
        "train-labels-idx1-ubyte.gz": np.array([0, 1, 2, 3, 4, 5], np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (4, 5, 5)).astype(np.uint8),
        "t10k-labels-idx1-ubyte.gz": np.array([6, 7, 8, 9], np.uint8),
    }
    mirror = tmp_path / "mirror" / "mnist"
    mirror.mkdir(parents=True)
    md5 = {}
    for name, array in arrays.items():
        data = gzip.compress(write_idx(array), mtime=0)
        (mirror / name).write_bytes(data)
        md5[name] = hashlib.md5(data).hexdigest()
    spec = dataclasses.replace(MNIST, base_url="http://127.0.0.1:9/", md5=md5)
    return arrays, mirror.parent, spec


def test_the_four_files_are_found_in_a_mirror_verified_and_merged(tmp_path):
    arrays, mirror, spec = tiny_mnist(tmp_path)
    out, source = fetch_mnist([mirror], tmp_path / "cache", spec)
    images = np.concatenate(
        [arrays["train-images-idx3-ubyte.gz"], arrays["t10k-images-idx3-ubyte.gz"]]
    )
    assert np.array_equal(out["images"], images)
    assert list(out["digits"]) == list(range(10))
    assert list(out["files"][:2]) == ["mnist/train/0", "mnist/train/1"]
    assert out["files"][-1] == "mnist/t10k/3"
    assert source["kind"] == "MNIST" and source["md5"] == spec.md5


def test_files_that_do_not_match_and_no_connection_say_what_is_needed(tmp_path):
    _, mirror, spec = tiny_mnist(tmp_path)
    (mirror / "mnist" / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not it")
    with pytest.raises(ArchiveError) as caught:
        fetch_mnist([mirror], tmp_path / "cache", spec)
    message = str(caught.value)
    assert "could not obtain the MNIST file t10k-labels-idx1-ubyte.gz" in message
    assert "needs a connection to http://127.0.0.1:9/ or a mirror folder" in message
    assert "MD5 " in message and "not the published" in message


def test_a_file_that_is_a_device_or_a_fifo_is_named_never_read(tmp_path):
    import os

    _, mirror, spec = tiny_mnist(tmp_path)
    (mirror / "mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    (mirror / "mnist" / "t10k-labels-idx1-ubyte.gz").symlink_to("/dev/zero")
    os.mkfifo(mirror / "t10k-labels-idx1-ubyte.gz")  # the mirror's own folder comes first
    with pytest.raises(ArchiveError) as caught:
        fetch_mnist([mirror], tmp_path / "cache", spec)
    message = str(caught.value)
    assert "t10k-labels-idx1-ubyte.gz: is a FIFO" in message
    assert "t10k-labels-idx1-ubyte.gz: is a character device" in message


def test_files_that_disagree_are_refused(tmp_path):
    arrays, _, spec = tiny_mnist(tmp_path)
    files = {name: write_idx(a) for name, a in arrays.items()}
    files["t10k-labels-idx1-ubyte.gz"] = write_idx(np.array([1, 2], np.uint8))
    with pytest.raises(IDXError, match=r"t10k-labels-idx1-ubyte.gz: shape \(2,\); expected \(4,\)"):
        read_mnist(files, spec)
    files["t10k-labels-idx1-ubyte.gz"] = write_idx(np.array([1, 2, 3, 12], np.uint8))
    with pytest.raises(IDXError, match="labels from 1 to 12; expected digits 0 to 9"):
        read_mnist(files, spec)


def test_the_download_stage_reads_mnist_when_the_source_says_so(tmp_path, monkeypatch):
    arrays, mirror, spec = tiny_mnist(tmp_path)
    monkeypatch.setattr(mnist, "MNIST", spec)
    monkeypatch.setenv("SIGNNET_DATA", str(tmp_path / "cache"))
    params = repo_params(download={"source": "mnist", "image_size": 8, "mirrors": [str(mirror)]})
    out, source = load_photos(params.download, root=tmp_path)
    assert out["images"].shape == (10, 8, 8) and source["images"] == 10
    assert source["images_per_digit"] == {str(d): 1 for d in range(10)}


@pytest.mark.parametrize(
    ("download", "message"),
    [
        ({"source": "course-file"}, "download.course_file = None must name a file"),
        ({"course_file": "x.npz"}, "download.course_file = 'x.npz' is only read when"),
    ],
)
def test_the_course_file_and_the_source_must_agree_before_any_work(download, message):
    with pytest.raises(ParamError, match=message):
        repo_params(download=download)


def test_relative_paths_are_found_from_an_experiment_workspace(tmp_path):
    """dvc exp run --temp and --queue run in <repo>/.dvc/tmp/exps/<name>: a relative mirror or
    course file is taken from there, then from the repository it copies."""
    repo = tmp_path / "work" / "repo"
    workspace = repo / ".dvc" / "tmp" / "exps" / "tmpab12"
    workspace.mkdir(parents=True)
    assert workspaces(workspace) == [workspace, repo]
    assert workspaces(repo) == [repo]
    digits = np.arange(20) % 10
    np.savez(repo / "course.npz", dataset=np.full((20, 64), 0.5), labels=digits)
    params = repo_params(download={"source": "course-file", "course_file": "course.npz"})
    assert load_photos(params.download, root=workspace)[0]["digits"].tolist() == digits.tolist()


def test_a_course_file_that_is_not_there_is_named(tmp_path):
    params = repo_params(download={"source": "course-file", "course_file": "missing.npz"})
    with pytest.raises(ParamError, match="download.course_file = 'missing.npz' is not a file"):
        load_photos(params.download, root=tmp_path)
