import numpy as np
import pytest

from signnet.data.archive import ArchiveError
from signnet.data.course import read_course_file


def write(tmp_path, **arrays):
    path = tmp_path / "dataset_labels.npz"
    np.savez(path, **arrays)
    return path


def test_integer_pixels_and_string_labels(tmp_path):
    dataset = np.arange(3 * 784).reshape(3, 784) % 256
    path = write(tmp_path, dataset=dataset, labels=np.array(["6", "8", " 6"]))
    out = read_course_file(path, 28)
    np.testing.assert_array_equal(out["images"].reshape(3, 784), dataset)
    assert out["images"].dtype == np.uint8
    assert list(out["digits"]) == [6, 8, 6]
    assert list(out["files"]) == [f"dataset_labels.npz#{i}" for i in range(3)]


def test_float_pixels_in_unit_range_and_resizing(tmp_path):
    path = write(tmp_path, dataset=np.full((2, 784), 0.5), labels=np.array([4, 5]))
    out = read_course_file(path, 64)
    assert out["images"].shape == (2, 64, 64)
    assert np.all(out["images"] == 128)


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"dataset": np.zeros((2, 784))}, "lacks array.s. labels"),
        ({"dataset": np.zeros((2, 780)), "labels": np.array([1, 2])}, "not square"),
        ({"dataset": np.zeros(784), "labels": np.array([1])}, "expected .N, side.side."),
        ({"dataset": np.zeros((2, 784)), "labels": np.array([1])}, r"expected \(2,\)"),
        ({"dataset": np.zeros((2, 784)), "labels": np.array([1, 12])}, "12 is outside"),
        ({"dataset": np.zeros((2, 784)), "labels": np.array(["1", "six"])}, "'six' is not"),
        ({"dataset": np.zeros((2, 784)), "labels": np.array(["1", "\u00b2"])}, "'²' is not a"),
        ({"dataset": np.zeros((2, 784)), "labels": np.array(["1", "x" * 9999])}, "10,001 char"),
        ({"dataset": np.full((2, 784), 300.0), "labels": np.array([1, 2])}, "0..255"),
        ({"dataset": np.zeros((2, 784)), "labels": np.array([1, None])}, "holds Python objects"),
        (
            {
                "dataset": np.where(np.arange(2 * 784) % 500 == 7, np.nan, 0.5).reshape(2, 784),
                "labels": np.array([1, 2]),
            },
            r"4 pixel value\(s\) are NaN or infinite, the first in image 0 \(pixel 7\)",
        ),
        (
            {
                "dataset": np.where(np.arange(2 * 784) == 800, np.inf, 9.0).reshape(2, 784),
                "labels": np.array([1, 2]),
            },
            r"1 pixel value\(s\) are NaN or infinite, the first in image 1 \(pixel 16\)",
        ),
    ],
)
def test_bad_course_files_are_named(tmp_path, arrays, message):
    path = write(tmp_path, **arrays)
    with pytest.raises(ArchiveError, match=message) as caught:
        read_course_file(path, 28)
    assert "dataset_labels.npz" in str(caught.value)
