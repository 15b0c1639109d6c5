"""Writing the report's blocks as GitHub-flavoured Markdown, figures as PNG files beside it.

The blocks are numbered by :func:`~signnet.report.document.number_blocks` first, so references
read ``Section 4``, ``Equation (5)``. Maths stays TeX, which GitHub renders: ``$...$`` inline,
display equations between ``$$`` lines with their number as ``\\tag``. The algorithm is a quoted
block of numbered lines (so that its maths renders too), the reproducing command a fenced block.
"""

from __future__ import annotations

import re

from signnet.report.document import (
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
    number_blocks,
)


def _escape(cell: str) -> str:
    """A table cell: its pipes escaped (unless literal text escaped them already), one line."""
    return re.sub(r"(?<!\\)\|", r"\|", " ".join(cell.split()))


def _table(table: Table) -> str:
    align = ["---"] + ["---:" if table.numeric else "---"] * (len(table.header) - 1)
    lines = [
        "| " + " | ".join(_escape(c) for c in table.header) + " |",
        "|" + "|".join(align) + "|",
        *("| " + " | ".join(_escape(c) for c in row) + " |" for row in table.rows),
    ]
    return f"*{table.caption}*\n\n" + "\n".join(lines)


def _algorithm(block: Algorithm) -> str:
    lines = [
        f"> `{number:>2}` {'&emsp;' * 2 * indent}{text}"
        for number, (indent, text) in enumerate(block.lines, 1)
    ]
    return f"**{block.caption}**\n>\n" + "<br>\n".join(lines)


def _title(block: Title) -> str:
    lines = [", ".join(block.authors), *block.details]
    return "\n\n".join([f"# {block.text}", *(f"*{line}*" for line in lines if line)])


def render_markdown(blocks: list[Block], figure_dir: str) -> str:
    """The Markdown text; figures are linked as ``<figure_dir>/<name>``."""
    parts = []
    for block in number_blocks(blocks):
        if isinstance(block, Title):
            parts.append(_title(block))
        elif isinstance(block, Heading):
            parts.append("#" * block.level + " " + block.text)
        elif isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, Bullets | References):
            items = block.items if isinstance(block, Bullets) else block.entries
            parts.append("\n".join(f"- {item}" for item in items))
        elif isinstance(block, Equation):
            parts.append(f"$$\n{block.tex} \\tag{{{block.number}}}\n$$")
        elif isinstance(block, Algorithm):
            parts.append(_algorithm(block))
        elif isinstance(block, Code):
            parts.append(f"```bash\n{block.text}\n```\n\n*{block.caption}*")
        elif isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, Figure):
            parts.append(f"![{block.caption}]({figure_dir}/{block.name})\n\n*{block.caption}*")
    return "\n\n".join(parts) + "\n"
