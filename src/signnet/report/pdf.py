"""Rendering the report's blocks as an A4 PDF with real text, tables and embedded figures.

The text uses the DejaVu Sans fonts that Matplotlib ships, embedded in the file. A figure is
never cut across pages: it moves to the next page when it does not fit (and is scaled down if it
is taller than a page). The creation date is fixed, so equal inputs give byte-identical files.
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from signnet.report.document import Block, Bullets, Figure, Heading, Paragraph, Table

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
MARGIN = 18  # mm
LINE = 5.2  # mm, body text line height
TABLE_ROW = 7.5  # mm, a generous estimate of one table row's height
HEADING_SIZES = {1: 17, 2: 13, 3: 11}


class _ReportPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(110)
        self.cell(0, 6, f"{self.title} - page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)


def _new_pdf(title: str, date: datetime.datetime) -> _ReportPDF:
    pdf = _ReportPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.add_font(FONT, "I", FONT_DIR / "DejaVuSans-Oblique.ttf")
    pdf.set_title(title)
    pdf.set_author("signnet")
    pdf.set_creator("signnet report stage")
    pdf.set_creation_date(date)
    pdf.alias_nb_pages()
    pdf.add_page()
    return pdf


def _room_left(pdf: FPDF) -> float:
    return pdf.page_break_trigger - pdf.get_y()


def _heading(pdf: FPDF, block: Heading) -> None:
    size = HEADING_SIZES.get(block.level, 11)
    if _room_left(pdf) < 40:  # keep a heading with what follows it
        pdf.add_page()
    pdf.ln(3 if block.level > 1 else 0)
    pdf.set_font(FONT, "B", size)
    pdf.multi_cell(0, size * 0.5, block.text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(0, LINE, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _caption(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, "I", 8.5)
    pdf.set_text_color(70)
    pdf.multi_cell(0, 4.3, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(3)


def _bullets(pdf: FPDF, block: Bullets) -> None:
    pdf.set_font(FONT, size=10)
    for item in block.items:
        pdf.cell(5, LINE, "\u2022")
        pdf.multi_cell(0, LINE, item, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.ln(1)


def _table(pdf: FPDF, block: Table) -> None:
    estimated_height = (len(block.rows) + 1) * TABLE_ROW + 8
    if estimated_height < pdf.eph and _room_left(pdf) < estimated_height:
        pdf.add_page()  # a table that fits on a page is not split
    pdf.set_font(FONT, size=8.5 if len(block.header) > 4 else 9.5)
    align = ["LEFT"] + ["RIGHT" if block.numeric else "LEFT"] * (len(block.header) - 1)
    with pdf.table(
        text_align=tuple(align),
        headings_style=FontFace(emphasis="BOLD", fill_color=(228, 233, 242)),
        line_height=5,
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


def _figure_size(pdf: FPDF, block: Figure) -> tuple[float, float]:
    """(width, height) in mm: ``block.width`` of the text width, scaled down to fit a page."""
    with Image.open(io.BytesIO(block.png)) as image:
        pixel_width, pixel_height = image.size
    width = pdf.epw * block.width
    height = width * pixel_height / pixel_width
    page_room = pdf.page_break_trigger - pdf.t_margin - 14  # leave room for the caption
    if height > page_room:
        width, height = width * page_room / height, page_room
    return width, height


def _figure(pdf: FPDF, block: Figure) -> None:
    width, height = _figure_size(pdf, block)
    if _room_left(pdf) < height + 12:
        pdf.add_page()
    x = pdf.l_margin + (pdf.epw - width) / 2
    pdf.image(io.BytesIO(block.png), x=x, y=pdf.get_y(), w=width, h=height)
    pdf.set_y(pdf.get_y() + height + 1)
    _caption(pdf, block.caption)


def _keep_with_figure(pdf: FPDF, text: str, figure: Figure) -> None:
    """Start a new page before a paragraph that introduces a figure if both do not fit."""
    pdf.set_font(FONT, size=10)
    lines = pdf.multi_cell(0, LINE, text, dry_run=True, output="LINES")
    needed = len(lines) * LINE + 2 + _figure_size(pdf, figure)[1] + 12
    if needed < pdf.eph and _room_left(pdf) < needed:
        pdf.add_page()


def render_pdf(blocks: list[Block], date: datetime.datetime) -> bytes:
    """The PDF bytes; ``date`` is recorded as the creation date (fixed for reproducibility)."""
    title = next((b.text for b in blocks if isinstance(b, Heading) and b.level == 1), "Report")
    pdf = _new_pdf(title, date)
    for block, following in zip(blocks, [*blocks[1:], None], strict=True):
        if isinstance(block, Heading):
            _heading(pdf, block)
        elif isinstance(block, Paragraph):
            if isinstance(following, Figure):
                _keep_with_figure(pdf, block.text, following)
            _paragraph(pdf, block.text)
        elif isinstance(block, Bullets):
            _bullets(pdf, block)
        elif isinstance(block, Table):
            _table(pdf, block)
        elif isinstance(block, Figure):
            _figure(pdf, block)
    return bytes(pdf.output())
