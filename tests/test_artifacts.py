import io
import logging
import time
import zipfile

import numpy as np
import pytest

from signnet.artifacts import (
    ArtifactError,
    atomic_directory,
    atomic_path,
    load_npz,
    save_json,
    save_npz,
)


def test_npz_is_byte_identical_and_round_trips(tmp_path):
    arrays = {"x": np.arange(12.0).reshape(3, 4), "files": np.array(["a.JPG", "b.JPG"])}
    save_npz(tmp_path / "a.npz", arrays)
    save_npz(tmp_path / "b.npz", arrays)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    loaded = load_npz(tmp_path / "a.npz", required=("x", "files"))
    np.testing.assert_array_equal(loaded["x"], arrays["x"])
    np.testing.assert_array_equal(loaded["files"], arrays["files"])


def test_object_arrays_are_refused_and_nothing_is_left(tmp_path):
    with pytest.raises(TypeError, match="pickle"):
        save_npz(tmp_path / "o.npz", {"o": np.array([{"a": 1}], dtype=object)})
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "out.json"
    save_json(target, {"v": 1})
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert target.read_text() == '{\n  "v": 1\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_load_errors_name_the_file(tmp_path):
    with pytest.raises(ArtifactError, match="missing.npz: file does not exist"):
        load_npz(tmp_path / "missing.npz")
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(ArtifactError, match="bad.npz: not a .npz file"):
        load_npz(tmp_path / "bad.npz")
    save_npz(tmp_path / "x.npz", {"x": np.zeros(2)})
    with pytest.raises(ArtifactError, match="lacks array.s. y; it holds x"):
        load_npz(tmp_path / "x.npz", required=("y",))
    np.savez(tmp_path / "pickled.npz", o=np.array([None], dtype=object))
    with pytest.raises(ArtifactError, match="array 'o' holds Python objects .object., which are"):
        load_npz(tmp_path / "pickled.npz")


def test_what_a_killed_write_left_is_removed_by_the_next_write(tmp_path, caplog):
    stale_file = tmp_path / ".images.npz.k1ll3d.tmp"  # as atomic_path names them
    stale_file.write_bytes(b"half an archive")
    stale_folder = tmp_path / ".figures.x9.tmp"  # as atomic_directory names them
    stale_folder.mkdir()
    (stale_folder / "a.png").write_bytes(b"png")
    other = tmp_path / ".other.npz.k1ll3d.tmp"  # another target's: left to its own next write
    other.write_bytes(b"")
    with caplog.at_level(logging.INFO, logger="signnet"):
        save_npz(tmp_path / "images.npz", {"x": np.zeros(2)})
        with atomic_directory(tmp_path / "figures") as folder:
            (folder / "b.png").write_bytes(b"png")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".other.npz.k1ll3d.tmp",
        "figures",
        "images.npz",
    ]
    assert "left by an interrupted write" in caplog.text


def _npz_with_member(path, name: str, header_shape: tuple, data: bytes, compress=True):
    """A .npz whose member ``name`` has an .npy header declaring float64 ``header_shape`` and
    ``data`` after it (a bomb when ``data`` is long zeros, compressed)."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": header_shape}
    )
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", method) as archive:
        archive.writestr("format.npy", _npy(np.array("x")))
        archive.writestr(name, header.getvalue() + data)
    return path


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def test_a_member_that_inflates_beyond_the_limit_is_refused_before_inflating(tmp_path):
    zeros = 64 * 1024 * 1024  # 64 MiB of zeros: about 64 KiB deflated
    bomb = _npz_with_member(tmp_path / "bomb.npz", "layer0.W.npy", (zeros // 8,), bytes(zeros))
    assert bomb.stat().st_size < 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(ArtifactError, match=r"array 'layer0.W' inflates to 64.0 MiB; a .npz"):
        load_npz(bomb, limit=4 * 1024 * 1024)
    assert time.perf_counter() - started < 5  # refused from the directory, never inflated


def test_a_header_that_declares_more_than_the_member_holds_is_refused(tmp_path):
    huge = _npz_with_member(tmp_path / "huge.npz", "x.npy", (1 << 40,), bytes(64), False)
    with pytest.raises(ArtifactError, match=r"array 'x' declares float64 \(1099511627776,\)"):
        load_npz(huge)


def test_member_names_are_checked_before_any_array_is_read(tmp_path):
    path = tmp_path / "odd.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../escape.npy", _npy(np.zeros(2)))
    with pytest.raises(ArtifactError, match=r"member '../escape.npy' is not an array"):
        load_npz(path)
    save_npz(path, {"extra": np.zeros(2)})
    with pytest.raises(ArtifactError, match=r"'extra' is not an array of a test file"):
        load_npz(path, what="a test file", names=lambda name: name != "extra")


def test_a_write_that_fails_names_the_output_not_its_temporary_file(tmp_path):
    from signnet.artifacts import write_bytes

    (tmp_path / "file").write_text("not a folder")
    target = tmp_path / "file" / "model.npz"
    with pytest.raises(OSError) as raised:
        write_bytes(target, b"x")
    assert raised.value.filename == str(target) and raised.value.strerror

    def full_disk(*args):
        raise OSError(28, "No space left on device")  # as a write on a full disk, no name

    with pytest.raises(OSError) as raised, atomic_path(tmp_path / "out.bin") as tmp:
        full_disk(tmp)
    assert raised.value.filename == str(tmp_path / "out.bin")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # no temporary left


def test_encrypted_members_other_methods_and_empty_items_are_refused(tmp_path):
    path = tmp_path / "x.npz"
    save_npz(path, {"x": np.zeros(2)})
    data = bytearray(path.read_bytes())
    data[6] |= 0x1  # the local header's "encrypted" flag
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x1  # and the central directory's
    (tmp_path / "encrypted.npz").write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="array 'x' is encrypted; refused"):
        load_npz(tmp_path / "encrypted.npz")
    with zipfile.ZipFile(tmp_path / "bz2.npz", "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("x.npy", _npy(np.zeros(2)))
    with pytest.raises(ArtifactError, match="zip method 12; only stored or deflated is read"):
        load_npz(tmp_path / "bz2.npz")
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "|V0", "fortran_order": False, "shape": (10**12,)}
    )
    with zipfile.ZipFile(tmp_path / "v0.npz", "w") as archive:
        archive.writestr("x.npy", header.getvalue())
    with pytest.raises(ArtifactError, match=r"array 'x' has dtype \|V0, whose items hold nothing"):
        load_npz(tmp_path / "v0.npz")
