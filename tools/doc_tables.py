"""Write the tables of the README and docs/ that are generated from their sources.

Usage: python tools/doc_tables.py [--check]

A generated block is the lines between ``<!-- generated: NAME -->`` and ``<!-- end generated
-->`` in a page; :data:`BLOCKS` says, for each name, which page holds it and what renders it:
the params schema (``signnet params``'s table) or a benchmark's saved results in
``benchmarks/results/``, through that benchmark's own ``markdown``-style function. Run it after
changing a params key or rerunning a benchmark; ``--check`` (what the tests run) lists the
blocks that differ from their source and exits 1, writing nothing.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"


def _benchmark(name: str):
    """A module of benchmarks/ (they import each other by plain name)."""
    folder = str(REPO / "benchmarks")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module(name)


def _results(name: str):
    return json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))


def _parameters() -> str:
    from signnet.params import load_params, reference_table

    return reference_table(load_params(REPO / "params.yaml")).rstrip("\n")


def _documents() -> str:
    """Each document a reference claim comes from, as the tables cite it, in one line."""
    from signnet.references import CLAIMS, DOCUMENTS

    keys = dict.fromkeys(claim.document for claim in CLAIMS)
    return "\n".join(
        f"- {key}: {DOCUMENTS[key].citation}"
        + (f" <{DOCUMENTS[key].url}>" if DOCUMENTS[key].url else "")
        for key in keys
    )


def _rendered(module: str, function: str, results: str) -> Callable[[], str]:
    return lambda: getattr(_benchmark(module), function)(_results(results)).rstrip("\n")


# name -> (page, renderer)
BLOCKS: dict[str, tuple[str, Callable[[], str]]] = {
    "results": ("README.md", _rendered("accuracy", "headline", "accuracy")),
    "documents": ("README.md", _documents),
    "parameters": ("docs/parameters.md", _parameters),
    "departures": ("docs/experiments.md", _rendered("departures", "contrast_table", "departures")),
    "kernels": ("docs/reproducibility.md", _rendered("kernels", "markdown", "kernels")),
    "libm": ("docs/reproducibility.md", _rendered("libm", "markdown", "libm")),
    "dispatch": ("docs/reproducibility.md", _rendered("dispatch", "markdown", "dispatch")),
    "threads": ("docs/reproducibility.md", _rendered("threads", "markdown", "threads")),
    "batchnorm": ("docs/network.md", _rendered("batchnorm", "markdown", "batchnorm")),
    "speed": ("docs/benchmarks.md", _rendered("speed", "markdown", "speed")),
    "profile": ("docs/benchmarks.md", _rendered("profile_cnn", "comparison", "profile_cnn")),
    "scaling": ("docs/benchmarks.md", _rendered("scaling", "markdown", "scaling")),
    "predict_stream": (
        "docs/benchmarks.md",
        _rendered("predict_stream", "markdown", "predict_stream"),
    ),
    "accuracy": ("docs/benchmarks.md", _rendered("accuracy", "markdown", "accuracy")),
    "robustness": ("docs/benchmarks.md", _rendered("robustness", "markdown", "robustness")),
    "cnn_line": ("docs/experiments.md", _rendered("robustness", "cnn_line", "robustness")),
    "robustness_dense": (
        "docs/benchmarks.md",
        _rendered("robustness_ablation", "markdown", "robustness_dense"),
    ),
    "robustness_cnn": (
        "docs/benchmarks.md",
        _rendered("robustness_ablation", "markdown", "robustness_cnn"),
    ),
}
END = "<!-- end generated -->"


def _pattern(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- generated: {re.escape(name)} -->\n)(.*?)({re.escape(END)})", re.S)


def rewrite(text: str, name: str, content: str) -> str:
    """``text`` with block ``name``'s lines replaced by ``content``; ValueError if absent."""
    pattern = _pattern(name)
    if len(pattern.findall(text)) != 1:
        raise ValueError(f"block {name!r} must appear once, between its two markers")
    return pattern.sub(lambda m: f"{m.group(1)}{content}\n{m.group(3)}", text)


def updated_pages() -> dict[Path, tuple[str, str]]:
    """Each page with a generated block: (its text now, its text with every block current)."""
    pages: dict[Path, tuple[str, str]] = {}
    for name, (page, render) in BLOCKS.items():
        path = REPO / page
        now, new = pages.get(path, (path.read_text(encoding="utf-8"),) * 2)
        pages[path] = (now, rewrite(new, name, render()))
    return pages


def stale() -> list[str]:
    """The names of the blocks whose page differs from their source."""
    names = []
    for name, (page, render) in BLOCKS.items():
        text = (REPO / page).read_text(encoding="utf-8")
        if rewrite(text, name, render()) != text:
            names.append(f"{name} ({page})")
    return names


def main(argv: list[str]) -> int:
    if "--check" in argv:
        names = stale()
        for name in names:
            print(f"stale: {name}: run python tools/doc_tables.py", file=sys.stderr)
        return 1 if names else 0
    for path, (now, new) in updated_pages().items():
        if new != now:
            path.write_text(new, encoding="utf-8")
            print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
