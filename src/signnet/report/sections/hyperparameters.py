"""The hyperparameters section, with the measured evidence for each departure."""

from __future__ import annotations

from signnet.nn.initialisers import INITIALISERS
from signnet.nn.schedules import SCHEDULES
from signnet.params import key_title
from signnet.report.document import (
    Block,
    Heading,
    Paragraph,
    Table,
)
from signnet.report.facts import Facts
from signnet.report.judgements import no_effect
from signnet.report.sections.wording import batching, listing, pct, value_text


def _setup_rows(f: Facts) -> tuple[tuple[str, str], ...]:
    m = f.method
    rows = [
        ("Optimizer", f.method.optimizer_text),
        (
            "Learning rate",
            f"{m.lr:g}" + (f", {m.schedule} schedule" if SCHEDULES[m.schedule].equation else ""),
        ),
        ("Epochs", str(m.epochs)),
        ("Batches", batching(f)),
        (
            "Initialisation",
            INITIALISERS[m.init].display.format(scale=m.init_scale) + ", zero biases",
        ),
        ("L2 weight decay", f"{m.weight_decay:g}"),
        ("Seeds", f"weights and batch order {m.train_seed}; split {f.data.split_seed}"),
        ("Arithmetic", f"{m.dtype} on {m.device}"),
    ]
    if m.augmented:
        rows.append(("Augmentation (per image, per epoch)", m.augmentation()))
    if m.validation_fraction:
        rows.append(
            (
                "Validation part",
                f"{m.validation_fraction:g} of the training part per digit; the weights of the "
                "epoch with the lowest validation loss are kept"
                + (f"; stop after {m.patience} epochs without improvement" if m.patience else ""),
            )
        )
    return tuple(rows)


def _evidence_text(evidence: dict) -> str:
    s = evidence["summary"]
    text = f"{pct(s['accuracy_mean'])} ± {pct(s['accuracy_std'])}"
    if evidence["chance_folds"]:
        text += f" ({evidence['chance_folds']} of {evidence['folds']} folds at chance)"
    return text


def _departure_blocks(f: Facts) -> list[Block]:
    """The departures from the reference's set-up: a row for each one measured alone, with its
    evidence; one sentence for those measured only together, or not at all; and a sentence for
    each change that, alone, leaves the stated set-up's accuracy where it was."""
    dep, stated = f.departures, f.departures.stated_evidence
    measured = [d for d in dep.departures if stated is not None and d.evidence is not None]
    unmeasured = [d for d in dep.departures if d not in measured]
    blocks: list[Block] = []
    if stated is not None:
        at_chance = (
            f": in {stated['chance_folds']} of {stated['folds']} folds the network trained that "
            "way stays at chance, giving every image the same class"
            if stated["chance_folds"]
            else ""
        )
        s = stated["summary"]
        blocks.append(
            Paragraph(
                f"Measured on the Sign Language Digits photos with {stated['folds']}-fold "
                f"cross-validation (benchmarks/departures.py), the set-up of {dep.document} as "
                f"stated reaches {pct(s['accuracy_mean'])} ± {pct(s['accuracy_std'])}"
                f"{at_chance}."
                + (
                    " Each row of {tab:departures} gives its accuracy with only the one setting "
                    "changed to this run's value."
                    if measured
                    else ""
                )
            )
        )
    sentences = []
    inert = [d for d in measured if no_effect(d.evidence["summary"], stated["summary"])]
    if inert:
        names = listing([key_title(d.key) for d in inert])
        stuck = all(d.evidence["chance_folds"] == d.evidence["folds"] for d in inert)
        sentences.append(
            f"Changed alone, the {names} "
            + (
                ("leaves" if len(inert) == 1 else "leave")
                + " the network at chance in every fold, as the stated set-up is"
                if stuck
                else ("does" if len(inert) == 1 else "do")
                + " not move the accuracy of the stated set-up by more than the larger spread "
                "over the folds"
            )
            + ": whether "
            + ("it helps" if len(inert) == 1 else "they help")
            + " together with the others was not measured."
        )
    if unmeasured:
        sentences.append(
            f"This run also departs from {dep.document} in "
            + listing(
                [
                    f"{key_title(d.key)} ({value_text(d.key, d.stated)} there, "
                    f"{value_text(d.key, d.used)} here)"
                    for d in unmeasured
                ]
            )
            + (
                ", changes not measured one at a time"
                if measured or stated is not None
                else "; none was measured"
            )
            + (
                f"; all of them together give {_evidence_text(dep.all_evidence)}."
                if dep.all_evidence is not None and not measured
                else "."
            )
        )
    if measured:
        rows = tuple(
            (
                key_title(d.key),
                value_text(d.key, d.stated),
                value_text(d.key, d.used),
                _evidence_text(d.evidence),
            )
            for d in measured
        )
        if dep.all_evidence is not None:
            rows += (
                (
                    "all of the above" if not unmeasured else "every departure",
                    "",
                    "",
                    _evidence_text(dep.all_evidence),
                ),
            )
        blocks.append(
            Table(
                ("Setting", f"{dep.document}", "this run", "CV accuracy with only this change"),
                rows,
                caption=f"Departures from the set-up of {dep.document} ({dep.measured_on}), "
                "each measured alone on the Sign Language Digits photos.",
                numeric=False,
                label="departures",
            )
        )
    if sentences:
        blocks.append(Paragraph(" ".join(sentences)))
    return blocks


def section(f: Facts) -> list[Block]:
    dep = f.departures
    blocks: list[Block] = [
        Heading("Hyperparameters and the evidence for them", label="hyperparameters"),
        Paragraph(
            "{tab:setup} lists how the network was trained. Where it departs from the set-up "
            "of the reference report for this task, the evidence measured for the departures "
            "follows."
            if dep.departures
            else "{tab:setup} lists how the network was trained."
        ),
        Table(
            ("Setting", "Value"),
            _setup_rows(f),
            caption="Training set-up.",
            numeric=False,
            label="setup",
        ),
    ]
    if not dep.document:
        blocks.append(
            Paragraph(
                "No reference report states a set-up for this task, so there is nothing to "
                "depart from."
            )
        )
        return blocks
    if not dep.departures:
        blocks.append(Paragraph(f"The set-up follows {dep.document} as stated, with no departure."))
    return blocks + _departure_blocks(f)
