"""A small document model that the Markdown and PDF writers share.

The report's content is built once as a list of blocks; each writer turns the same blocks into
its format, so the two files always say the same thing.

Text conventions (both writers): ``[text](https://...)`` is a link; ``**text**`` is bold;
``$tex$`` is inline maths and :class:`Equation` display maths, both in the TeX that GitHub's
MathJax renders and :mod:`signnet.report.maths` converts for Typst. Text refers to a labelled
block with ``{kind:label}``: ``sec`` (a level-2 heading), ``fig``, ``tab``, ``alg``
(:class:`Algorithm`), ``lst`` (:class:`Code`) or ``eq``, before or after it. The PDF lets Typst
number them and resolve the references; the Markdown writer calls :func:`number_blocks`, which
numbers them in reading order the same way and writes the names (``Section 4``, ``Figure 3``,
``Equation (5)``) into the text. A heading without a label (References, an appendix) is not
numbered; every display equation is.

Text a user typed (a name, a course, a file name) is never read as markup: :func:`literal`
puts a backslash before each character that these conventions or Markdown give a meaning to
(:data:`ESCAPABLE`), and both writers show a backslash-escaped character as itself (Markdown
does by its own rules); :func:`plain` undoes it where text leaves the document (the PDF's
metadata).
"""

from __future__ import annotations

import dataclasses
import re


@dataclasses.dataclass(frozen=True)
class Title:
    """The title block: the title, then the authors and the other lines under it (course,
    milestone), each left out when empty."""

    text: str
    authors: tuple[str, ...] = ()
    details: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2  # 2 = a section, 3 = a subsection
    label: str = ""  # a numbered section (level 2) that text refers to as {sec:label}


@dataclasses.dataclass(frozen=True)
class Paragraph:
    text: str


@dataclasses.dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Equation:
    """Display maths in TeX (see the module's conventions); ``number`` is set by
    :func:`number_blocks`."""

    tex: str
    label: str = ""  # referred to as {eq:label}
    number: int = 0


@dataclasses.dataclass(frozen=True)
class Algorithm:
    """A numbered algorithm: ``lines`` of (indent level, text), numbered from 1."""

    caption: str
    lines: tuple[tuple[int, str], ...]
    label: str = ""


@dataclasses.dataclass(frozen=True)
class Code:
    """A numbered listing: verbatim text in a monospaced box (a command to copy)."""

    text: str
    caption: str
    label: str = ""


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


@dataclasses.dataclass(frozen=True)
class References:
    """The list of works cited, each entry a full citation that the text cites by author and
    year (no numbers)."""

    entries: tuple[str, ...]


Block = (
    Title
    | Heading
    | Paragraph
    | Bullets
    | Equation
    | Algorithm
    | Code
    | Table
    | Figure
    | References
)

# Characters a backslash makes literal: the conventions' markup, Markdown's inline markup, the
# quotes a typesetter would curl and the dashes and dots it would join (a minus, an ellipsis).
ESCAPABLE = "\\`*_{}[]<>|~$&\"'-."
ESCAPED = re.compile("\\\\([" + re.escape(ESCAPABLE) + "])")


def literal(text: str) -> str:
    """A user's ``text`` as literal text under the conventions, on one line: each run of
    whitespace (a newline would start a Markdown heading or list) one space, each
    :data:`ESCAPABLE` character after a backslash."""
    return "".join("\\" + c if c in ESCAPABLE else c for c in " ".join(text.split()))


def plain(text: str) -> str:
    """``text`` with :func:`literal`'s backslashes taken out again."""
    return ESCAPED.sub(r"\1", text)


# A reference; not after a backslash, which makes its brace literal.
REFERENCE = re.compile(r"(?<!\\)\{(sec|fig|tab|alg|lst|eq):([a-z0-9_-]+)\}")
# The blocks numbered per kind, with the kind's name for references and captions.
KINDS = {
    Heading: ("sec", "Section"),
    Figure: ("fig", "Figure"),
    Table: ("tab", "Table"),
    Algorithm: ("alg", "Algorithm"),
    Code: ("lst", "Listing"),
}


def number_blocks(blocks: list[Block]) -> list[Block]:
    """The blocks with labelled sections and floats numbered (headings start ``4 ``, captions
    ``Figure 2.``), every equation numbered, and every ``{kind:label}`` in the text replaced by
    its name."""
    names: dict[tuple[str, str], str] = {}
    numbers: dict[tuple[str, str], int] = {}
    equations = 0
    for block in blocks:
        if isinstance(block, Equation):
            equations += 1
            if block.label:
                names["eq", block.label] = f"Equation ({equations})"
        if type(block) in KINDS and block.label:
            kind, word = KINDS[type(block)]
            numbers[kind, block.label] = sum(1 for k in names if k[0] == kind) + 1
            names[kind, block.label] = f"{word} {numbers[kind, block.label]}"

    def resolve(text: str) -> str:
        def name(match: re.Match) -> str:
            key = (match[1], match[2])
            if key not in names:
                raise KeyError(f"no {match[1]} labelled {match[2]!r} in the report")
            return names[key]

        return REFERENCE.sub(name, text)

    numbered: list[Block] = []
    equations = 0
    for block in blocks:
        if isinstance(block, Equation):
            equations += 1
            block = dataclasses.replace(block, number=equations)
        if isinstance(block, Figure | Table | Algorithm | Code):
            kind = KINDS[type(block)][0]
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
        elif isinstance(block, Algorithm):
            block = dataclasses.replace(
                block, lines=tuple((indent, resolve(text)) for indent, text in block.lines)
            )
        numbered.append(block)
    return numbered
