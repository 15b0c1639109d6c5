"""The ``signnet`` command: classify photos with a trained model file; list the params."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from signnet.data.images import read_photo
from signnet.errors import SignnetError
from signnet.modelfile import load_model
from signnet.params import load_params, reference_table


def predict(model_path: Path, images: list[Path]) -> list[tuple[Path, int, float]]:
    """(photo, predicted digit, its probability) per photo, decoded and scaled as in training."""
    model = load_model(model_path)
    size = model.preprocessing.image_size
    pixels = np.stack([read_photo(path, size) for path in images])  # uint8 (N, S, S)
    probabilities = model.predict_proba(pixels)  # (N, K)
    best = probabilities.argmax(axis=1)
    return [
        (path, int(model.classes[k]), float(probabilities[i, k]))
        for i, (path, k) in enumerate(zip(images, best, strict=True))
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="signnet", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    predict_parser = commands.add_parser(
        "predict", help="print the predicted digit and its probability for each photo"
    )
    predict_parser.add_argument("model", type=Path, help="a model file, e.g. models/model.npz")
    predict_parser.add_argument(
        "images", type=Path, nargs="+", help="photos (any size, colour or grey)"
    )
    params_parser = commands.add_parser(
        "params", help="check a params file and print every key: value, what is allowed, meaning"
    )
    params_parser.add_argument("file", type=Path, nargs="?", default=Path("params.yaml"))
    args = parser.parse_args(argv)
    try:
        if args.command == "params":
            print(reference_table(load_params(args.file)), end="")
            return 0
        results = predict(args.model, args.images)
    except SignnetError as error:
        print(f"signnet: error: {error}", file=sys.stderr)
        return 1
    for path, digit, probability in results:
        print(f"{path}\t{digit}\t{probability:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
