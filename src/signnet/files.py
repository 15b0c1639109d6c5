"""Reading a file a user names: regular files only, within a size limit, never blocking.

Every file signnet reads from a path it was given (a photo, a model file, a params file, a
course file, a mirror's photo, a pipeline artifact) is opened here. The path is opened without
blocking (a FIFO with no writer would otherwise wait forever), and the open file, not the path,
is checked: it must be a regular file (not a directory, a device such as ``/dev/zero``, a FIFO
or a socket) of at most ``limit`` bytes for its kind, and reading stops at the limit even if the
file grows meanwhile. Each refusal is a :class:`UserFileError` naming the path, what it is and
what was expected.
"""

from __future__ import annotations

import contextlib
import os
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from signnet.errors import SignnetError

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


class UserFileError(SignnetError):
    """A path that does not lead to a readable regular file of its kind's size."""


def byte_size(n: int) -> str:
    """``n`` bytes in words: ``1.5 MiB``, ``312 bytes``."""
    for unit, size in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def _what_it_is(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


@contextlib.contextmanager
def open_user_file(path: str | Path, what: str, limit: int) -> Iterator[BinaryIO]:
    """The regular file at ``path`` open for reading in binary; ``what`` names its kind in
    messages (e.g. ``"a photo"``) and ``limit`` is the most bytes such a file may hold."""
    path = Path(path)
    # O_NONBLOCK: a FIFO opens at once (POSIX; Windows has no FIFOs to open by path).
    nonblocking = getattr(os, "O_NONBLOCK", 0)
    flags = os.O_RDONLY | nonblocking | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        found = "a link to a missing file" if path.is_symlink() else "no such file"
        raise UserFileError(f"{path}: {found}; expected {what}") from None
    except PermissionError:
        raise UserFileError(f"{path}: permission denied; expected {what} you may read") from None
    except OSError as error:
        reason = error.strerror
        raise UserFileError(f"{path}: cannot be opened ({reason}); expected {what}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UserFileError(f"{path}: is {_what_it_is(info.st_mode)}; expected {what}")
        if info.st_size > limit:
            raise UserFileError(
                f"{path}: holds {byte_size(info.st_size)}; {what} may hold at most "
                f"{byte_size(limit)}"
            )
        if nonblocking:
            os.set_blocking(fd, True)
        file = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with file:
        yield file


def read_user_file(path: str | Path, what: str, limit: int) -> bytes:
    """The bytes of the regular file at ``path`` (see :func:`open_user_file`)."""
    with open_user_file(path, what, limit) as file:
        data = file.read(limit + 1)
    if len(data) > limit:  # it grew since it was opened
        raise UserFileError(f"{path}: holds more than {byte_size(limit)}; {what} may hold no more")
    return data


# The zip compression methods read (what NumPy, the dataset's archive and the zip tools of every
# system write); anything else, or an encrypted member, is refused before it is opened.
ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}


def zip_member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why the zip member ``info`` is not read (encrypted, or another compression method than
    :data:`ZIP_METHODS`), or None."""
    if info.flag_bits & 0x1:
        return "is encrypted"
    if info.compress_type not in ZIP_METHODS:
        methods = " or ".join(ZIP_METHODS.values())
        return f"is compressed with zip method {info.compress_type}; only {methods} is read"
    return None
