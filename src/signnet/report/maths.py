"""TeX maths, as the report's sections write it, converted to Typst maths for the PDF.

The sections (and the components of :mod:`signnet.nn`) write every formula once, in the TeX that
GitHub's MathJax renders in the Markdown report; the PDF gets the same formula converted by
``tex2typst``. ``tests/test_report_maths.py`` converts and typesets every formula the report can
contain.
"""

from __future__ import annotations

import functools
import re

import tex2typst

# Symbols that tex2typst still spells as Typst did before 0.14 renamed them, with the name the
# pinned Typst knows.
RENAMED = {"dot.circle": "dot.o"}
_RENAMED = re.compile(r"\b(" + "|".join(re.escape(old) for old in RENAMED) + r")\b")


@functools.cache
def typst_maths(tex: str) -> str:
    """The Typst maths (what goes between ``$`` signs) for the TeX formula ``tex``."""
    return _RENAMED.sub(lambda m: RENAMED[m[1]], tex2typst.tex2typst(tex).strip())
