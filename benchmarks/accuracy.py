"""Accuracy of signnet and of a peer on the reference configurations: on the pipeline's own
split, and in the stratified k-fold cross-validation of the pipeline's crossvalidate stage
(``cv.folds`` folds, run where ``cv`` says).

The peer of a dense network is scikit-learn's MLPClassifier with the same hidden layers and
activation (its own solver, adam, and max_iter=300); the peer of a convolutional network is
PyTorch with the same layers, initial weights and training recipe (optimizer, schedule,
augmentation, batches, epochs; see torch_peer.py), on as many threads as NumPy's BLAS.

Usage: python benchmarks/accuracy.py [--folds K] [--only NAME] [--epochs N] [--image-size S]
The photos are found as the download stage finds them (cache, mirrors in params.yaml, URL).
Writes benchmarks/results/accuracy.json and prints Markdown tables.
"""

from __future__ import annotations

import signnet.cpu  # noqa: F401  (first: pins OpenBLAS and NumPy's dispatch before NumPy loads)

import argparse
import importlib.util
import json
import logging
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
from references import REFERENCES, REPO, SKLEARN_ACTIVATION
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from signnet.data.subset import select_classes
from signnet.nn.backend import fixed_threads
from signnet.nn.model import Network
from signnet.params import Params, load_params, validate
from signnet.pipeline.crossvalidate import cross_validate, make_folds, spread
from signnet.pipeline.download import load_photos
from signnet.pipeline.split import parts_at, split_dataset
from signnet.pipeline.train import make_optimizer, train_network, training_inputs


def sklearn_accuracy(params: Params, train, test, preprocessing) -> tuple[float, float]:
    """(test accuracy, seconds) of MLPClassifier with the same hidden layers and activation,
    its own default solver (adam) and max_iter=300."""
    classifier = MLPClassifier(
        hidden_layer_sizes=tuple(params.model.hidden),
        activation=SKLEARN_ACTIVATION[params.model.activation],
        max_iter=300,
        random_state=params.train.seed,
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        classifier.fit(preprocessing.features(train["images"]), train["labels"])
    seconds = time.perf_counter() - start
    accuracy = classifier.score(preprocessing.features(test["images"]), test["labels"])
    return float(accuracy), seconds


def torch_accuracy(params: Params, train, test, preprocessing) -> tuple[float, float]:
    """(test accuracy after the last epoch, training seconds) of the PyTorch twin of the
    network signnet would train, trained with the same recipe."""
    import torch_peer

    recipe = params.train
    if recipe.validation_fraction:
        raise SystemExit("the PyTorch peer does not stop early: set train.validation_fraction 0")
    n_classes = len(train["classes"])
    config = params.model.config(preprocessing.offset.shape[0], n_classes)
    model = torch_peer.twin(Network.initialise(config, recipe.seed, np))
    optimizer = torch_peer.optimizer_for(model, make_optimizer(recipe))
    dtype = config.dtype
    augmented, x = training_inputs(recipe, preprocessing, train["images"], dtype, np)
    start = time.perf_counter()
    torch_peer.train_twin(
        model,
        optimizer,
        x,
        train["labels"],
        n_classes,
        epochs=recipe.epochs,
        batch_size=recipe.batch_size,
        seed=recipe.seed,
        schedule=recipe.schedule,
        augmentation=augmented,
    )
    seconds = time.perf_counter() - start
    x_test = preprocessing.features(test["images"]).astype(config.dtype)
    predicted = torch_peer.predict(model, x_test, n_classes)
    return float(np.mean(predicted == test["labels"])), seconds


def signnet_accuracy(params: Params, train, test, preprocessing) -> tuple[float, float]:
    """(test accuracy after the last epoch, training seconds) of signnet, trained on the stages'
    thread count, so that the figure is the one `dvc exp run` gives."""
    with fixed_threads():
        result = train_network(train, test, preprocessing, params.model, params.train)
    return result.history[-1]["test_accuracy"], result.seconds


def peer(params: Params) -> str:
    """The peer a configuration is compared with: PyTorch for a CNN, else MLPClassifier."""
    return "PyTorch" if params.model.conv else "MLPClassifier"


PEERS = {"PyTorch": torch_accuracy, "MLPClassifier": sklearn_accuracy}


def summary(values: list[float]) -> dict:
    """The folds' spread, as the crossvalidate stage computes it, and the values."""
    return spread(values) | {"values": values}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, help="override cv.folds (at least 2)")
    parser.add_argument(
        "--only",
        action="append",
        help="run only the reference with this name, e.g. '6 vs 8' (repeatable)",
    )
    parser.add_argument("--epochs", type=int, help="override every configuration's epochs")
    parser.add_argument("--image-size", type=int, help="override download.image_size")
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks/results/accuracy.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.only and not set(args.only) <= {r.name for r in REFERENCES}:
        parser.error(f"--only: choose from {', '.join(repr(r.name) for r in REFERENCES)}")

    base = load_params(REPO / "params.yaml")
    threads = os.cpu_count()
    have_torch = importlib.util.find_spec("torch") is not None
    if have_torch:
        import torch

        torch.set_num_threads(threads)  # as many as OpenBLAS uses by default
    photos_by_size: dict[int, dict] = {}
    rows = []
    for reference in REFERENCES:
        if args.only and reference.name not in args.only:
            continue
        raw = reference.params(base).model_dump()
        if args.folds:
            raw["cv"]["folds"] = args.folds
        if args.epochs:
            raw["train"]["epochs"] = args.epochs
        if args.image_size:
            raw["download"]["image_size"] = args.image_size
        params = validate(raw)
        peer_name = peer(params)
        if peer_name == "PyTorch" and not have_torch:
            print(f"{reference.name}: PyTorch is not installed ('.[bench]'): left out", flush=True)
            continue
        size = params.download.image_size
        if size not in photos_by_size:
            photos_by_size[size] = load_photos(params.download, root=REPO)[0]
        dataset = select_classes(photos_by_size[size], params.filter.classes)
        split = params.split
        parts = split_dataset(dataset, split.test_fraction, split.scaling, split.seed)
        signnet_split, signnet_seconds = signnet_accuracy(params, *parts)
        peer_split, peer_seconds = PEERS[peer_name](params, *parts)
        # signnet's folds are the pipeline's crossvalidate stage's (so its figures are what
        # `dvc exp run` gives), run on its backend; the peer trains on the same folds here.
        signnet_cv = cross_validate({reference.name: dataset}, params)[reference.name]
        cv = {"signnet": [record["accuracy"] for record in signnet_cv["folds"]], "peer": []}
        for fold in make_folds(dataset["labels"], dataset["classes"], params.cv.folds, split.seed):
            fold_parts = parts_at(dataset, fold.train, fold.test, split.scaling)
            cv["peer"].append(PEERS[peer_name](params, *fold_parts)[0])
        rows.append(
            {
                "configuration": reference.name,
                "exp_run": reference.exp_run(),
                "classes": params.filter.classes,
                "images": int(len(dataset["labels"])),
                "image_size": size,
                "model": params.model.model_dump(),
                "train": params.train.model_dump(),
                "claimed": reference.claimed,
                "peer": peer_name,
                "split": {
                    "signnet": signnet_split,
                    "signnet_seconds": signnet_seconds,
                    "peer": peer_split,
                    "peer_seconds": peer_seconds,
                    "test_images": int(len(parts[1]["labels"])),
                },
                "cross_validation": {name: summary(v) for name, v in cv.items()},
            }
        )
        print(f"done: {reference.name}", flush=True)

    record = {
        "machine": platform.platform(),
        "cores": os.cpu_count(),
        "threads": threads,
        "python": platform.python_version(),
        "folds": args.folds or base.cv.folds,
        "scaling": base.split.scaling,
        "results": rows,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(record, indent=2) + "\n")
    print(markdown(record))


def markdown(record: dict) -> str:
    pct = "{:.1%}".format
    lines = [
        "| configuration | images | reference claim* | peer | signnet, pipeline split "
        "| peer, same split | signnet CV mean ± std (min-max) "
        "| peer CV mean ± std (min-max) |",
        "|---|---:|---|---|---:|---:|---:|---:|",
    ]
    for row in record["results"]:
        split, cv = row["split"], row["cross_validation"]
        cells = [
            row["configuration"],
            str(row["images"]),
            row["claimed"],
            row["peer"],
            f"{pct(split['signnet'])} ({split['signnet_seconds']:.1f} s)",
            f"{pct(split['peer'])} ({split['peer_seconds']:.1f} s)",
        ]
        for name in ("signnet", "peer"):
            s = cv[name]
            cells.append(f"{pct(s['mean'])} ± {pct(s['std'])} ({pct(s['min'])}-{pct(s['max'])})")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(
        f"\n*Claims are from one split of the references' own data (a 5,000-image course copy, "
        f"MNIST, or this dataset for the CNN claims), not necessarily this public dataset. "
        f"CV: stratified {record['folds']}-fold, pixels scaled ({record['scaling']}) with each "
        f"fold's training statistics. Seconds: training time on the split (signnet's includes "
        f"scoring the test part after every epoch; the peer's does not)."
    )
    return "\n".join(lines)


def headline(record: dict) -> str:
    """The README's table: each configuration's reference claim against signnet's accuracy on
    the pipeline's split and in cross-validation."""
    pct = "{:.1%}".format
    lines = [
        "| task | reference claim | signnet, pipeline split | signnet, "
        f"{record['folds']}-fold CV |",
        "|---|---|---:|---:|",
    ]
    for row in record["results"]:
        cv = row["cross_validation"]["signnet"]
        lines.append(
            f"| {row['configuration']} | {row['claimed']} | {pct(row['split']['signnet'])} | "
            f"{pct(cv['mean'])} ± {pct(cv['std'])} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
