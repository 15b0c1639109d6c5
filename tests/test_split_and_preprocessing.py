import numpy as np
import pytest

from signnet.data.preprocessing import Preprocessing, PreprocessingError
from signnet.data.stratify import StratifyError, stratified_indices
from signnet.data.subset import ClassError, select_classes
from signnet.pipeline.split import split_dataset


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
    train, test = stratified_indices(labels, [6, 8], 0.2, seed=1)
    assert np.bincount(labels[test]).tolist() == [41, 42]
    assert np.bincount(labels[train]).tolist() == [166, 166]
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(415))
    again = stratified_indices(labels, [6, 8], 0.2, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip((train, test), again, strict=True))
    other = stratified_indices(labels, [6, 8], 0.2, seed=2)
    assert not np.array_equal(test, other[1])


@pytest.mark.parametrize(("fraction", "side"), [(0.1, "test"), (0.95, "training")])
def test_split_leaving_a_class_empty_is_rejected(fraction, side):
    labels = np.array([0] * 4 + [1] * 40)
    with pytest.raises(StratifyError, match=f"digit 6 has 4 sample.s., which leaves it no {side}"):
        stratified_indices(labels, [6, 8], fraction, seed=0)


def test_unit_scaling_and_standardisation_fitted_on_train_only():
    data = select_classes(dataset([6, 8] * 20), [6, 8])
    train, test, unit = split_dataset(data, 0.25, "unit", seed=0)
    assert "x" not in train and train["images"].shape == (30, 4, 4)  # images, no second copy
    assert (unit.scaling, unit.image_size) == ("unit", 4)
    np.testing.assert_array_equal(
        unit.features(test["images"]), test["images"].reshape(10, 16) / 255
    )
    train, test, standard = split_dataset(data, 0.25, "standardize", seed=0)
    x_train, x_test = standard.features(train["images"]), standard.features(test["images"])
    np.testing.assert_allclose(x_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(x_train.std(axis=0), 1)
    assert np.abs(x_test.mean(axis=0)).max() > 1e-3  # test statistics were not used
    pixels = train["images"].reshape(30, 16).astype(float)
    np.testing.assert_allclose(standard.offset, pixels.mean(axis=0))
    assert int(test["seed"]) == 0 and float(test["test_fraction"]) == 0.25


def test_a_constant_pixel_keeps_scale_one():
    images = np.zeros((5, 2, 2), dtype=np.uint8)
    images[:, 0, 0] = [0, 10, 20, 30, 40]
    fitted = Preprocessing.fit(images, "standardize")
    assert fitted.scale.tolist()[1:] == [1.0, 1.0, 1.0]
    assert np.isfinite(fitted.features(images)).all()


def test_preprocessing_round_trips_through_arrays_and_refuses_other_sizes():
    images = np.random.default_rng(0).integers(0, 256, (6, 3, 3), dtype=np.uint8)
    fitted = Preprocessing.fit(images, "standardize")
    again = Preprocessing.from_arrays(fitted.to_arrays(), "here")
    np.testing.assert_array_equal(again.features(images), fitted.features(images))
    with pytest.raises(PreprocessingError, match=r"takes \(N, 3, 3\)"):
        fitted.features(np.zeros((1, 4, 4), dtype=np.uint8))
    with pytest.raises(PreprocessingError, match="here: lacks preprocessing array.s. scale"):
        Preprocessing.from_arrays(
            {k: v for k, v in fitted.to_arrays().items() if k != "scale"}, "here"
        )
    with pytest.raises(
        PreprocessingError, match="scaling 'minmax' is not one of unit, standardize"
    ):
        Preprocessing.fit(images, "minmax")


def test_the_largest_seeds_params_allow_run_and_are_stored(tmp_path):
    """Every seed that passes validation splits, trains and is stored (as int64)."""
    from signnet.artifacts import load_npz, save_npz
    from signnet.params import Seed
    from signnet.pipeline.train import train_network
    from tests.conftest import repo_params

    largest = next(m.le for m in Seed.__metadata__[0].metadata if hasattr(m, "le"))
    photos = select_classes(dataset([6, 8] * 8), [6, 8])
    train, test, unit = split_dataset(photos, 0.25, "unit", seed=largest)
    save_npz(tmp_path / "train.npz", train)
    assert load_npz(tmp_path / "train.npz")["seed"] == largest
    params = repo_params(model={"hidden": [3]}, train={"epochs": 1, "seed": largest})
    result = train_network(train, test, unit, params.model, params.train)
    assert result.history


def test_photo_scaling_takes_a_photo_s_brightness_and_contrast_out():
    rng = np.random.default_rng(0)
    images = rng.integers(40, 200, (6, 8, 8)).astype(np.uint8)
    photo = Preprocessing.fit(images, "photo")
    darker = np.rint(0.5 * images.astype(float)).astype(np.uint8)
    flatter = np.rint(100 + 0.5 * (images.astype(float) - 100)).astype(np.uint8)
    for changed in (darker, flatter):
        # The same features, but for the rounding of the changed copy to whole pixel values.
        np.testing.assert_allclose(photo.features(changed), photo.features(images), atol=0.05)
        per_pixel = Preprocessing.fit(images, "standardize")
        assert np.abs(per_pixel.features(changed) - per_pixel.features(images)).mean() > 0.5
    # Fitted on the photos as standardised: each pixel's features have mean 0 over them.
    np.testing.assert_allclose(photo.features(images).mean(axis=0), 0, atol=1e-12)
