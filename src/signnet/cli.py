"""The ``signnet`` command: classify photos with a trained model file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from signnet.data.images import read_photo
from signnet.errors import SignnetError
from signnet.modelfile import load_model


def predict(model_path: Path, images: list[Path]) -> list[tuple[Path, int, float]]:
    """(photo, predicted digit, its probability) per photo, decoded and scaled as in training."""
    model = load_model(model_path)
    pixels = np.stack([read_photo(path, model.image_size) for path in images])
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
    args = parser.parse_args(argv)
    try:
        results = predict(args.model, args.images)
    except SignnetError as error:
        print(f"signnet: error: {error}", file=sys.stderr)
        return 1
    for path, digit, probability in results:
        print(f"{path}\t{digit}\t{probability:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
