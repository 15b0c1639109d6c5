"""The references: the documents the report cites."""

from __future__ import annotations

from signnet.nn import explain
from signnet.nn.initialisers import INITIALISERS
from signnet.nn.layers import LAYERS
from signnet.nn.optimizers import OPTIMIZERS
from signnet.references import DOCUMENTS
from signnet.report.document import (
    Block,
    Heading,
    References,
)
from signnet.report.facts import Facts


def section(f: Facts) -> list[Block]:
    keys = list(f.documents)
    method = ["Nadeau 2003", "Wilson 1927", "Pedregosa 2011", "Guo 2017", explain.CITATION]
    citations = [OPTIMIZERS[f.method.optimizer].citation, INITIALISERS[f.method.init].citation]
    citations += [LAYERS[layer.spec["kind"]].citation for layer in f.method.layers]
    method += list(dict.fromkeys(c for c in citations if c))
    entries = []
    if f.data.origin in ("dataset", "mnist"):
        entries.append(f"{f.data.citation}. Data: [{f.data.repository}]({f.data.repository}).")
    for key in keys + method:
        document = DOCUMENTS[key]
        if f.data.citation and document.url and document.url.rsplit("/", 1)[-1] in f.data.citation:
            continue  # the dataset's own paper, cited above with its data
        link = f" [{document.url}]({document.url})" if document.url else ""
        entries.append(document.citation + link)
    return [Heading("References"), References(tuple(sorted(entries, key=str.casefold)))]
