import numpy as np
import pytest

from signnet.data.split import SplitError, split_dataset, stratified_indices
from signnet.data.subset import ClassError, select_classes


def dataset(digits):
    digits = np.asarray(digits)
    n = len(digits)
    images = np.random.default_rng(0).integers(0, 256, (n, 4, 4), dtype=np.uint8)
    return {"images": images, "digits": digits, "files": np.array([f"f{i}" for i in range(n)])}


def test_filter_keeps_listed_classes_in_list_order():
    out = select_classes(dataset([1, 8, 6, 8, 3, 6]), [8, 6])
    assert list(out["digits"]) == [8, 6, 8, 6]
    assert list(out["labels"]) == [0, 1, 0, 1]
    assert list(out["files"]) == ["f1", "f2", "f3", "f5"]
    assert list(out["classes"]) == [8, 6]


def test_filter_names_a_digit_with_no_photo():
    with pytest.raises(ClassError, match=r"no photo of digit\(s\) \[9\]"):
        select_classes(dataset([6, 8]), [6, 9])


def test_split_is_stratified_disjoint_and_seeded():
    labels = np.array([0] * 207 + [1] * 208)
    train, test = stratified_indices(labels, 2, 0.2, seed=1)
    assert np.bincount(labels[test]).tolist() == [41, 42]
    assert np.bincount(labels[train]).tolist() == [166, 166]
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(415))
    again = stratified_indices(labels, 2, 0.2, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip((train, test), again, strict=True))
    other = stratified_indices(labels, 2, 0.2, seed=2)
    assert not np.array_equal(test, other[1])


@pytest.mark.parametrize(("fraction", "side"), [(0.1, "test"), (0.95, "training")])
def test_split_leaving_a_class_empty_is_rejected(fraction, side):
    labels = np.array([0] * 4 + [1] * 40)
    with pytest.raises(SplitError, match=f"class 0 has 4 sample.s., which leaves it no {side}"):
        stratified_indices(labels, 2, fraction, seed=0)


def test_unit_scaling_and_standardisation_fitted_on_train_only():
    data = select_classes(dataset([6, 8] * 20), [6, 8])
    train, test = split_dataset(data, 0.25, "unit", seed=0)
    assert train["x"].shape == (30, 16) and test["x"].shape == (10, 16)
    np.testing.assert_array_equal(test["x"], test["images"].reshape(10, 16) / 255.0)
    train, test = split_dataset(data, 0.25, "standardize", seed=0)
    np.testing.assert_allclose(train["x"].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(train["x"].std(axis=0), 1)
    assert np.abs(test["x"].mean(axis=0)).max() > 1e-3  # test statistics were not used
    pixels = train["images"].reshape(30, 16).astype(float)
    np.testing.assert_allclose(train["offset"], pixels.mean(axis=0))
