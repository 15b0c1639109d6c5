"""Reading IDX files, the format MNIST comes in, with every field checked.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of dimensions
``d``), ``d`` big-endian 32-bit sizes, then the values, big-endian, in C order, and nothing else.
Files may be gzipped (as MNIST is served); they are unpacked in memory up to
:data:`MAX_IDX_BYTES`, so a gzip bomb is refused instead of filling the memory.
"""

from __future__ import annotations

import gzip
import io
import math
import struct

import numpy as np

from signnet.data.archive import ArchiveError

# IDX type codes and the big-endian NumPy type of each.
TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
# More than any MNIST file unpacks to (47,040,016 bytes for the training images).
MAX_IDX_BYTES = 64 << 20


class IDXError(ArchiveError):
    """An IDX file that is damaged, truncated or not an IDX file."""


def _unpacked(data: bytes, name: str) -> bytes:
    if data[:2] != b"\x1f\x8b":  # not gzipped
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as packed:
            raw = packed.read(MAX_IDX_BYTES + 1)
    except (OSError, EOFError) as error:
        raise IDXError(f"{name}: a damaged or truncated gzip file ({error})") from None
    if len(raw) > MAX_IDX_BYTES:
        raise IDXError(f"{name}: unpacks to more than {MAX_IDX_BYTES:,} bytes; refused")
    return raw


def read_idx(data: bytes, name: str) -> np.ndarray:
    """The array stored in the IDX file ``data`` (gzipped or not), in native byte order.
    ``name`` is the file's name, for messages."""
    raw = _unpacked(data, name)
    if len(raw) < 4 or raw[:2] != b"\x00\x00":
        raise IDXError(f"{name}: not an IDX file (it does not start with two zero bytes)")
    code, ndim = raw[2], raw[3]
    if code not in TYPES:
        known = ", ".join(f"0x{c:02X}" for c in TYPES)
        raise IDXError(f"{name}: unknown IDX type code 0x{code:02X}; known: {known}")
    if ndim == 0:
        raise IDXError(f"{name}: an IDX file with no dimensions")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IDXError(f"{name}: truncated inside its header ({len(raw)} bytes)")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(TYPES[code])
    expected = header + math.prod(shape) * dtype.itemsize
    if len(raw) != expected:
        raise IDXError(
            f"{name}: {len(raw):,} bytes where shape {shape} of {dtype.name} needs {expected:,}"
        )
    values = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return values.astype(dtype.newbyteorder("="))
