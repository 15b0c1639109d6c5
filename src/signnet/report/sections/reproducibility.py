"""The reproducibility section: the command, and the data's and code's fingerprints."""

from __future__ import annotations

from signnet.report.document import (
    Block,
    Code,
    Heading,
    Paragraph,
    Table,
)
from signnet.report.facts import Facts


def section(f: Facts) -> list[Block]:
    return [
        Heading("Reproducibility", label="reproducibility"),
        Paragraph(
            "The command of {lst:command}, run in a clone of the project, reproduces exactly this "
            "run whatever "
            "params.yaml holds (it sets every parameter that decides the results; where the "
            "data is found and how many workers run are left as they are). Equal inputs give "
            "byte-identical artifacts, this report included; {tab:fingerprints} identifies the "
            "data and the code the run read."
        ),
        Code(
            f.command,
            "The command that reproduces this run: every parameter that decides its results.",
            label="command",
        ),
        Table(
            ("What", "sha256"),
            (
                (
                    "data ("
                    + ("per-file manifest" if f.data.origin == "dataset" else "file")
                    + ")",
                    f.data.fingerprint,
                ),
                ("pipeline code (src/signnet and stages)", f.code_fingerprint),
            ),
            caption="Fingerprints of what the run read. The machine, library versions and "
            "times are in each stage's log, not here: they do not change these bytes.",
            numeric=False,
            label="fingerprints",
        ),
    ]
