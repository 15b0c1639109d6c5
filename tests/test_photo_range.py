"""The training photos' range of brightness and contrast: fitted, stored in the model file,
and told by predict when a photo lies outside it."""

import numpy as np
import pytest
from PIL import Image

from signnet.cli import main
from signnet.data.photo_range import PhotoRange, PhotoRangeError
from signnet.modelfile import load_model, save_model
from tests.test_report import report_inputs


def photos(brightness: list[float], spread: float = 20.0, side: int = 8) -> np.ndarray:
    """uint8 photos (N, side, side) of these mean brightnesses, half a pixel apart by ``spread``."""
    pattern = np.where(np.indices((side, side)).sum(axis=0) % 2 == 0, spread, -spread)
    return np.stack([np.clip(b + pattern, 0, 255) for b in brightness]).astype(np.uint8)


def test_the_range_is_the_training_photos_lowest_and_highest():
    fitted = PhotoRange.fit(photos([100, 140, 180]))
    assert fitted.brightness == (100.0, 180.0) and fitted.contrast == (20.0, 20.0)
    assert fitted.unusual(photos([120])[0]) == []
    [dark] = fitted.unusual(photos([60])[0])
    assert dark == "its brightness 60.0 is below the training photos' 100.0 to 180.0 (of 255)"
    flat = fitted.unusual(photos([120], spread=5)[0])
    assert flat == ["its contrast 5.0 is below the training photos' 20.0 to 20.0 (of 255)"]


def test_a_stored_range_is_checked_when_read():
    good = PhotoRange((10.0, 200.0), (5.0, 60.0))
    assert PhotoRange.from_arrays(good.to_arrays(), "m.npz") == good
    with pytest.raises(
        PhotoRangeError, match="m.npz: the training photos' contrast range is missing"
    ):
        PhotoRange.from_arrays({"brightness": np.array([1.0, 2.0])}, "m.npz")
    with pytest.raises(PhotoRangeError, match="200.0 to 10.0 is not a range"):
        PhotoRange.from_arrays({**good.to_arrays(), "brightness": np.array([200.0, 10.0])}, "m.npz")


def test_the_model_file_keeps_the_range_and_predict_says_when_a_photo_is_outside_it(
    tmp_path, capsys
):
    model = report_inputs((6, 8), epochs=1).model
    save_model(tmp_path / "model.npz", model)
    loaded = load_model(tmp_path / "model.npz")
    assert loaded.photo_range == model.photo_range
    low, high = model.photo_range.brightness
    inside, dark = tmp_path / "inside.png", tmp_path / "dark.png"
    middle = sum(model.photo_range.contrast) / 2
    Image.fromarray(photos([(low + high) / 2], spread=middle)[0]).save(inside)
    Image.new("L", (8, 8), 0).save(dark)
    assert main(["predict", str(tmp_path / "model.npz"), str(inside), str(dark)]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "note:" in line]
    assert len(notes) == 1 and str(dark) in notes[0] and "its brightness 0.0 is below" in notes[0]
    assert "its answer may be wrong" in notes[0]


def test_the_range_is_what_training_saw_with_its_light_jitter():
    plain = PhotoRange.fit(photos([100, 140, 180]))
    jittered = PhotoRange.fit(photos([100, 140, 180]), brightness=0.4, contrast=0.3)
    assert jittered.brightness[0] == pytest.approx(0.6 * plain.brightness[0])
    assert jittered.brightness[1] == min(255.0, 1.4 * plain.brightness[1])
    assert jittered.contrast[0] == pytest.approx(0.6 * 0.7 * plain.contrast[0])
    assert jittered.contrast[1] == pytest.approx(1.4 * 1.3 * plain.contrast[1])
    darker = photos([60])[0]  # brightness 0.6 x 100: inside what training saw, not the photos
    assert plain.unusual(darker) and not any("brightness" in u for u in jittered.unusual(darker))
