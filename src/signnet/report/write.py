"""Writing the report: figures into a folder, then the Markdown and the PDF, all atomically."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from signnet.artifacts import atomic_directory, write_bytes
from signnet.report.document import Block, Figure
from signnet.report.markdown import render_markdown
from signnet.report.pdf import render_pdf


def report_date(source: dict) -> datetime.datetime:
    """The date the PDF records: the data's commit date, or a fixed epoch for other data.

    A date from the inputs (never the clock) keeps the PDF byte-identical for equal inputs.
    """
    day = source.get("commit_date", "2000-01-01")
    return datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.UTC)


def write_report(blocks: list[Block], markdown: Path, pdf: Path, figure_dir: Path, date) -> None:
    """Write ``figure_dir/<name>.png`` for every figure, then ``markdown`` and ``pdf``; the PDF
    is typeset first, so that a report Typst refuses writes nothing."""
    link = Path(os.path.relpath(figure_dir, markdown.parent)).as_posix()
    typeset = render_pdf(blocks, date)
    with atomic_directory(figure_dir) as folder:
        for block in blocks:
            if isinstance(block, Figure):
                (folder / block.name).write_bytes(block.png)
    write_bytes(markdown, render_markdown(blocks, link).encode("utf-8"))
    write_bytes(pdf, typeset)
