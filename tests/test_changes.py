"""The photo changes of signnet.data.changes: each does what its name and strength say, at the
photo's own size, before the photo is made grey and resized; random ones repeat with their seed."""

import io

import numpy as np
import pytest
from PIL import Image

from signnet.data.changes import AS_TAKEN, CHANGES, NOISE_SIGMA, decode_changed
from signnet.data.images import ImageError, decode_photo


def photo(size=(60, 48), seed=0) -> bytes:
    """A JPEG of a bright hand-like blob on a mid-grey background, larger than the network's
    images and not square."""
    rng = np.random.default_rng(seed)
    rows, columns = np.mgrid[0 : size[1], 0 : size[0]]
    blob = np.exp(-(((rows - 20) / 10) ** 2 + ((columns - 18) / 8) ** 2))
    grey = 110 + 120 * blob + rng.normal(0, 3, blob.shape)
    rgb = np.clip(np.stack([grey, grey * 0.9, grey * 0.8], axis=-1), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def changed(name: str, data: bytes | None = None, size: int = 24, seed: int = 0) -> np.ndarray:
    change = next(c for c in CHANGES if c.name == name)
    return decode_changed(data or photo(), size, "p.jpg", change, np.random.default_rng(seed))


def test_the_changes_are_named_once_each_and_start_with_the_photo_as_taken():
    names = [c.name for c in CHANGES]
    assert len(set(names)) == len(names) and CHANGES[0] is AS_TAKEN
    assert np.array_equal(changed("as taken"), decode_photo(photo(), 24, "p.jpg"))


def test_light_changes_scale_brightness_and_contrast():
    taken = changed("as taken").astype(float)
    assert changed("darker").mean() == pytest.approx(0.6 * taken.mean(), rel=0.03)
    assert changed("brighter").mean() == pytest.approx(1.4 * taken.mean(), rel=0.03)
    assert changed("lower contrast").std() == pytest.approx(0.5 * taken.std(), rel=0.1)


def test_mirroring_is_the_other_hand_before_the_square_crop():
    data = photo()
    with Image.open(io.BytesIO(data)) as image:
        flipped = io.BytesIO()
        image.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(flipped, format="PNG")
    # The crop of a wide photo is centred, so the mirror of the photo crops to the mirror.
    assert np.array_equal(changed("mirrored"), decode_photo(flipped.getvalue(), 24, "m.png"))
    assert not np.array_equal(changed("mirrored"), changed("as taken"))


def test_blur_smooths_and_rotation_keeps_the_size_and_the_background():
    taken = changed("as taken", size=48).astype(float)
    blurred = changed("blurred", size=48).astype(float)
    assert np.abs(np.diff(blurred, axis=1)).mean() < 0.8 * np.abs(np.diff(taken, axis=1)).mean()
    rotated = changed("rotated", size=48)
    assert rotated.shape == (48, 48)
    corners = rotated[[0, 0, -1, -1], [0, -1, 0, -1]].astype(float)
    assert np.abs(corners - np.median(taken[0])).max() < 25  # filled like the background


def test_noise_repeats_with_its_seed_and_has_its_strength():
    first, again, other = (
        changed("noisy", seed=3),
        changed("noisy", seed=3),
        changed("noisy", seed=4),
    )
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    # Measured at the photo's own size (before resizing averages the noise away).
    big = changed("noisy", size=48).astype(float) - changed("as taken", size=48)
    assert 0.3 * NOISE_SIGMA < big.std() < 1.2 * NOISE_SIGMA


def test_recompression_changes_the_pixels_a_little():
    difference = np.abs(changed("compressed").astype(float) - changed("as taken"))
    assert 0 < difference.mean() < 10


def test_a_photo_that_cannot_be_decoded_is_refused_with_its_name_whatever_the_change():
    with pytest.raises(ImageError, match="bad.jpg"):
        decode_changed(b"not a photo", 24, "bad.jpg", CHANGES[1], np.random.default_rng(0))
