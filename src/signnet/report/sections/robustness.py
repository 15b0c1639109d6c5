"""The robustness section: the test photos changed as a person's own photo differs (other light,
the other hand, blur, a tilt, noise, recompression), each change's accuracy, and one photo under
every change with the network's answers."""

from __future__ import annotations

import numpy as np

from signnet.data.preprocessing import SCALINGS
from signnet.report import figures
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
        return (
            "Nothing in this run addressed these changes: no per-photo scaling and no augmentation."
        )
    return "Against them, " + listing(done) + "."


def section(f: Facts, example: np.ndarray | None) -> list[Block]:
    """The section, or nothing where the source has no photos to change; ``example`` is the
    example photo under every change, uint8 (C, S, S)."""
    r = f.robustness
    if r is None or example is None:
        return []
    taken, changes = r.rows[0], r.rows[1:]
    costly = (
        f"{len(r.costly)} of the {len(changes)} changes cost accuracy "
        f"({listing(list(r.costly))}): "
        + ("it turns" if len(r.costly) == 1 else "each turns")
        + " more of the same photos from right to wrong than back beyond chance (exact McNemar "
        f"test, p < {SIGNIFICANCE:g})."
        if r.costly
        else f"No change costs accuracy beyond chance (exact McNemar test, p < {SIGNIFICANCE:g})."
    )
    digit, answers = r.example["digit"], r.example["answers"]
    wrong = [a["answer"] != digit for a in answers]
    shown = (
        "the one that the most changes turn wrong"
        if any(wrong)
        else "no change turns it (or any test photo right as taken) wrong"
    )
    table = Table(
        ("change", "strength", "accuracy (95% interval)"),
        tuple(
            (
                row["change"],
                row["strength"],
                f"{pct(row['accuracy'])} ({pct(row['low'])} to {pct(row['high'])})",
            )
            for row in r.rows
        ),
        caption="Test accuracy under each change of the photos, applied at each photo's own "
        "size before it is resized, with Wilson's interval.",
        label="robustness",
    )
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
            f"Test photo {literal(r.example['file'])} under every change of {{tab:robustness}}, "
            "titled with the network's answer and its probability; red marks a wrong answer.",
            label="changed",
        ),
        Paragraph(
            f"Each of the {plural(taken['photos'], 'test photo')} was changed from its "
            f"original file as a person's own photo differs ({{tab:robustness}}), then resized "
            f"as for training and classified. The network answers {pct(taken['accuracy'])} as "
            f"taken; over the {len(changes)} changes, {pct(r.mean_accuracy)} on average and "
            f"{pct(r.worst['accuracy'])} at worst ({r.worst['change']}). {costly} "
            f"{_training(f)} {{fig:changed}} shows one test photo, a {digit}, under every "
            f"change: {shown}."
        ),
        table,
    ]
