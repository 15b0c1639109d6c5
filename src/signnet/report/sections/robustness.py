"""The robustness section: the test photos changed as a person's own photo differs (other light,
the other hand, blur, a tilt, noise, recompression), each change's accuracy, and one photo under
every change with the network's answers."""

from __future__ import annotations

import numpy as np

from signnet.data.preprocessing import SCALINGS
from signnet.report import figures
from signnet.report.ablation import ALL, NONE, AblationFacts, costliest
from signnet.report.document import Block, Figure, Heading, Paragraph, Table, literal
from signnet.report.facts import Facts
from signnet.report.judgements import SIGNIFICANCE
from signnet.report.sections.wording import PHOTO_COLUMNS, listing, pct, plural


def _training(f: Facts) -> str:
    """What this run's training did against the changes, in a sentence."""
    m = f.method
    done = []
    if SCALINGS[f.data.scaling].photo_first:
        done.append("each photo's own brightness and contrast are standardised away")
    if m.augmented:
        done.append(f"training changed each image anew ({m.augmentation()})")
    if not done:
        return "Nothing in this run addressed them: no per-photo scaling, no augmentation."
    return "Against them, " + listing(done) + "."


# How the table's column and the text name the ablation's variant set beside this run.
_BESIDE = {
    ALL: ("every setting", "With every robustness setting"),
    NONE: ("no setting", "With none of the robustness settings"),
}


def _evidence(a: AblationFacts) -> str:
    """What the ablation measured for this run's configuration, in sentences: the figures of one
    training per variant, so only the largest effect is named as one."""
    every, other = a.variant(ALL), a.compared
    settings = [v.left_out for v in a.variants if v.left_out is not None]
    cost, moved = costliest(a)
    alone = (
        f"left out alone, {cost.left_out} lowers it the most, from {pct(every.worst)} to "
        f"{pct(cost.worst)} ({cost.worst_change}), any other by at most "
        f"{plural(moved, 'photo')} of {a.photos}"
        if cost.worst < every.worst
        else "leaving out any one setting does not lower it"
    )
    return (
        f"{_BESIDE[other.label][1]} ({listing(settings)}; {literal(a.command)}, "
        f"one training each), the lowest accuracy over the changes is {pct(other.worst)} "
        f"({other.worst_change}; {{tab:robustness}}, last column); {alone}."
    )


def section(f: Facts, example: np.ndarray | None) -> list[Block]:
    """The section, or nothing where the source has no photos to change; ``example`` is the
    example photo under every change, uint8 (C, S, S)."""
    r = f.robustness
    if r is None or example is None:
        return []
    taken, changes = r.rows[0], r.rows[1:]
    test = (
        f"paired exact McNemar test, Holm-corrected for the {len(changes)} changes, "
        f"p < {SIGNIFICANCE:g}"
    )
    costly = (
        f"Of the {len(changes)} changes, {listing(list(r.costly))} "
        + ("costs" if len(r.costly) == 1 else "cost")
        + f" accuracy: significantly more photos turned right to wrong than back ({test})."
        if r.costly
        else f"No change lowers accuracy significantly ({test})."
    )
    digit, answers = r.example["digit"], r.example["answers"]
    wrong = [a["answer"] != digit for a in answers]
    evidence = r.ablation
    beside = () if evidence is None else (evidence.compared,)
    table = Table(
        ("change", "strength", "accuracy (interval)", "turned", "p")
        + tuple(_BESIDE[v.label][0] for v in beside),
        tuple(
            (
                row["change"],
                row["strength"],
                f"{pct(row['accuracy'])} ({pct(row['low'])} to {pct(row['high'])})",
                "" if row is taken else f"{row['turned_wrong']} / {row['turned_right']}",
                "" if row is taken else _p(row["p_value"]),
                *(pct(v.accuracy[row["change"]]) for v in beside),
            )
            for row in r.rows
        ),
        caption="Test accuracy under each change, applied at each photo's own size before "
        "resizing (Wilson's interval); the photos it turned right to wrong / back, and their "
        "McNemar p (uncorrected)"
        + (
            "."
            if evidence is None
            else "; last column: this configuration trained again "
            f"{_BESIDE[evidence.compared.label][1].lower()}, once."
        ),
        label="robustness",
    )
    side = f.data.image_size
    return [
        Heading("Photos taken otherwise", label="robustness"),
        Figure(
            "changed.png",
            figures.photo_grid(
                list(example),
                [f"{a['change']}\n{a['answer']}, {a['probability']:.2f}" for a in answers],
                PHOTO_COLUMNS,
                wrong,
            ),
            f"Test photo {literal(r.example['file'])}, {'an' if digit == 8 else 'a'} {digit}, "
            "under every change of "
            f"{{tab:robustness}} as the network sees it ({side} x {side}), titled with its "
            "answer and the probability it gives it; red marks a wrong answer. Chosen as the "
            + (
                "first test photo: no test photo is classified right as taken."
                if not r.example["right_as_taken"]
                else "test photo the most changes turn wrong: the worst case, not a typical one."
                if any(wrong)
                else "first test photo right as taken: no change turns any such photo wrong."
            ),
            label="changed",
        ),
        Paragraph(
            f"Each of the {plural(taken['photos'], 'test photo')} was changed from its "
            "original file the way a person's own photo may differ ({tab:robustness}; "
            "{fig:changed} shows one photo under every change), then resized as for training "
            f"and classified. Accuracy is {pct(taken['accuracy'])} on "
            f"the photos as taken, {pct(r.worst['accuracy'])} at worst ({r.worst['change']}) "
            f"and {pct(r.mean_accuracy)} averaged over the {len(changes)} changes. {costly} "
            f"{_training(f)}" + ("" if evidence is None else f" {_evidence(evidence)}")
        ),
        table,
    ]


def _p(value: float) -> str:
    return f"{value:.2g}" if value >= 0.001 else f"{value:.0e}"
