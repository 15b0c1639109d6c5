"""A small document model that the Markdown and PDF renderers share.

The report's content is built once as a list of blocks; each renderer turns the same blocks
into its format, so the two files always say the same thing.

Text conventions (both renderers): ``[text](https://...)`` is a link; ``**text**`` is bold.
Sections (level-2 headings), figures and tables with a ``label`` and every display equation are
numbered in reading order by :func:`number_blocks`, which also replaces ``{sec:label}``,
``{fig:label}``, ``{tab:label}`` and ``{eq:label}`` in any text with ``Section 4``,
``Figure 3``, ``Table 2`` or ``Equation (5)``, so that text can refer to a section, a float or
an equation before or after it. A heading without a label (References, an appendix) is not
numbered.
"""

from __future__ import annotations

import dataclasses
import re


@dataclasses.dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2  # 1 = the title
    label: str = ""  # a numbered section (level 2) that text refers to as {sec:label}


@dataclasses.dataclass(frozen=True)
class Paragraph:
    text: str


@dataclasses.dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Equation:
    """Display maths in the TeX subset that Matplotlib's mathtext and GitHub both render;
    ``number`` is set by :func:`number_blocks`."""

    tex: str
    label: str = ""  # referred to as {eq:label}
    number: int = 0


@dataclasses.dataclass(frozen=True)
class Algorithm:
    """A numbered algorithm box: ``lines`` of (indent level, text)."""

    title: str
    lines: tuple[tuple[int, str], ...]


@dataclasses.dataclass(frozen=True)
class Code:
    """Verbatim text in a monospaced box (a command to copy)."""

    text: str


@dataclasses.dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    numeric: bool = True  # right-align every column but the first
    label: str = ""


@dataclasses.dataclass(frozen=True)
class Figure:
    name: str  # file name of the PNG, e.g. "curves.png"
    png: bytes  # drawn at the size it is printed (see signnet.report.figures)
    caption: str
    label: str = ""


Block = Heading | Paragraph | Bullets | Equation | Algorithm | Code | Table | Figure

_REFERENCE = re.compile(r"\{(sec|fig|tab|eq):([a-z0-9_-]+)\}")
_KINDS = {Heading: ("sec", "Section"), Figure: ("fig", "Figure"), Table: ("tab", "Table")}


def number_blocks(blocks: list[Block]) -> list[Block]:
    """The blocks with labelled sections, figures and tables numbered (headings start ``4 ``,
    captions ``Figure 2.``) and every ``{sec:label}``, ``{fig:label}`` and ``{tab:label}`` in
    the text replaced by its name."""
    names: dict[tuple[str, str], str] = {}
    numbers: dict[tuple[str, str], int] = {}
    equations = 0
    for block in blocks:
        if isinstance(block, Equation):
            equations += 1
            if block.label:
                names["eq", block.label] = f"Equation ({equations})"
        if type(block) in _KINDS and block.label:
            kind, word = _KINDS[type(block)]
            numbers[kind, block.label] = sum(1 for k in names if k[0] == kind) + 1
            names[kind, block.label] = f"{word} {numbers[kind, block.label]}"

    def resolve(text: str) -> str:
        def name(match: re.Match) -> str:
            key = (match[1], match[2])
            if key not in names:
                raise KeyError(f"no {match[1]} labelled {match[2]!r} in the report")
            return names[key]

        return _REFERENCE.sub(name, text)

    numbered: list[Block] = []
    equations = 0
    for block in blocks:
        if isinstance(block, Equation):
            equations += 1
            block = dataclasses.replace(block, number=equations)
        if isinstance(block, Figure | Table):
            kind = "fig" if isinstance(block, Figure) else "tab"
            prefix = f"{names[kind, block.label]}. " if block.label else ""
            block = dataclasses.replace(block, caption=prefix + resolve(block.caption))
        if isinstance(block, Table):
            block = dataclasses.replace(
                block, rows=tuple(tuple(resolve(c) for c in row) for row in block.rows)
            )
        elif isinstance(block, Heading) and block.label:
            number = numbers["sec", block.label]
            block = dataclasses.replace(block, text=f"{number} {resolve(block.text)}")
        elif isinstance(block, Heading | Paragraph):
            block = dataclasses.replace(block, text=resolve(block.text))
        elif isinstance(block, Bullets):
            block = dataclasses.replace(block, items=tuple(resolve(i) for i in block.items))
        numbered.append(block)
    return numbered
