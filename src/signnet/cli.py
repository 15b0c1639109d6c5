"""The ``signnet`` command: classify photos with a trained model file; list the params."""

from __future__ import annotations

from signnet.blas import kernel_warning

import argparse
import csv
import importlib.metadata
import json
import sys
from pathlib import Path

import numpy as np

from signnet.data.images import read_photo
from signnet.errors import SignnetError
from signnet.modelfile import TrainedModel, load_model
from signnet.nn.backend import fixed_threads
from signnet.nn.parallel import threads
from signnet.params import load_params, reference_table

# Output formats of ``signnet predict``: one line per photo.
FORMATS = ("tsv", "jsonl", "csv")


def predict(model: TrainedModel, images: list[Path]) -> tuple[list[dict], list[SignnetError]]:
    """Classify each photo, decoded and scaled as in training. Returns one record per readable
    photo (``file``, ``digit``, ``probability`` and ``probabilities`` per known digit) and the
    error (naming the photo) of each photo that could not be read or scored (a model whose
    weights overflow gives no finite probability), both in the order given."""
    size = model.preprocessing.image_size
    readable, pixels, failed = [], [], []
    for path in images:
        try:
            pixels.append(read_photo(path, size))  # uint8 (S, S)
            readable.append(path)
        except SignnetError as error:
            failed.append(error)
    if not readable:
        return [], failed
    with np.errstate(all="ignore"):  # overflow shows as non-finite rows, refused below
        probabilities = model.predict_proba(np.stack(pixels))  # (N, K)
    finite = np.all(np.isfinite(probabilities), axis=1)
    failed += [
        SignnetError(
            f"{path}: the model gives no finite probabilities for it (its weights overflow)"
        )
        for path, ok in zip(readable, finite, strict=True)
        if not ok
    ]
    readable, probabilities = (
        [p for p, ok in zip(readable, finite, strict=True) if ok],
        probabilities[finite],
    )
    digits = [int(d) for d in model.classes]
    return [
        {
            "file": str(path),
            "digit": digits[int(row.argmax())],
            "probability": round(float(row.max()), 4),
            "probabilities": {str(d): round(float(p), 4) for d, p in zip(digits, row, strict=True)},
        }
        for path, row in zip(readable, probabilities, strict=True)
    ], failed


def write_results(results: list[dict], fmt: str, out) -> None:
    """Print ``results`` in ``fmt``: tab-separated ``file, digit, probability`` lines, JSON lines
    (every field), or CSV with a header and a column per known digit."""
    if fmt == "jsonl":
        for record in results:
            out.write(json.dumps(record, allow_nan=False) + "\n")
    elif fmt == "csv":
        digits = list(results[0]["probabilities"]) if results else []
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["file", "digit", "probability", *(f"p_{d}" for d in digits)])
        for r in results:
            writer.writerow(
                [r["file"], r["digit"], f"{r['probability']:.4f}"]
                + [f"{r['probabilities'][d]:.4f}" for d in digits]
            )
    else:
        for r in results:
            out.write(f"{r['file']}\t{r['digit']}\t{r['probability']:.4f}\n")


def _digits_text(digits: list[int]) -> str:
    names = [str(d) for d in digits]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signnet",
        description="Classify photos of sign-language digits with a model the signnet pipeline "
        "trained, or check a params file.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {importlib.metadata.version('signnet')}"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    predict_parser = commands.add_parser(
        "predict",
        help="print the digit each photo shows and the model's probability for it",
        description="Print, for each photo, the digit the model sees and its probability. The "
        "model only knows the digits it was trained on (said on stderr): a photo of another "
        "digit still gets one of them. A photo that cannot be read is named on stderr and the "
        "others go on; the exit status is then 1.",
    )
    predict_parser.add_argument("model", type=Path, help="a model file, e.g. models/model.npz")
    predict_parser.add_argument(
        "images", type=Path, nargs="+", help="photos: JPEG, PNG, ... of any size, colour or grey"
    )
    predict_parser.add_argument(
        "--format",
        choices=FORMATS,
        default=FORMATS[0],
        help="tsv: file, digit, probability per line (default); jsonl: one JSON object per "
        "photo with every digit's probability; csv: a header, then a row per photo",
    )
    params_parser = commands.add_parser(
        "params",
        help="check a params file and print every key: value, what is allowed, what it does",
    )
    params_parser.add_argument(
        "file", type=Path, nargs="?", default=Path("params.yaml"), help="default: params.yaml"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "params":
            print(reference_table(load_params(args.file)), end="")
            return 0
        threads()  # $SIGNNET_THREADS checked before any work, as the stages check it
        model = load_model(args.model)
    except SignnetError as error:
        print(f"signnet: error: {error}", file=sys.stderr)
        return 1
    digits = [int(d) for d in model.classes]
    print(
        f"signnet: {args.model} knows the digits {_digits_text(digits)}; a photo of another "
        "digit still gets one of them",
        file=sys.stderr,
    )
    if warning := kernel_warning():
        print(f"signnet: warning: {warning}", file=sys.stderr)
    with fixed_threads():  # the probabilities the pipeline's evaluate stage would give
        results, failed = predict(model, args.images)
    write_results(results, args.format, sys.stdout)
    for error in failed:
        print(f"signnet: error: {error}", file=sys.stderr)
    if failed:
        print(
            f"signnet: {len(failed)} of {len(args.images)} photos could not be read",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
