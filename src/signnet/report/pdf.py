"""Rendering the report's blocks as an A4 PDF with real text, maths, tables and figures.

The text uses the DejaVu fonts that Matplotlib ships, embedded in the file; nothing is set
under 8 pt. Figures are placed at the size they were drawn (their fonts print at their point
size), equations are typeset by Matplotlib's mathtext. Figures and tables float as in LaTeX: one
that does not fit in what is left of a page waits while the text after it (headings included)
fills the page, and goes at the top of the next page. Links in the text are clickable. The
creation date is fixed, so equal inputs give byte-identical files.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from signnet.report.document import (
    Algorithm,
    Block,
    Bullets,
    Code,
    Equation,
    Figure,
    Heading,
    Paragraph,
    Table,
)
from signnet.report.figures import DPI, EQUATION_DPI, equation_png

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
MONO = "DejaVuMono"
MARGIN = 18  # mm
LINE = 5.2  # mm, body text line height
TABLE_LINE = 4.6  # mm, one line of a table cell
CAPTION_SIZE, CAPTION_LINE = 8.5, 4.3  # pt, mm
HEADING_SIZES = {1: 17, 2: 13, 3: 11}
KEEP_WITH_HEADING = 35  # mm: a heading starts a new page when less room is left below it
SMALLEST = 8  # pt: nothing is set smaller


@dataclasses.dataclass
class Layout:
    """What rendering measured: for each page, how far down its content reaches, as a fraction
    of the text height."""

    fills: list[float] = dataclasses.field(default_factory=list)


class _ReportPDF(FPDF):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Page number -> how full it is. fpdf2 tries tables out on the document itself and
        # rewinds it, so a page may be measured more than once: the last measure holds.
        self.fills: dict[int, float] = {}
        self.lowest = 0.0  # the lowest y reached on the current page

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=SMALLEST)
        self.set_text_color(110)
        self.cell(0, 6, f"{self.title} - page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)

    def add_page(self, *args, **kwargs) -> None:
        if self.page:
            self.end_page_measure()
        super().add_page(*args, **kwargs)

    def end_page_measure(self) -> None:
        """Record how full the current page is (see :class:`Layout`)."""
        self.mark()
        height = self.page_break_trigger - self.t_margin
        self.fills[self.page] = min(1.0, (self.lowest - self.t_margin) / height)
        self.lowest = 0.0

    def accept_page_break(self) -> bool:
        self.mark()
        return super().accept_page_break()

    def mark(self) -> None:
        """Note how far down the page the content now reaches."""
        self.lowest = max(self.lowest, self.get_y())


def _new_pdf(title: str, date: datetime.datetime) -> _ReportPDF:
    pdf = _ReportPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.add_font(FONT, "I", FONT_DIR / "DejaVuSans-Oblique.ttf")
    pdf.add_font(FONT, "BI", FONT_DIR / "DejaVuSans-BoldOblique.ttf")
    pdf.add_font(MONO, "", FONT_DIR / "DejaVuSansMono.ttf")
    pdf.set_title(title)
    pdf.set_author("signnet")
    pdf.set_creator("signnet report stage")
    pdf.set_creation_date(date)
    pdf.alias_nb_pages()
    pdf.add_page()
    return pdf


def _room_left(pdf: FPDF) -> float:
    return pdf.page_break_trigger - pdf.get_y()


def _heading(pdf: _ReportPDF, block: Heading) -> None:
    size = HEADING_SIZES.get(block.level, 11)
    if _room_left(pdf) < KEEP_WITH_HEADING:
        pdf.add_page()
    pdf.ln(3 if block.level > 1 and pdf.get_y() > pdf.t_margin + 1 else 0)
    pdf.set_font(FONT, "B", size)
    pdf.multi_cell(0, size * 0.5, block.text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _text(pdf: _ReportPDF, text: str, indent: float = 0) -> None:
    pdf.set_font(FONT, size=10)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(0, LINE, text, align="L", new_x="LMARGIN", new_y="NEXT", markdown=True)


def _paragraph(pdf: _ReportPDF, block: Paragraph) -> None:
    _text(pdf, block.text)
    pdf.ln(2)


def _bullets(pdf: _ReportPDF, block: Bullets) -> None:
    for item in block.items:
        pdf.set_font(FONT, size=10)
        if _room_left(pdf) < LINE:
            pdf.add_page()
        y = pdf.get_y()
        pdf.cell(5, LINE, "\u2022")
        pdf.set_y(y)
        _text(pdf, item, indent=5)
        pdf.ln(1)
    pdf.ln(1)


def _caption(pdf: _ReportPDF, text: str) -> None:
    pdf.set_font(FONT, "I", CAPTION_SIZE)
    pdf.set_text_color(70)
    pdf.multi_cell(0, CAPTION_LINE, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(3)


def _caption_height(pdf: _ReportPDF, text: str) -> float:
    pdf.set_font(FONT, "I", CAPTION_SIZE)
    lines = pdf.multi_cell(0, CAPTION_LINE, text, dry_run=True, output="LINES")
    return len(lines) * CAPTION_LINE + 4


def _image_size(png: bytes, dpi: float) -> tuple[float, float]:
    """(width, height) in mm of a PNG printed at ``dpi``."""
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    return width / dpi * 25.4, height / dpi * 25.4


def _figure_size(pdf: _ReportPDF, block: Figure) -> tuple[float, float]:
    """The figure's printed size: as drawn, scaled down only if wider than the text or taller
    than a page (figures are drawn to fit, so that does not happen to the report's own)."""
    width, height = _image_size(block.png, DPI)
    scale = min(1.0, pdf.epw / width, (pdf.eph - 20) / height)
    return width * scale, height * scale


def _figure_height(pdf: _ReportPDF, block: Figure) -> float:
    return _figure_size(pdf, block)[1] + 1 + _caption_height(pdf, block.caption)


def _figure(pdf: _ReportPDF, block: Figure) -> None:
    width, height = _figure_size(pdf, block)
    x = pdf.l_margin + (pdf.epw - width) / 2
    pdf.image(io.BytesIO(block.png), x=x, y=pdf.get_y(), w=width, h=height)
    pdf.set_y(pdf.get_y() + height + 1)
    _caption(pdf, block.caption)


def _table_font(block: Table) -> float:
    return 8.5 if len(block.header) > 4 else 9.5


def _table_height(pdf: _ReportPDF, block: Table) -> float:
    """The table's height: each row as tall as its tallest cell, wrapped at equal columns."""
    pdf.set_font(FONT, size=_table_font(block))
    column = pdf.epw / len(block.header) - 2.4
    height = 0.0
    for row in (block.header, *block.rows):
        lines = max(
            len(pdf.multi_cell(column, TABLE_LINE, c, dry_run=True, output="LINES")) for c in row
        )
        height += lines * TABLE_LINE + 2.4
    return height + 1 + (_caption_height(pdf, block.caption) if block.caption else 0)


def _table(pdf: _ReportPDF, block: Table) -> None:
    pdf.set_font(FONT, size=_table_font(block))
    align = ["LEFT"] + ["RIGHT" if block.numeric else "LEFT"] * (len(block.header) - 1)
    with pdf.table(
        text_align=tuple(align),
        headings_style=FontFace(emphasis="BOLD", fill_color=(228, 233, 242)),
        line_height=TABLE_LINE,
        padding=1.2,
        first_row_as_headings=True,
        repeat_headings=1,
    ) as table:
        for row in (block.header, *block.rows):
            cells = table.row()
            for cell in row:
                cells.cell(cell)
    pdf.ln(1)
    if block.caption:
        _caption(pdf, block.caption)


def _equation(pdf: _ReportPDF, block: Equation) -> None:
    png = equation_png(block.tex)
    width, height = _image_size(png, EQUATION_DPI)
    if _room_left(pdf) < height + 3:
        pdf.add_page()
    top = pdf.get_y() + 1
    pdf.image(io.BytesIO(png), x=pdf.l_margin + (pdf.epw - width) / 2, y=top, w=width, h=height)
    # the number, right-aligned in the text block's last 10 mm (the margin when the maths is wide)
    right = pdf.l_margin + max(pdf.epw, (pdf.epw + width) / 2 + 10)
    pdf.set_xy(right - 10, top + height / 2 - LINE / 2)
    pdf.cell(10, LINE, f"({block.number})", align="R")
    pdf.set_xy(pdf.l_margin, top + height + 2)


def _box(pdf: _ReportPDF, block: Algorithm | Code) -> None:
    """A framed box: the algorithm with numbered, wrapped lines, or a command in monospace."""
    mono = isinstance(block, Code)
    line = 4.3 if mono else 4.9
    if mono:
        lines = [(0.0, text) for text in block.text.splitlines()]
    else:
        lines = [(6.0 * indent, text) for indent, text in block.lines]
    left = 3.0 if mono else 10.0  # mm from the box's edge to the text

    def font() -> None:
        pdf.set_font(MONO, size=SMALLEST) if mono else pdf.set_font(FONT, size=9)

    font()
    wrapped = [
        pdf.multi_cell(pdf.epw - left - 3 - indent, line, text, dry_run=True, output="LINES")
        for indent, text in lines
    ]
    title = 0 if mono else line + 2
    height = title + line * sum(len(w) for w in wrapped) + 4
    if _room_left(pdf) < height and height < pdf.eph:
        pdf.add_page()
    top = pdf.get_y()
    pdf.set_draw_color(150)
    pdf.set_fill_color(246, 247, 250)
    pdf.rect(pdf.l_margin, top, pdf.epw, height, style="DF")
    pdf.set_y(top + 2)
    if not mono:
        pdf.set_font(FONT, "B", 9.5)
        pdf.set_x(pdf.l_margin + 3)
        pdf.cell(0, line, block.title, new_x="LMARGIN", new_y="NEXT")
        pdf.line(pdf.l_margin, pdf.get_y() + 0.8, pdf.l_margin + pdf.epw, pdf.get_y() + 0.8)
        pdf.ln(2)
    for number, ((indent, _), parts) in enumerate(zip(lines, wrapped, strict=True), 1):
        if not mono:
            pdf.set_font(FONT, size=SMALLEST)
            pdf.set_text_color(120)
            pdf.set_x(pdf.l_margin + 1)
            pdf.cell(6, line, str(number), align="R")
            pdf.set_text_color(0)
        font()
        for part in parts:
            pdf.set_x(pdf.l_margin + left + indent)
            pdf.cell(0, line, part, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(top + height + 3)


def _float_height(pdf: _ReportPDF, block: Figure | Table) -> float:
    return _figure_height(pdf, block) if isinstance(block, Figure) else _table_height(pdf, block)


def _place_float(pdf: _ReportPDF, block: Figure | Table) -> None:
    if isinstance(block, Figure):
        _figure(pdf, block)
    else:
        _table(pdf, block)


def render_pdf(blocks: list[Block], date: datetime.datetime, layout: Layout | None = None) -> bytes:
    """The PDF bytes; ``date`` is recorded as the creation date (fixed for reproducibility).
    ``layout``, if given, receives what rendering measured."""
    title = next((b.text for b in blocks if isinstance(b, Heading) and b.level == 1), "Report")
    pdf = _new_pdf(title, date)
    # Floats that did not fit on the page they came on, each with its height (measured once).
    waiting: list[tuple[Figure | Table, float]] = []

    def flush(force: bool) -> None:
        """Place waiting floats that fit here; with ``force``, all of them (new pages)."""
        while waiting:
            height = waiting[0][1]
            fits = _room_left(pdf) >= height or height >= pdf.eph
            if not fits and not force:
                return
            if not fits:
                pdf.add_page()
            _place_float(pdf, waiting.pop(0)[0])
            pdf.mark()

    for block in blocks:
        page = pdf.page_no()
        if isinstance(block, Heading):
            # Text may pass a waiting float, a heading too while more than a third of the page
            # is left to fill; otherwise the floats go first, on a new page.
            if block.level == 1 or _room_left(pdf) < pdf.eph / 3:
                flush(force=True)
            _heading(pdf, block)
        elif isinstance(block, Figure | Table):
            height = _float_height(pdf, block)
            # A table longer than half a page may break across pages; other floats wait.
            splits = isinstance(block, Table) and height > pdf.eph / 2
            if waiting or not (splits or _room_left(pdf) >= height):
                waiting.append((block, height))
                flush(force=False)
            else:
                _place_float(pdf, block)
        elif isinstance(block, Paragraph):
            _paragraph(pdf, block)
        elif isinstance(block, Bullets):
            _bullets(pdf, block)
        elif isinstance(block, Equation):
            _equation(pdf, block)
        elif isinstance(block, Algorithm | Code):
            _box(pdf, block)
        pdf.mark()
        if pdf.page_no() != page:  # the text ran onto a new page: waiting floats go first
            flush(force=False)
    flush(force=True)
    pdf.end_page_measure()
    if layout is not None:
        layout.fills = [pdf.fills[page] for page in sorted(pdf.fills)]
    return bytes(pdf.output())
