"""A small document model that the Markdown and PDF renderers share.

The report's content is built once as a list of blocks; each renderer turns the same blocks
into its format, so the two files always say the same thing.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2  # 1 = the title


@dataclasses.dataclass(frozen=True)
class Paragraph:
    text: str


@dataclasses.dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    numeric: bool = True  # right-align every column but the first


@dataclasses.dataclass(frozen=True)
class Figure:
    name: str  # file name of the PNG, e.g. "curves.png"
    png: bytes
    caption: str
    width: float = 1.0  # fraction of the text width in the PDF


Block = Heading | Paragraph | Bullets | Table | Figure
