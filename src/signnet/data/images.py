"""Decoding photos to the square grayscale images the network sees.

One function decodes every photo, in the pipeline and in ``signnet predict`` alike: the camera's
EXIF orientation is applied (three originals in the dataset are stored rotated), colour becomes
8-bit grayscale (ITU-R 601-2 luma), and the centred largest square is resized to ``size`` x
``size`` with a Lanczos filter. Square photos are simply resized.

Every mode a photo comes in gives the grayscale of its 8-bit RGB copy: 1-bit and 8-bit grey and
palette images directly; 16- and 32-bit integer grey scaled from 0..65535 to 0..255 (Pillow
would clip them, turning a 16-bit photo white); CMYK and other colour spaces through RGB;
transparent pixels (alpha, or a palette's transparent colour) over white. Floating-point images
are refused. So are images larger than Pillow's decompression-bomb limit (``MAX_IMAGE_PIXELS``),
files Pillow cannot identify and damaged ones, each with a message naming the file.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from signnet.data.archive import MAX_PHOTO_BYTES, ArchiveError
from signnet.errors import SignnetError
from signnet.files import read_user_file

PHOTO = "a photo (JPEG, PNG, TIFF, BMP, WebP, ...)"


class ImageError(SignnetError):
    """A photo that cannot be read or decoded."""


_DATASET_PHOTO = re.compile(r"^Dataset/(\d)/[^/]+\.jpe?g$", re.IGNORECASE)


# Integer grey modes of more than 8 bits (values 0..65535), and the modes with an alpha channel.
WIDE_GREY = ("I", "I;16", "I;16L", "I;16B", "I;16N")
ALPHA = ("LA", "La", "PA", "RGBA", "RGBa")


def to_gray(image: Image.Image, name: str) -> Image.Image:
    """``image`` in mode ``L``, as its 8-bit RGB copy would convert (see the module)."""
    if image.mode in WIDE_GREY:
        wide = np.asarray(image, dtype=np.int64)
        return Image.fromarray(np.clip((wide + 128) // 257, 0, 255).astype(np.uint8), "L")
    if image.mode == "F":
        raise ImageError(
            f"{name}: a 32-bit floating-point image; save it with 8 or 16 bits per channel"
        )
    if image.mode in ALPHA or (image.mode == "P" and "transparency" in image.info):
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image.convert("RGBA"))
    if image.mode not in ("1", "L", "P", "RGB"):
        image = image.convert("RGB")  # CMYK, YCbCr, LAB, HSV, RGBA composited above
    return image.convert("L")


# Changes an upright grey photo (mode L) at its own size: see signnet.data.changes.
Edit = Callable[[Image.Image], Image.Image]


def to_square_gray(
    image: Image.Image, size: int, name: str = "image", edit: Edit | None = None
) -> np.ndarray:
    """``image`` as uint8 array (size, size): oriented, grayscale, changed by ``edit`` if given,
    centre-cropped, resized."""
    image = to_gray(ImageOps.exif_transpose(image), name)
    if edit is not None:
        image = edit(image)
    square = ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS)
    return np.asarray(square, dtype=np.uint8)


def resize_all(pixels: np.ndarray, size: int) -> np.ndarray:
    """Grey images uint8 (N, s, s) at ``size`` x ``size``, each resized as a photo is."""
    if pixels.shape[1:] == (size, size):
        return pixels
    return np.stack([to_square_gray(Image.fromarray(p), size) for p in pixels])


def decode_photo(data: bytes, size: int, name: str, edit: Edit | None = None) -> np.ndarray:
    """Decode the encoded photo ``data`` (any format Pillow reads) to uint8 (size, size), changed
    by ``edit`` once upright and grey (see :func:`to_square_gray`)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                return to_square_gray(image, size, name, edit)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageError(
            f"{name}: refused as a possible decompression bomb ({error}); resize the photo "
            f"below {Image.MAX_IMAGE_PIXELS:,} pixels"
        ) from None
    except UnidentifiedImageError:
        raise ImageError(
            f"{name}: not an image file that Pillow can read (JPEG, PNG, TIFF, BMP, WebP, ...)"
        ) from None
    except (OSError, ValueError, SyntaxError) as error:
        raise ImageError(f"{name}: the image data is damaged or cut short ({error})") from None


def read_photo(path: Path, size: int) -> np.ndarray:
    """Decode the photo file at ``path`` (a regular file of at most MAX_PHOTO_BYTES) to uint8
    (size, size)."""
    return decode_photo(read_user_file(path, PHOTO, MAX_PHOTO_BYTES), size, str(path))


def decode_dataset(files: dict[str, bytes], size: int) -> dict[str, np.ndarray]:
    """Decode every ``Dataset/<digit>/*.JPG`` of ``files`` in path order.

    Returns ``images`` uint8 (N, size, size), ``digits`` int64 (N,) and ``files`` str (N,).
    """
    photos = sorted(p for p in files if _DATASET_PHOTO.match(p))
    if not photos:
        raise ArchiveError("the source holds no Dataset/<digit>/*.JPG photos")
    images = np.stack([decode_photo(files[p], size, p) for p in photos])
    digits = np.array([int(_DATASET_PHOTO.match(p).group(1)) for p in photos], dtype=np.int64)
    return {"images": images, "digits": digits, "files": np.array(photos)}
