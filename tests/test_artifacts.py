import logging

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
    with pytest.raises(ArtifactError, match="without pickle"):
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
