"""The evidence for each departure from the reference reports' set-ups, measured on this data.

For every reference claim whose set-up can be run as stated (see signnet.references), three
kinds of run, each cross-validated as the crossvalidate stage does (``cv.folds`` folds, where
``cv`` says):
- the set-up as stated (pixels / 255, small normal weights, plain gradient descent, the
  document's layers, learning rate, epochs and batch size);
- the set-up as stated with one key changed to the value signnet's configuration of that
  reference uses (benchmarks/references.py), for each key where the two differ;
- that configuration itself, with every change.
The report's hyperparameter section quotes these figures for the run's task.

Usage: python benchmarks/departures.py
Writes benchmarks/results/departures.json and prints a Markdown table.
"""

from __future__ import annotations

import signnet.cpu  # noqa: F401  (first: pins OpenBLAS and NumPy's dispatch before NumPy loads)

import json
import logging
import platform

from references import REFERENCES, REPO

from signnet.data.subset import select_classes
from signnet.params import Params, load_params, validate
from signnet.pipeline.crossvalidate import cross_validate
from signnet.pipeline.download import load_photos
from signnet.references import CLAIMS

RESULTS = REPO / "benchmarks" / "results" / "departures.json"


def dotted(params: Params, key: str):
    section, name = key.split(".")
    return getattr(getattr(params, section), name)


def with_keys(params: Params, keys: dict[str, object]) -> Params:
    """``params`` with the dotted ``keys`` set, validated."""
    raw = params.model_dump()
    for key, value in keys.items():
        section, name = key.split(".")
        raw[section][name] = value
    return validate(raw)


def evidence(params: Params, dataset: dict) -> dict:
    """The CV summary of ``params`` on ``dataset`` and how many folds sit at chance (balanced
    accuracy of one over the number of classes: every photo given one class)."""
    result = cross_validate({"run": dataset}, params)["run"]
    chance = 1 / len(dataset["classes"])
    return {
        "summary": result["summary"],
        "chance_folds": sum(r["balanced_accuracy"] <= chance + 1e-12 for r in result["folds"]),
        "folds": len(result["folds"]),
    }


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    base = load_params(REPO / "params.yaml")
    photos = load_photos(base.download, root=REPO)[0]
    configured = {r.name: r.params(base) for r in REFERENCES}
    records = []
    for claim in CLAIMS:
        setup = claim.setup()
        if setup is None or claim.name not in configured:
            continue
        target = configured[claim.name]
        stated = with_keys(target, setup)
        dataset = select_classes(photos, list(claim.digits))
        changes = {k: dotted(target, k) for k in setup if dotted(target, k) != setup[k]}
        runs = [{"change": None, **evidence(stated, dataset)}]
        for key, value in changes.items():
            runs.append({"change": key, **evidence(with_keys(stated, {key: value}), dataset)})
        runs.append({"change": "all", **evidence(target, dataset)})
        records.append(
            {
                "claim": claim.name,
                "document": claim.document,
                "digits": list(claim.digits),
                "stated": setup,
                "configured": changes,
                "runs": runs,
            }
        )
        print(markdown(records[-1]), flush=True)
    RESULTS.write_text(
        json.dumps(
            {"machine": platform.platform(), "folds": base.cv.folds, "results": records},
            indent=1,
        )
        + "\n"
    )


def markdown(record: dict) -> str:
    lines = [
        f"{record['claim']} ({record['document']})",
        "| run | CV accuracy | folds at chance |",
        "|---|---|---|",
    ]
    for run in record["runs"]:
        change = run["change"]
        name = (
            "as stated"
            if change is None
            else "every change"
            if change == "all"
            else f"{change} = {record['configured'][change]}"
        )
        s = run["summary"]
        lines.append(
            f"| {name} | {100 * s['accuracy_mean']:.1f}% ± {100 * s['accuracy_std']:.1f} | "
            f"{run['chance_folds']} of {run['folds']} |"
        )
    return "\n".join(lines) + "\n"


# The contrast table's columns: the run's change (None: as stated, "all": every departure).
CONTRAST = {
    None: "as stated",
    "split.scaling": "standardised pixels only",
    "model.init": "Xavier/He weights only",
    "train.lr": "lr 0.1 only",
    "all": "all three (signnet's settings)",
}


def contrast_table(record: dict) -> str:
    """The documentation's table: a row per reference, a column per change of CONTRAST, each
    cell the CV accuracy (mean ± std) and how many folds stayed at chance."""
    lines = [
        "| reference | " + " | ".join(CONTRAST.values()) + " |",
        "|---|" + "---|" * len(CONTRAST),
    ]
    for result in record["results"]:
        runs = {run["change"]: run for run in result["runs"]}
        cells = []
        for change in CONTRAST:
            run = runs.get(change)
            if run is None:
                cells.append("(stated value kept)")
                continue
            s = run["summary"]
            cell = f"{100 * s['accuracy_mean']:.1f}% ± {100 * s['accuracy_std']:.1f}"
            if run["chance_folds"]:
                cell += f" ({run['chance_folds']} of {run['folds']} folds at chance)"
            cells.append(cell)
        lines.append(f"| {result['claim']} ({result['document']}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
