"""What batch normalisation does to the documented ten-digit CNN, in 5-fold cross-validation.

Usage: python benchmarks/batchnorm.py [--folds 5] [--epochs N] [--workers N]

For the CNN recipe (benchmarks/references.py) with ``model.batch_norm`` false and true, each
fold of the crossvalidate stage's folds (same seed, same per-fold scaling) holds out a
validation part of its training part (``VALIDATION``, stratified, seeded), trains on the rest
with the pipeline's loop, and records after every epoch the validation accuracy; at the end,
the fold's test accuracy. Reported per setting: the mean and spread of the test accuracy over
the folds, and the epoch at which the validation accuracy first reaches 99% (per fold, and the
median). Folds run side by side in processes (joblib), each on one BLAS thread. Results go to
benchmarks/results/batchnorm.json; a Markdown table is printed.
"""

from __future__ import annotations

import signnet.cpu  # noqa: F401  (first: pins OpenBLAS and NumPy's dispatch before NumPy loads)

import argparse
import json
import statistics

import joblib
import numpy as np
from references import REFERENCES, REPO

from signnet.data.stratify import stratified_indices
from signnet.data.subset import select_classes
from signnet.nn.backend import fixed_threads
from signnet.nn.losses import encode_targets
from signnet.nn.model import Network
from signnet.nn.training import Samples, loss_and_accuracy, train_epochs
from signnet.params import Params, load_params, validate
from signnet.pipeline.crossvalidate import make_folds, spread
from signnet.pipeline.download import load_photos
from signnet.pipeline.split import parts_at
from signnet.pipeline.train import make_optimizer, training_inputs

VALIDATION = 0.1  # of each fold's training part
TARGET = 0.99  # the validation accuracy whose first epoch is reported


def with_batch_norm(params: Params, on: bool, epochs: int | None) -> Params:
    raw = params.model_dump()
    raw["model"]["batch_norm"] = on
    if epochs:
        raw["train"]["epochs"] = epochs
    return validate(raw)


def samples(part: dict, preprocessing, n_classes: int, dtype: str, x=None) -> Samples:
    """The part's samples: x its features in ``dtype`` unless given."""
    x = preprocessing.features(part["images"]).astype(dtype) if x is None else x
    targets = encode_targets(part["labels"], n_classes).astype(dtype)
    return Samples(x, targets, part["labels"])


def run_fold(dataset: dict, fold, params: Params) -> dict:
    """One fold: validation accuracy per epoch and the test accuracy after the last."""
    with fixed_threads():
        train, test, preprocessing = parts_at(dataset, fold.train, fold.test, params.split.scaling)
        n_classes = len(dataset["classes"])
        keep, held = stratified_indices(
            train["labels"], dataset["classes"], VALIDATION, params.train.seed
        )
        fit = {name: train[name][keep] for name in ("images", "labels")}
        validation = {name: train[name][held] for name in ("images", "labels")}
        config = params.model.config(preprocessing.offset.shape[0], n_classes)
        network = Network.initialise(config, params.train.seed, np)
        recipe, trained = training_inputs(
            params.train, preprocessing, fit["images"], config.dtype, np
        )
        parts = [
            samples(fit, preprocessing, n_classes, config.dtype, trained),
            samples(validation, preprocessing, n_classes, config.dtype),
        ]
        curve = []
        for _ in train_epochs(
            network,
            make_optimizer(params.train),
            parts[0],
            params.train.epochs,
            params.train.batch_size,
            params.train.seed,
            augmentation=recipe,
            schedule=params.train.schedule,
        ):
            curve.append(loss_and_accuracy(network, parts[1])[1])
        test_part = samples(test, preprocessing, n_classes, config.dtype)
        accuracy = loss_and_accuracy(network, test_part)[1]
    reached = next((epoch for epoch, a in enumerate(curve, 1) if a >= TARGET), None)
    return {"fold": fold.number, "test_accuracy": accuracy, "reached": reached, "curve": curve}


def setting_row(on: bool, records: list[dict]) -> dict:
    """One setting's summary: the test accuracy's spread over the folds, and the epoch each fold
    first reached TARGET on its validation part (None: never), with the median of those that
    did and how many did."""
    reached = [r["reached"] for r in records]
    done = [epoch for epoch in reached if epoch is not None]
    return {
        "batch_norm": on,
        "test_accuracy": spread([r["test_accuracy"] for r in records]),
        "reached": reached,
        "median_reached": statistics.median(done) if done else None,
        "folds_reached": len(done),
        "folds": records,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, help="fewer epochs than the recipe's (smoke runs)")
    parser.add_argument("--workers", type=int, default=joblib.cpu_count())
    parser.add_argument("--output", default=str(REPO / "benchmarks" / "results" / "batchnorm.json"))
    args = parser.parse_args()
    cnn = next(r for r in REFERENCES if r.name == "ten digits, CNN")
    base = cnn.params(load_params(REPO / "params.yaml"))
    photos = load_photos(base.download, root=REPO)[0]
    dataset = select_classes(photos, base.filter.classes)
    folds = make_folds(dataset["labels"], dataset["classes"], args.folds, base.split.seed)
    settings = {on: with_batch_norm(base, on, args.epochs) for on in (False, True)}
    # Both settings' folds in one batch of tasks, so that no worker waits for another's.
    tasks = [(on, fold) for on in settings for fold in folds]
    results = joblib.Parallel(n_jobs=args.workers)(
        joblib.delayed(run_fold)(dataset, fold, settings[on]) for on, fold in tasks
    )
    rows = [
        setting_row(on, [r for (s, _), r in zip(tasks, results, strict=True) if s == on])
        for on in settings
    ]
    record = {"epochs": settings[True].train.epochs, "validation": VALIDATION, "rows": rows}
    with open(args.output, "w", encoding="utf-8") as out:
        json.dump(record, out, indent=2)
        out.write("\n")
    print(markdown(record))


def markdown(record: dict) -> str:
    """The documentation's table: each setting's test accuracy over the folds and the epoch each
    fold first reached the target validation accuracy (or its best, when it never did)."""
    lines = [
        "| batch normalisation | test accuracy over the folds, mean ± std (min-max) | "
        f"first epoch at {TARGET:.0%} validation accuracy, per fold |",
        "|---|---|---|",
    ]
    for row in record["rows"]:
        a = row["test_accuracy"]
        epochs = ", ".join(
            str(fold["reached"])
            if fold["reached"] is not None
            else f"never ({max(fold['curve']):.1%} at best)"
            for fold in row["folds"]
        )
        if not row["folds_reached"]:
            median = ""
        elif row["folds_reached"] == len(row["reached"]):
            median = f" (median {row['median_reached']:g})"
        else:
            median = f" (median {row['median_reached']:g} of the {row['folds_reached']})"
        lines.append(
            f"| {'on' if row['batch_norm'] else 'off'} | {100 * a['mean']:.2f}% ± "
            f"{100 * a['std']:.2f} ({100 * a['min']:.2f}%-{100 * a['max']:.2f}%) | "
            f"{epochs}{median} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
