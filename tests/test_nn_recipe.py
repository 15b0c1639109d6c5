"""Optional parts of a training recipe: augmentation, learning-rate schedules, early stopping."""

import array_api_strict
import numpy as np
import pytest

from signnet.nn.augment import Augmentation
from signnet.nn.backend import to_numpy
from signnet.nn.model import Network
from signnet.nn.optimizers import SGD
from signnet.nn.schedules import SCHEDULES
from signnet.nn.training import fit, loss_and_accuracy, train_epochs
from tests.conftest import dense
from tests.test_nn_training import blobs, split_in


class Extremes:
    """A stand-in generator whose uniform draws are all the upper bound (a chosen transform)."""

    def uniform(self, low, high, size):
        return np.full(size, high, dtype=float)


def image_batch(side=6, n=2):
    return np.random.default_rng(0).normal(size=(n, side * side))


def test_no_augmentation_is_the_identity():
    x = image_batch()
    np.testing.assert_array_equal(Augmentation(0, 0, 0).apply(x, np.random.default_rng(0)), x)


def test_a_quarter_turn_is_a_quarter_turn():
    x = image_batch()
    turned = Augmentation(0, 90, 0).apply(x, Extremes()).reshape(2, 6, 6)
    expected = np.rot90(x.reshape(2, 6, 6), k=1, axes=(1, 2))  # counter-clockwise on screen
    np.testing.assert_allclose(turned, expected, atol=1e-12)


def test_a_whole_pixel_shift_moves_the_image_and_repeats_the_edge():
    x = image_batch()
    shifted = Augmentation(1 / 6, 0, 0).apply(x, Extremes()).reshape(2, 6, 6)
    images = x.reshape(2, 6, 6)
    np.testing.assert_allclose(shifted[:, 1:, 1:], images[:, :-1, :-1], atol=1e-12)
    np.testing.assert_allclose(shifted[:, 0, 1:], images[:, 0, :-1], atol=1e-12)  # edge repeated


def test_augmentation_is_backend_neutral_and_seeded():
    x = image_batch(side=8, n=3)
    recipe = Augmentation(0.1, 15, 0.1)
    plain = recipe.apply(x, np.random.default_rng(4))
    strict = recipe.apply(array_api_strict.asarray(x), np.random.default_rng(4))
    np.testing.assert_allclose(to_numpy(strict), plain, rtol=1e-12)
    assert not np.allclose(plain, x)
    np.testing.assert_array_equal(recipe.apply(x, np.random.default_rng(4)), plain)


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedules_start_at_the_initial_rate_and_stay_positive(name):
    factors = [SCHEDULES[name].factor(epoch, 10) for epoch in range(1, 11)]
    assert factors[0] == 1.0 and all(0 < f <= 1 for f in factors)
    assert factors == sorted(factors, reverse=True)


def test_the_loop_applies_the_schedule_each_epoch():
    x, labels = blobs(2)
    data = split_in(np, x, labels, 2)
    optimizer = SGD(lr=0.4, weight_decay=0.0)
    network = Network.initialise(dense(6, 2, (4,)), 0, np)
    rates = [
        optimizer.lr for _ in train_epochs(network, optimizer, data, 4, 8, 0, schedule="cosine")
    ]
    assert rates == pytest.approx([0.4 * SCHEDULES["cosine"].factor(e, 4) for e in range(1, 5)])
    with pytest.raises(ValueError, match="schedule 'step' is not one of constant, cosine"):
        next(train_epochs(network, optimizer, data, 4, 8, 0, schedule="step"))


def test_early_stopping_restores_the_weights_of_the_best_validation_epoch():
    x, labels = blobs(2, n=60, seed=3)
    noisy = labels.copy()
    noisy[::3] = 1 - noisy[::3]  # a third of the training labels wrong: it will overfit
    train = split_in(np, x[:40], noisy[:40], 2)
    validation = split_in(np, x[40:], labels[40:], 2)
    network = Network.initialise(dense(6, 2, (32,), "relu", "he"), 0, np)
    optimizer = SGD(lr=0.5, weight_decay=0.0)
    history = fit(
        network, optimizer, train, validation, 200, 8, 0, validation=validation, patience=5
    )
    losses = [record["validation_loss"] for record in history]
    best = int(np.argmin(losses))
    assert len(history) == best + 1 + 5 < 200  # stopped 5 epochs after the best
    assert loss_and_accuracy(network, validation)[0] == pytest.approx(losses[best], rel=1e-12)


def test_augmentation_changes_the_photo_then_makes_its_features():
    from signnet.data.preprocessing import Preprocessing

    rng = np.random.default_rng(1)
    photos = rng.integers(0, 256, (5, 6, 6)).astype(np.uint8)
    preprocessing = Preprocessing.fit(photos, "standardize")  # offset and scale differ per pixel
    pixels = photos.reshape(5, -1).astype(np.float64)
    always = Augmentation(0, 0, 0, 1.0, features=preprocessing.features_of)
    np.testing.assert_allclose(
        always.apply(pixels, np.random.default_rng(0)),
        preprocessing.features(photos[:, :, ::-1]),
        atol=1e-12,
    )
    # Flipping the features themselves would be another image: pixel statistics differ.
    features = preprocessing.features(photos)
    flipped = Augmentation(0, 0, 0, 1.0).apply(features, rng)
    assert not np.allclose(flipped, always.apply(pixels, rng))


class Highest(Extremes):
    """Uniform draws at the upper bound, and no noise."""

    def normal(self, loc, scale, size):
        return np.zeros(size)


def test_contrast_then_brightness_change_each_photo_as_pillow_does_and_saturate():
    photo = np.array([[0.0, 100.0, 200.0, 100.0]])  # mean 100
    lit = Augmentation(0, 0, 0, brightness=0.4, contrast=0.5).apply(photo, Highest())
    # contrast x 1.5 about the mean: -50, 100, 250, 100; then x 1.4, clipped to [0, 255]
    np.testing.assert_allclose(lit, [[0.0, 140.0, 255.0, 140.0]])
    darker = Augmentation(0, 0, 0, brightness=0.4).apply(photo, Lowest())
    np.testing.assert_allclose(darker, photo * 0.6)


class Lowest(Extremes):
    def uniform(self, low, high, size):
        return np.full(size, low, dtype=float)


def test_noise_has_its_grey_levels_and_stays_in_range():
    photo = np.full((200, 400), 128.0)
    noisy = Augmentation(0, 0, 0, noise=12.0).apply(photo, np.random.default_rng(0))
    assert np.std(noisy - photo) == pytest.approx(12.0, rel=0.01)
    edge = Augmentation(0, 0, 0, noise=12.0).apply(np.zeros((10, 16)), np.random.default_rng(0))
    assert edge.min() == 0.0 and edge.max() > 0


def test_per_photo_scaling_takes_out_brightness_but_not_saturation():
    from signnet.data.preprocessing import Preprocessing

    photos = np.random.default_rng(2).integers(40, 230, (4, 6, 6)).astype(np.uint8)
    preprocessing = Preprocessing.fit(photos, "photo")
    pixels = photos.reshape(4, -1).astype(np.float64)
    dimmer = Augmentation(0, 0, 0, brightness=0.4, features=preprocessing.features_of)
    np.testing.assert_allclose(
        dimmer.apply(pixels, Lowest()), preprocessing.features_of(pixels), atol=1e-9
    )
    assert not np.allclose(dimmer.apply(pixels, Highest()), preprocessing.features_of(pixels))


def test_mirroring_flips_about_its_share_and_draws_nothing_when_off():
    x = np.arange(2000 * 4, dtype=float).reshape(2000, 4)  # 2 x 2 images
    flipped = Augmentation(0, 0, 0, 0.25).apply(x, np.random.default_rng(0))
    share = np.mean(np.any(flipped != x, axis=1))
    assert 0.2 < share < 0.3
    # Off, mirroring draws nothing: a generator that only has uniform draws is enough.
    Augmentation(0.1, 0, 0, 0.0).apply(x, Extremes())
    with pytest.raises(AttributeError):
        Augmentation(0.1, 0, 0, 0.5).apply(x, Extremes())


def test_blur_at_its_largest_is_scipys_gaussian_filter_and_none_at_sigma_zero():
    from scipy.ndimage import gaussian_filter

    photos = np.random.default_rng(3).uniform(0, 255, (2, 9, 9))
    blurred = Augmentation(0, 0, 0, blur=1.0).apply(photos.reshape(2, -1), Extremes())
    expected = gaussian_filter(photos, sigma=(0, 1.0, 1.0), mode="nearest", truncate=3.0)
    np.testing.assert_allclose(blurred.reshape(2, 9, 9), expected, atol=1e-9)
    unblurred = Augmentation(0, 0, 0, blur=1.0).apply(photos.reshape(2, -1), Lowest())
    np.testing.assert_allclose(unblurred, photos.reshape(2, -1), atol=1e-12)
    strict = Augmentation(0, 0, 0, blur=1.0).apply(
        array_api_strict.asarray(photos.reshape(2, -1)), Extremes()
    )
    np.testing.assert_allclose(to_numpy(strict), blurred, rtol=1e-12)
