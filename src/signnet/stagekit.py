"""What every stage entry script shares: logging set-up and turning bad input into a message."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from signnet.errors import SignnetError


def run_stage(main: Callable[[list[str]], None], argv: list[str] | None = None) -> None:
    """Call ``main(argv)``; a :class:`SignnetError` prints ``error: <message>`` and exits 1."""
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    logging.getLogger("signnet").setLevel(logging.INFO)  # our progress; libraries stay quiet
    try:
        main(sys.argv[1:] if argv is None else argv)
    except SignnetError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(1) from None
