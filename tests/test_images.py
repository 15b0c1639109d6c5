import io

import numpy as np
import pytest
from PIL import Image

from signnet.data.images import ImageError, decode_dataset, decode_photo, read_photo
from signnet.files import UserFileError


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
    expected = r"^Dataset/0/bad.JPG: not an image file that Pillow can read \(JPEG, PNG"
    with pytest.raises(ImageError, match=expected):
        decode_photo(b"garbage", 28, "Dataset/0/bad.JPG")


def test_a_damaged_photo_is_named():
    data = encode(Image.new("RGB", (64, 64), (10, 200, 30)), "JPEG")
    with pytest.raises(ImageError, match=r"^cut.jpg: the image data is damaged or cut short"):
        decode_photo(data[: len(data) // 2], 28, "cut.jpg")


def photo() -> Image.Image:
    """A colour photo-like image: gradients and noise in each channel."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:48, 0:40]
    rgb = np.stack([x * 6, y * 5, (x + y) * 3], axis=-1) + rng.integers(0, 40, (48, 40, 3))
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")


def copies() -> dict[str, tuple[bytes, bytes]]:
    """Per mode: (the photo in that mode, its 8-bit RGB or grey copy), both encoded."""
    rgb = photo()
    grey = rgb.convert("L")
    grey16 = Image.fromarray(np.asarray(grey).astype(np.uint16) * 257)  # I;16, 0..65535
    bits = grey.convert("1")
    palette = rgb.quantize(64)
    cmyk = rgb.convert("CMYK")
    alpha = rgb.copy()
    alpha.putalpha(255)
    half = rgb.copy()
    half.putalpha(Image.new("L", rgb.size, 0).point(lambda _: 0))  # fully transparent: white
    exif = Image.Exif()
    exif[0x0112] = 8  # stored turned: display needs a 90 degree counter-clockwise turn
    return {
        "8-bit grey": (encode(grey), encode(grey.convert("RGB"))),
        "16-bit grey": (encode(grey16), encode(grey)),
        "1-bit": (encode(bits), encode(bits.convert("RGB"))),
        "palette": (encode(palette), encode(palette.convert("RGB"))),
        "RGBA, opaque": (encode(alpha), encode(rgb)),
        "grey and alpha": (encode(grey.convert("LA")), encode(grey)),
        "transparent": (encode(half), encode(Image.new("RGB", rgb.size, "white"))),
        "CMYK": (encode(cmyk, "TIFF"), encode(cmyk.convert("RGB"))),
        "EXIF-rotated": (
            encode(rgb, "PNG", exif=exif),
            encode(rgb.transpose(Image.Transpose.ROTATE_90)),
        ),
    }


@pytest.mark.parametrize("mode", sorted(copies()))
def test_every_mode_decodes_as_its_8_bit_copy(mode):
    image, copy = copies()[mode]
    assert np.array_equal(decode_photo(image, 28, "a"), decode_photo(copy, 28, "b"))


def test_a_16_bit_photo_is_not_white():
    _, data = copies()["16-bit grey"]
    with Image.open(io.BytesIO(copies()["16-bit grey"][0])) as image:
        assert image.mode.startswith("I")  # Pillow reads it as 16-bit
    assert decode_photo(data, 28, "x").mean() < 200


def test_a_floating_point_image_is_refused():
    data = encode(Image.new("F", (8, 8), 0.5), "TIFF")
    with pytest.raises(ImageError, match=r"^f.tif: a 32-bit floating-point image; save it"):
        decode_photo(data, 28, "f.tif")


def test_a_decompression_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    data = encode(Image.new("L", (40, 40)))  # 1,600 pixels: over the limit
    with pytest.raises(ImageError, match=r"^bomb.png: refused as a possible decompression bomb"):
        decode_photo(data, 28, "bomb.png")
    big = encode(Image.new("L", (100, 100)))  # over twice the limit: Pillow's own error
    with pytest.raises(ImageError, match=r"^big.png: refused as a possible decompression bomb"):
        decode_photo(big, 28, "big.png")


def test_dataset_is_decoded_in_path_order_with_digits(files):
    out = decode_dataset({**files, "Dataset/README.txt": b"not a photo"}, 16)
    assert out["images"].shape == (len(files), 16, 16)
    assert list(out["files"]) == sorted(files)
    assert list(out["digits"]) == [int(p.split("/")[1]) for p in sorted(files)]


def test_a_users_unreadable_photo_is_an_image_error(tmp_path):
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo")
    with pytest.raises(ImageError, match="notes.jpg: not an image file that Pillow can read"):
        read_photo(text, 28)
    with pytest.raises(UserFileError, match="missing.jpg: no such file; expected a photo"):
        read_photo(tmp_path / "missing.jpg", 28)


def test_a_photo_larger_than_the_limit_is_refused_before_reading(tmp_path, monkeypatch):
    import signnet.data.images as images

    big = tmp_path / "big.jpg"
    big.write_bytes(b"\0" * 2048)
    monkeypatch.setattr(images, "MAX_PHOTO_BYTES", 1024)
    with pytest.raises(UserFileError, match=r"big.jpg: holds 2.0 KiB; a photo .* at most 1.0 KiB"):
        read_photo(big, 28)
