"""How a trained network fares on its test photos changed as a person's photo differs: other
light, the other hand, blur, a tilt, sensor noise, recompression (signnet.data.changes).

Usage: python benchmarks/robustness.py RUN [RUN ...] [--mirror DIR] [--output FILE]

Each RUN is ``LABEL=FOLDER``: a pipeline workspace whose ``models/model.npz`` and
``data/test.npz`` are that run's model and test part (a clone after ``dvc repro`` or
``dvc exp run``). Each test photo is read again from the dataset's original JPEG (the mirror, or
signnet's cache), made grey, changed at its own size and resized as ``signnet predict`` does,
and classified; each change gets its accuracy with Wilson's 95% interval, as the evaluate stage
measures it (signnet.pipeline.robustness, whose seeded noise gives the same figures on a rerun);
this table sets runs side by side. Where the run cross-validated (reports/cv_folds.json), its
cross-validated accuracy on the photos as taken is a row too, with the cross-validation's t
interval. Results go to benchmarks/results/robustness.json; a Markdown table is printed.
"""

from __future__ import annotations

import signnet.cpu  # noqa: F401  (first: pins OpenBLAS and NumPy's dispatch before NumPy loads)

import argparse
import json
from pathlib import Path

import results
from references import REPO

from signnet.artifacts import load_npz
from signnet.data.archive import SIGN_LANGUAGE_DIGITS
from signnet.data.fetch import fetch_dataset
from signnet.modelfile import load_model
from signnet.nn.backend import fixed_threads
from signnet.pipeline.robustness import measure_robustness

MIRROR = REPO.parent / "shared" / "data" / "sign-language-digits"


def measure(label: str, folder: Path, photos: dict[str, bytes]) -> list[dict]:
    """A row per change for the run in ``folder``: its accuracy on the changed test photos, as
    the evaluate stage measures it."""
    model = load_model(folder / "models" / "model.npz")
    test = load_npz(folder / "data" / "test.npz")
    with fixed_threads():  # the evaluate stage's thread count: its answers
        record, _ = measure_robustness(model, test, photos)
    for row in record["changes"]:
        print(f"{label}: {row['change']}: {row['accuracy']:.1%}", flush=True)
    return [{"run": label, **row} for row in record["changes"]] + cross_validated(label, folder)


def cross_validated(label: str, folder: Path) -> list[dict]:
    """The run's cross-validated accuracy on the photos as taken (reports/cv_folds.json, where
    the run cross-validated), beside what its test part shows."""
    path = folder / "reports" / "cv_folds.json"
    if not path.exists():
        return []
    record = json.loads(path.read_text())
    summary, folds = record["summary"], record["folds"]
    if not folds:
        return []
    return [
        {
            "run": label,
            "change": "cross-validated",
            "strength": f"as taken, {len(folds)} folds (t interval)",
            "photos": sum(f["test_images"] for f in folds),
            "correct": None,
            "accuracy": summary["accuracy_mean"],
            "low": summary["accuracy_ci95_low"],
            "high": summary["accuracy_ci95_high"],
        }
    ]


def markdown(record: dict, intervals: bool = True) -> str:
    """A row per change, a column per run: accuracy (with its 95% interval)."""
    runs = list(dict.fromkeys(r["run"] for r in record["rows"]))
    by = {(r["run"], r["change"], r["strength"]): r for r in record["rows"]}
    changes = list(dict.fromkeys((r["change"], r["strength"]) for r in record["rows"]))
    rows = [{"change": c, "strength": s} for c, s in changes]
    columns = {"test photos": "---", "change": "---"} | dict.fromkeys(runs, "---:")

    def cell(r: dict | None) -> str:
        if r is None:
            return ""
        interval = f" ({r['low']:.1%} to {r['high']:.1%})" if intervals else ""
        return f"{r['accuracy']:.1%}{interval}"

    def cells(row: dict) -> list[str]:
        found = [by.get((run, row["change"], row["strength"])) for run in runs]
        return [row["change"], row["strength"]] + [cell(r) for r in found]

    return results.table({**record, "rows": rows}, columns, cells)


# The labels of the runs that docs/experiments.md sums up: the ten-digit CNN line as documented,
# and before it took the robustness settings.
CNN_LINE, BEFORE = "CNN line", "CNN line, before"


def _figures(record: dict, run: str) -> tuple[dict, dict | None, dict]:
    """The run's row as taken, its cross-validated row (None if it did not), its worst change."""
    rows = [r for r in record["rows"] if r["run"] == run]
    taken = next(r for r in rows if r["change"] == "as taken")
    cv = next((r for r in rows if r["change"] == "cross-validated"), None)
    changed = [r for r in rows if r["change"] not in ("as taken", "cross-validated")]
    return taken, cv, min(changed, key=lambda r: r["accuracy"])


def cnn_line(record: dict) -> str:
    """docs/experiments.md's sentences on the ten-digit CNN line, before and after."""

    def said(run: str) -> str:
        taken, cv, worst = _figures(record, run)
        text = f"{taken['accuracy']:.1%} of its {taken['photos']} test photos ({taken['correct']})"
        if cv is not None:
            text += (
                f", {cv['accuracy']:.1%} in 5-fold cross-validation (95% t interval "
                f"{cv['low']:.1%} to {min(cv['high'], 1):.1%})"
            )
        return (
            text + f", and {worst['accuracy']:.1%} at worst on changed photos ({worst['change']})"
        )

    return (
        f"On the pipeline's split here the ten-digit CNN line answers {said(CNN_LINE)}; every "
        "change is in [Benchmarks](benchmarks.md#the-photos-people-take). Before it took the "
        f"robustness settings (40 epochs, tilts up to 10 degrees), it answered {said(BEFORE)}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="LABEL=FOLDER of a pipeline workspace")
    parser.add_argument("--mirror", type=Path, default=MIRROR)
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks/results/robustness.json")
    args = parser.parse_args()
    photos, _ = fetch_dataset(SIGN_LANGUAGE_DIGITS, [args.mirror])
    rows = []
    for run in args.runs:
        label, folder = run.split("=", 1)
        rows += measure(label, Path(folder), photos)
    print(markdown(results.save(args.output, rows)))


if __name__ == "__main__":
    main()
