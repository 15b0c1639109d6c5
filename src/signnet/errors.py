"""The base of every error signnet reports to a user as a message rather than a traceback, and
how a message shows a value the user gave."""

from typing import Any

# The most characters of a value a message shows (a longer one is cut, with its length).
MAX_SHOWN = 120
# The exit status of a command or stage stopped by Ctrl-C (128 + SIGINT, as a shell reports it).
INTERRUPTED = 130


class SignnetError(ValueError):
    """Bad input (a parameter, file or archive): the message says what and what is allowed."""


def shown(value: Any) -> str:
    """``repr(value)`` for a message, cut to :data:`MAX_SHOWN` characters with its full length
    said: a value from a file or a params key may be as long as the file."""
    text = repr(value)
    if len(text) <= MAX_SHOWN:
        return text
    return f"{text[: MAX_SHOWN - 20]}... ({len(text):,} characters)"
