"""How a benchmark keeps its figures and shows them: a JSON record in benchmarks/results/ with
the machine that measured them, and a Markdown table of its rows (which tools/doc_tables.py
writes into the docs)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from signnet.stagekit import environment


def save(path: Path, rows: list[dict], **extra: object) -> dict:
    """``{"machine": ..., **extra, "rows": rows}`` (the machine as the stages log it, with its
    cores), written to ``path`` as JSON; returned."""
    record = {"machine": f"{environment()}, {os.cpu_count()} cores", **extra, "rows": rows}
    path.write_text(json.dumps(record, indent=2) + "\n")
    return record


def table(record: dict, columns: dict[str, str], cells: Callable[[dict], list[str]]) -> str:
    """The record's machine, then a Markdown table: ``columns`` maps each header to its
    alignment row (``---`` or ``---:``), ``cells(row)`` gives a row's cells."""
    lines = [
        f"Machine: {record['machine']}",
        "",
        f"| {' | '.join(columns)} |",
        f"|{'|'.join(columns.values())}|",
    ]
    lines += [f"| {' | '.join(cells(row))} |" for row in record["rows"]]
    return "\n".join(lines)
