"""Accuracy of signnet and of scikit-learn's same-architecture MLPClassifier on the reference
configurations: on the pipeline's own split, and in stratified 5-fold cross-validation.

Usage: python benchmarks/accuracy.py [--folds 5] [--only NAME] [--epochs N] [--image-size S]
The photos are found as the download stage finds them (cache, mirrors in params.yaml, URL).
Writes benchmarks/results/accuracy.json and prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import time
import warnings
from pathlib import Path

import numpy as np
from references import REFERENCES, REPO, SKLEARN_ACTIVATION
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier

from signnet.data.subset import select_classes
from signnet.params import load_params
from signnet.pipeline.download import load_photos
from signnet.pipeline.split import parts_at, split_dataset
from signnet.pipeline.train import train_network


def sklearn_accuracy(model_params, train, test, preprocessing, seed) -> tuple[float, float]:
    """(test accuracy, seconds) of MLPClassifier with the same hidden layers and activation,
    its own default solver (adam) and max_iter=300."""
    classifier = MLPClassifier(
        hidden_layer_sizes=tuple(model_params.hidden),
        activation=SKLEARN_ACTIVATION[model_params.activation],
        max_iter=300,
        random_state=seed,
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        classifier.fit(preprocessing.features(train["images"]), train["labels"])
    seconds = time.perf_counter() - start
    accuracy = classifier.score(preprocessing.features(test["images"]), test["labels"])
    return float(accuracy), seconds


def signnet_accuracy(model_params, train_params, train, test, preprocessing) -> tuple[float, float]:
    """(test accuracy after the last epoch, training seconds) of signnet."""
    result = train_network(train, test, preprocessing, model_params, train_params)
    return result.history[-1]["test_accuracy"], result.seconds


def summary(values: list[float]) -> dict:
    return {
        "mean": float(np.mean(values)),
        "std": float(np.std(values)),
        "min": float(np.min(values)),
        "max": float(np.max(values)),
        "values": values,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--only", help="run only the reference with this name, e.g. '6 vs 8'")
    parser.add_argument("--epochs", type=int, help="override every configuration's epochs")
    parser.add_argument("--image-size", type=int, help="override download.image_size")
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks/results/accuracy.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    params = load_params(REPO / "params.yaml")
    download = params.download
    if args.image_size:
        download = download.model_copy(update={"image_size": args.image_size})
    photos, _ = load_photos(download, root=REPO)
    split_params = params.split
    rows = []
    for reference in REFERENCES:
        if args.only and reference.name != args.only:
            continue
        model_params, train_params = reference.sections(params)
        if args.epochs:
            train_params = train_params.model_copy(update={"epochs": args.epochs})
        dataset = select_classes(photos, reference.classes)
        train, test, preprocessing = split_dataset(
            dataset, split_params.test_fraction, split_params.scaling, split_params.seed
        )
        signnet_split, signnet_seconds = signnet_accuracy(
            model_params, train_params, train, test, preprocessing
        )
        sklearn_split, sklearn_seconds = sklearn_accuracy(
            model_params, train, test, preprocessing, seed=0
        )
        folds = StratifiedKFold(args.folds, shuffle=True, random_state=split_params.seed)
        cv = {"signnet": [], "scikit-learn": []}
        for train_idx, test_idx in folds.split(dataset["labels"], dataset["labels"]):
            fold = parts_at(dataset, train_idx, test_idx, split_params.scaling)
            cv["signnet"].append(signnet_accuracy(model_params, train_params, *fold)[0])
            cv["scikit-learn"].append(sklearn_accuracy(model_params, *fold, seed=0)[0])
        rows.append(
            {
                "configuration": reference.name,
                "classes": reference.classes,
                "images": int(len(dataset["labels"])),
                "model": model_params.model_dump(),
                "train": train_params.model_dump(),
                "claimed": reference.claimed,
                "split": {
                    "signnet": signnet_split,
                    "signnet_seconds": signnet_seconds,
                    "scikit-learn": sklearn_split,
                    "scikit-learn_seconds": sklearn_seconds,
                    "test_images": int(len(test["labels"])),
                },
                "cross_validation": {name: summary(v) for name, v in cv.items()},
            }
        )
        print(f"done: {reference.name}", flush=True)

    record = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "folds": args.folds,
        "scaling": split_params.scaling,
        "results": rows,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(record, indent=2) + "\n")
    print(markdown(record))


def markdown(record: dict) -> str:
    pct = "{:.1%}".format
    lines = [
        "| configuration | images | reference claim* | signnet, pipeline split "
        "| MLPClassifier, same split | signnet CV mean ± std (min-max) "
        "| MLPClassifier CV mean ± std (min-max) |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for row in record["results"]:
        split, cv = row["split"], row["cross_validation"]
        cells = [
            row["configuration"],
            str(row["images"]),
            row["claimed"],
            f"{pct(split['signnet'])} ({split['signnet_seconds']:.2f} s)",
            f"{pct(split['scikit-learn'])} ({split['scikit-learn_seconds']:.2f} s)",
        ]
        for name in ("signnet", "scikit-learn"):
            s = cv[name]
            cells.append(f"{pct(s['mean'])} ± {pct(s['std'])} ({pct(s['min'])}-{pct(s['max'])})")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(
        f"\n*Claims are from one split of the references' own data (a 5,000-image course copy, "
        f"or MNIST), not this public dataset. CV: stratified {record['folds']}-fold, "
        f"pixels scaled ({record['scaling']}) with each fold's training statistics."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
