import io

import numpy as np
import pytest
from PIL import Image

from signnet.data.images import ImageError, decode_dataset, decode_photo, read_photo


def encode(image: Image.Image, fmt: str = "PNG", **save) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    return buffer.getvalue()


@pytest.mark.parametrize("size", [28, 64])
def test_colour_photo_becomes_square_uint8_gray(size):
    colour = Image.new("RGB", (100, 100), (255, 0, 0))
    out = decode_photo(encode(colour), size, "red.png")
    assert out.shape == (size, size) and out.dtype == np.uint8
    assert np.all(out == 76)  # ITU-R 601-2 luma of pure red: 0.299 * 255


def test_non_square_photo_is_centre_cropped():
    wide = np.zeros((10, 30), dtype=np.uint8)
    wide[:, 10:20] = 255  # only the centre third is white
    out = decode_photo(encode(Image.fromarray(wide)), 10, "wide.png")
    assert out.min() > 200


def test_exif_orientation_is_applied():
    left_white = np.zeros((20, 20), dtype=np.uint8)
    left_white[:, :10] = 255
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: display needs a 90 degree clockwise turn
    data = encode(Image.fromarray(left_white), "JPEG", exif=exif, quality=95)
    out = decode_photo(data, 20, "rotated.jpg")
    assert out[:10].mean() > 200 and out[10:].mean() < 50  # the white half is now on top


def test_unreadable_photo_is_named():
    with pytest.raises(ImageError, match="Dataset/0/bad.JPG: not a readable image"):
        decode_photo(b"garbage", 28, "Dataset/0/bad.JPG")


def test_dataset_is_decoded_in_path_order_with_digits(files):
    out = decode_dataset({**files, "Dataset/README.txt": b"not a photo"}, 16)
    assert out["images"].shape == (len(files), 16, 16)
    assert list(out["files"]) == sorted(files)
    assert list(out["digits"]) == [int(p.split("/")[1]) for p in sorted(files)]


def test_a_users_unreadable_photo_is_an_image_error(tmp_path):
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo")
    with pytest.raises(ImageError, match="notes.jpg: not a readable image"):
        read_photo(text, 28)
    with pytest.raises(ImageError, match="missing.jpg: cannot read"):
        read_photo(tmp_path / "missing.jpg", 28)
