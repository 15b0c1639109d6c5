"""Rendering the report's blocks as GitHub-flavoured Markdown, figures as PNG files beside it.

Display maths goes between ``$$`` lines, which GitHub renders; the algorithm box and commands
are fenced blocks.
"""

from __future__ import annotations

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


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")


def _table(table: Table) -> str:
    align = ["---"] + ["---:" if table.numeric else "---"] * (len(table.header) - 1)
    lines = [
        "| " + " | ".join(_escape(c) for c in table.header) + " |",
        "|" + "|".join(align) + "|",
        *("| " + " | ".join(_escape(c) for c in row) + " |" for row in table.rows),
    ]
    caption = f"\n\n*{table.caption}*" if table.caption else ""
    return "\n".join(lines) + caption


def _algorithm(block: Algorithm) -> str:
    width = len(str(len(block.lines)))
    lines = [
        f"{number:>{width}}  {'    ' * indent}{text}"
        for number, (indent, text) in enumerate(block.lines, 1)
    ]
    return f"**{block.title}**\n\n```text\n" + "\n".join(lines) + "\n```"


def render_markdown(blocks: list[Block], figure_dir: str) -> str:
    """The Markdown text; figures are linked as ``<figure_dir>/<name>``."""
    parts = []
    for block in blocks:
        if isinstance(block, Heading):
            parts.append("#" * block.level + " " + block.text)
        elif isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, Bullets):
            parts.append("\n".join(f"- {item}" for item in block.items))
        elif isinstance(block, Equation):
            parts.append(f"$$\n{block.tex} \\tag{{{block.number}}}\n$$")
        elif isinstance(block, Algorithm):
            parts.append(_algorithm(block))
        elif isinstance(block, Code):
            parts.append(f"```bash\n{block.text}\n```")
        elif isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, Figure):
            parts.append(f"![{block.caption}]({figure_dir}/{block.name})\n\n*{block.caption}*")
    return "\n\n".join(parts) + "\n"
