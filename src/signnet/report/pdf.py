"""Writing the report's blocks as an A4 PDF typeset by Typst (its PyPI package ``typst``, whose
wheel holds the compiler and the fonts: nothing is downloaded and no system font is read).

:func:`typst_source` turns the blocks into Typst markup after ``template.typ`` (faces, page,
headings, maths, float styles); Typst numbers sections, equations, figures, tables, the
algorithm and the listing and resolves the text's ``{kind:label}`` references itself. Maths is
the sections' TeX converted by :mod:`signnet.report.maths`, so the PDF's equations are text.
Figures are the PNGs at the size they were drawn; they float to the top of a page (this one's
or the next's, as LaTeX's ``[tp]``) but never past the next section's heading. The document's
date is the inputs' (see :func:`signnet.report.write.report_date`), so equal inputs give
byte-identical files.
"""

from __future__ import annotations

import datetime
import io
import re
import tempfile
from importlib import resources
from pathlib import Path

import typst
from PIL import Image

from signnet.errors import SignnetError
from signnet.report.document import (
    ESCAPABLE,
    REFERENCE,
    Algorithm,
    Block,
    Bullets,
    Code,
    Equation,
    Figure,
    Heading,
    Paragraph,
    References,
    Table,
    Title,
    plain,
)
from signnet.report.figures import DPI, TEXT_WIDTH
from signnet.report.maths import typst_maths


class TypesetError(SignnetError):
    """Typst refused the report's source (a bug in the writer: users' text is always escaped)."""


PAGE_WIDTH, PAGE_HEIGHT = 210, 297  # mm: A4
TOP, BOTTOM = 18, 22  # mm: the footer sits in the bottom margin
TEXT_HEIGHT = PAGE_HEIGHT - TOP - BOTTOM  # mm
# mm: a taller figure is scaled down to this height, leaving room for its caption
LARGEST_FIGURE = 0.8 * TEXT_HEIGHT
# A table with more rows than this may break across pages (its header repeats); a shorter one
# is kept whole, with its caption.
LONG_TABLE = 20
MM_PER_INCH = 25.4

# Inline markup in the blocks' text: a backslash-escaped character (literal), bold, a link,
# inline maths or a reference (see signnet.report.document); everything else is literal text.
_INLINE = re.compile(
    rf"\\(?P<escaped>[{re.escape(ESCAPABLE)}])"
    r"|\*\*(?P<bold>.+?)\*\*"
    r"|\[(?P<link_text>[^\]]+)\]\((?P<url>https?://[^)\s]+)\)"
    r"|\$(?P<maths>[^$]+)\$"
    rf"|(?P<reference>{REFERENCE.pattern})"
)
# Characters that Typst markup gives a meaning to, escaped wherever they appear in text.
_SPECIAL = re.compile(r"([\\#$*_@<>\[\]`~/])")
# Dashes and soft hyphens ("--", "-?") and markers that mean something at the start of a line
# (a heading, a list item, a numbered item).
_DASHES = re.compile(r"-(?=[-?])")
_LINE_START = re.compile(r"^(=|\+|-|\d+(?=\.\s))")


def typst_string(text: str) -> str:
    """``text`` as a Typst string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


def _literal(text: str, start: bool) -> str:
    """Plain ``text`` escaped; ``start``: it begins a line."""
    text = _DASHES.sub("\\\\-", _SPECIAL.sub(r"\\\1", text))
    return _LINE_START.sub(r"\\\1", text) if start else text


def markup(text: str) -> str:
    """The blocks' ``text`` (see :mod:`signnet.report.document`'s conventions) as Typst markup."""
    parts, end = [], 0
    text = " ".join(text.split())
    for match in _INLINE.finditer(text):
        parts.append(_literal(text[end : match.start()], start=end == 0))
        if match["escaped"]:  # Typst's escape of a symbol: itself, straight, never markup
            parts.append("\\" + match["escaped"])
        elif match["bold"]:
            parts.append(f"#strong[{markup(match['bold'])}]")
        elif match["url"]:
            parts.append(f"#link({typst_string(match['url'])})[{markup(match['link_text'])}]")
        elif match["maths"]:
            parts.append(f"${typst_maths(match['maths'])}$")
        else:
            kind, label = REFERENCE.fullmatch(match["reference"]).groups()
            parts.append(f"#ref(<{kind}:{label}>);")
        end = match.end()
    parts.append(_literal(text[end:], start=end == 0))
    return "".join(parts)


def _content(text: str) -> str:
    return f"[{markup(text)}]"


def _array(items: list[str]) -> str:
    """A Typst array of the Typst values ``items`` (one item needs its trailing comma)."""
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def _label(label: str, kind: str) -> str:
    return f" <{kind}:{label}>" if label else ""


def _title(block: Title) -> str:
    details = _array([_content(line) for line in block.details])
    return f"#title-block({_content(block.text)}, {_content(', '.join(block.authors))}, {details})"


def _heading(block: Heading) -> str:
    numbering = "" if block.label else ", numbering: none"
    level = block.level - 1  # level 1 is the title block's
    return f"#heading(level: {level}{numbering}){_content(block.text)}" + _label(block.label, "sec")


def _equation(block: Equation) -> str:
    return f"$ {typst_maths(block.tex)} ${_label(block.label, 'eq')}"


def _figure(body: str, caption: str, label: str, kind: str, extra: str = "") -> str:
    numbering = "" if label else ", numbering: none"
    return f"#figure({body}, caption: {_content(caption)}{numbering}{extra})" + _label(label, kind)


def _image(block: Figure) -> str:
    with Image.open(io.BytesIO(block.png)) as image:
        width, height = (pixels / DPI * MM_PER_INCH for pixels in image.size)
    size = f"height: {LARGEST_FIGURE:.2f}mm" if height > LARGEST_FIGURE else f"width: {width:.2f}mm"
    body = f"image({typst_string('figures/' + block.name)}, {size})"
    return _figure(body, block.caption, block.label, "fig", ", placement: top")


def _table(block: Table) -> str:
    align = ", ".join(["left"] + ["right" if block.numeric else "left"] * (len(block.header) - 1))
    cells = [
        "table.hline(stroke: 0.8pt)",
        "table.header(" + ", ".join(_content(cell) for cell in block.header) + ")",
        "table.hline(stroke: 0.5pt)",
        *(", ".join(_content(cell) for cell in row) for row in block.rows),
        "table.hline(stroke: 0.8pt)",
    ]
    body = f"table(columns: {len(block.header)}, align: ({align},), " + ", ".join(cells) + ")"
    table = _figure(body, block.caption, block.label, "tab")
    if len(block.rows) <= LONG_TABLE:
        return table
    return f"#[#show figure: set block(breakable: true)\n{table}]"


def _algorithm(block: Algorithm) -> str:
    lines = ", ".join(f"({indent}, {_content(text)})" for indent, text in block.lines)
    body = f'algorithm({lines}), kind: "algorithm", supplement: [Algorithm]'
    return _figure(body, block.caption, block.label, "alg")


def _block(block: Block) -> str:
    if isinstance(block, Title):
        return _title(block)
    if isinstance(block, Heading):
        return _heading(block)
    if isinstance(block, Paragraph):
        return markup(block.text)
    if isinstance(block, Bullets):
        return "\n".join(f"- {markup(item)}" for item in block.items)
    if isinstance(block, Equation):
        return _equation(block)
    if isinstance(block, Algorithm):
        return _algorithm(block)
    if isinstance(block, Code):
        return _figure(f"listing({typst_string(block.text)})", block.caption, block.label, "lst")
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        return _image(block)
    if isinstance(block, References):
        return "#references(" + ", ".join(_content(e) for e in block.entries) + ")"
    raise TypeError(f"no Typst form for {type(block).__name__}")


def _preamble(blocks: list[Block], date: datetime.datetime) -> str:
    title = next((b for b in blocks if isinstance(b, Title)), Title("Report"))
    authors = _array([typst_string(plain(a)) for a in title.authors])
    margin = (PAGE_WIDTH - TEXT_WIDTH * MM_PER_INCH) / 2
    return (
        f"#set document(title: {typst_string(plain(title.text))}, author: {authors}, "
        f"date: datetime(year: {date.year}, month: {date.month}, day: {date.day}))\n"
        f'#set page(paper: "a4", margin: (x: {margin:.2f}mm, top: {TOP}mm, bottom: {BOTTOM}mm))\n'
        + resources.files("signnet.report").joinpath("template.typ").read_text(encoding="utf-8")
    )


def typst_source(blocks: list[Block], date: datetime.datetime) -> str:
    """The Typst document for ``blocks``: the preamble, then one paragraph per block. Each
    section's figures are placed before the next section's heading (``place.flush``)."""
    body = []
    for block in blocks:
        if isinstance(block, Heading):
            body.append("#place.flush()")
        body.append(_block(block))
    return _preamble(blocks, date) + "\n" + "\n\n".join(body) + "\n"


def typeset(blocks: list[Block], date: datetime.datetime, **options) -> bytes | list[bytes]:
    """``blocks`` typeset by Typst with its own fonts only; ``options`` go to
    ``typst.compile`` (e.g. ``format="png", ppi=30`` for an image per page)."""
    with tempfile.TemporaryDirectory(prefix="signnet-report-") as folder:
        root = Path(folder)
        (root / "figures").mkdir()
        for block in blocks:
            if isinstance(block, Figure):
                (root / "figures" / block.name).write_bytes(block.png)
        (root / "report.typ").write_text(typst_source(blocks, date), encoding="utf-8")
        try:
            return typst.compile(
                str(root / "report.typ"),
                root=str(root),
                ignore_system_fonts=True,
                timestamp=int(date.timestamp()),
                **options,
            )
        except typst.TypstError as error:  # a bug here: the source shows where
            first = str(error.diagnostic).strip().splitlines()[0] if error.diagnostic else error
            raise TypesetError(
                f"Typst could not typeset the report ({first}); nothing was written. This is a "
                "bug in signnet's report: please report it with your params.yaml"
            ) from None


def render_pdf(blocks: list[Block], date: datetime.datetime) -> bytes:
    """The PDF of ``blocks``: A4, tagged, fonts embedded."""
    return typeset(blocks, date)
