"""The ``signnet`` command: classify photos with a trained model file, draw what it looks at in
each, list the params, compare experiments, tell whether this machine computes what the
committed results were computed with (``doctor``)."""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import json
import os
import platform
import shutil
import sys
import textwrap
from pathlib import Path

import numpy as np

from signnet import canary, cpu, experiments
from signnet.artifacts import write_bytes
from signnet.data.images import read_photo
from signnet.errors import INTERRUPTED, SignnetError
from signnet.files import byte_size
from signnet.modelfile import TrainedModel, load_model
from signnet.nn.backend import fixed_threads
from signnet.nn.explain import class_score_gradients
from signnet.nn.parallel import threads
from signnet.params import load_params, reference_table
from signnet.report import figures

# Output formats of ``signnet predict``: one line per photo.
FORMATS = ("tsv", "jsonl", "csv")
# Photos read, classified and printed at a time: memory bounded whatever the number of photos,
# and the first lines out within a second; explain draws a figure per photo (about 0.3 s each),
# so it takes fewer at a time.
CHUNK = 64
EXPLAIN_CHUNK = 8
# The exit status of a command whose reader closed the pipe (128 + SIGPIPE, as a shell reports
# it; Ctrl-C's is signnet.errors.INTERRUPTED).
PIPE_CLOSED = 141
# How a tab-separated field writes the characters that would split it: the escapes of
# PostgreSQL's text format and of most TSV readers (a backslash first, so the rest are unique).
TSV_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def tsv_field(text: str) -> str:
    r"""``text`` as one field of a tab-separated line: backslash, tab, newline and carriage
    return written as ``\\``, ``\t``, ``\n`` and ``\r`` (:data:`TSV_ESCAPES`)."""
    for character, escape in TSV_ESCAPES.items():
        text = text.replace(character, escape)
    return text


def classify(
    model: TrainedModel, images: list[Path]
) -> tuple[list[Path], np.ndarray, np.ndarray, list[SignnetError]]:
    """Read each photo, decoded and scaled as in training, and score it. Returns the photos
    that could be read and scored, their pixels uint8 (N, S, S) and probabilities (N, K), and
    the error (naming the photo) of each photo that could not be read or scored (a model whose
    weights overflow gives no finite probability), all in the order given."""
    size = model.preprocessing.image_size
    readable, pixels, failed = [], [], []
    for path in images:
        try:
            pixels.append(read_photo(path, size))  # uint8 (S, S)
            readable.append(path)
        except SignnetError as error:
            failed.append(error)
    if not readable:
        empty = np.zeros((0, size, size), dtype=np.uint8)
        return [], empty, np.zeros((0, len(model.classes))), failed
    stacked = np.stack(pixels)
    with np.errstate(all="ignore"):  # overflow shows as non-finite rows, refused below
        probabilities = model.predict_proba(stacked)  # (N, K)
    finite = np.all(np.isfinite(probabilities), axis=1)
    failed += [
        SignnetError(
            f"{path}: the model gives no finite probabilities for it (its weights overflow)"
        )
        for path, ok in zip(readable, finite, strict=True)
        if not ok
    ]
    kept = [p for p, ok in zip(readable, finite, strict=True) if ok]
    return kept, stacked[finite], probabilities[finite], failed


def _record(model: TrainedModel, path: Path, row: np.ndarray) -> dict:
    """A photo's answer: ``file``, ``digit``, ``probability`` and ``probabilities`` per known
    digit, from its probabilities (K,)."""
    digits = [int(d) for d in model.classes]
    return {
        "file": str(path),
        "digit": digits[int(row.argmax())],
        "probability": round(float(row.max()), 4),
        "probabilities": {str(d): round(float(p), 4) for d, p in zip(digits, row, strict=True)},
    }


def unusual(model: TrainedModel, paths: list[Path], pixels: np.ndarray) -> list[str]:
    """A note for each photo (uint8 pixels (N, S, S) as the network sees them) whose brightness
    or contrast lies outside the training photos' (see :mod:`signnet.data.photo_range`)."""
    notes = []
    for path, image in zip(paths, pixels, strict=True):
        if found := model.photo_range.unusual(image):
            notes.append(
                f"{path}: {'; '.join(found)}: the network was trained on no photo like it, so "
                "its answer may be wrong however sure it is"
            )
    return notes


def predict(
    model: TrainedModel, images: list[Path]
) -> tuple[list[dict], list[SignnetError], list[str]]:
    """Classify each photo (see :func:`classify`): one record per photo scored (``file``,
    ``digit``, ``probability`` and ``probabilities`` per known digit), the errors, and a note
    for each photo unlike the training photos (:func:`unusual`)."""
    paths, pixels, probabilities, failed = classify(model, images)
    records = [_record(model, p, row) for p, row in zip(paths, probabilities, strict=True)]
    return records, failed, unusual(model, paths, pixels)


def figure_names(paths: list[Path], taken: set[str] | None = None) -> list[str]:
    """A distinct PNG name per photo: its name's stem, or with ``-2``, ``-3``... the first such
    name not given yet, nor in ``taken`` (the names given before, which this adds to)."""
    taken = set() if taken is None else taken
    names: list[str] = []
    for path in paths:
        stem, n = path.stem or "photo", 1
        while (name := f"{stem}.png" if n == 1 else f"{stem}-{n}.png") in taken:
            n += 1
        names.append(name)
        taken.add(name)
    return names


def explain(
    model: TrainedModel, images: list[Path], folder: Path, taken: set[str] | None = None
) -> tuple[list[dict], list[SignnetError], list[str]]:
    """Classify each photo (see :func:`classify`) and write, for each one scored, a PNG into
    ``folder`` (named by :func:`figure_names`, apart from the names in ``taken``): the photo as
    the network sees it, the saliency of the digit it is taken for (see
    :mod:`signnet.nn.explain`) over it, and every digit's probability. Returns the records of
    :func:`predict` with ``figure``, the PNG's path, the errors and the notes of
    :func:`unusual`."""
    paths, pixels, probabilities, failed = classify(model, images)
    if not paths:
        return [], failed, []
    predicted = probabilities.argmax(axis=1)
    # (N, S, S): d score / d input of the digit each photo is taken for
    gradients = class_score_gradients(model.network, model.inputs(pixels), predicted)
    gradients = gradients.reshape(pixels.shape)
    digits = [int(d) for d in model.classes]
    records = []
    for i, (path, name) in enumerate(zip(paths, figure_names(paths, taken), strict=True)):
        record = _record(model, path, probabilities[i])
        title = f"{path.name}: {record['digit']} (p = {record['probability']:.3f})"
        png = figures.explanation(pixels[i], np.abs(gradients[i]), digits, probabilities[i], title)
        try:
            write_bytes(folder / name, png)
        except OSError as error:
            failed.append(SignnetError(f"{folder / name}: cannot write it ({error.strerror})"))
            continue
        records.append(record | {"figure": str(folder / name)})
    return records, failed, unusual(model, paths, pixels)


def write_header(fmt: str, digits: list[int], out) -> None:
    """What comes before the lines in ``fmt``: CSV's header, a column per known digit."""
    if fmt == "csv":
        header = ["file", "digit", "probability", *(f"p_{d}" for d in digits)]
        csv.writer(out, lineterminator="\n").writerow(header)


def write_results(results: list[dict], fmt: str, out) -> None:
    """Print ``results`` in ``fmt`` (after :func:`write_header`): tab-separated ``file, digit,
    probability`` lines, JSON lines (every field), or CSV rows with a column per known digit."""
    if fmt == "jsonl":
        for record in results:
            out.write(json.dumps(record, allow_nan=False) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        for r in results:
            writer.writerow(
                [r["file"], r["digit"], f"{r['probability']:.4f}"]
                + [f"{p:.4f}" for p in r["probabilities"].values()]
            )
    else:
        for r in results:
            out.write(f"{tsv_field(r['file'])}\t{r['digit']}\t{r['probability']:.4f}\n")


def output_folder(path: Path) -> None:
    """Make the folder ``path`` (and its parents) unless it is one; a clear error when it, or
    what should hold it, is something else."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise SignnetError(
            f"{path}: the output must be a folder, and this is a file; name a folder"
        ) from None
    except OSError as error:
        raise SignnetError(f"{path}: cannot make the output folder ({error.strerror})") from None


def _digits_text(digits: list[int]) -> str:
    names = [str(d) for d in digits]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"


def _photo_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of a command that reads photos with a model: the model file, the photos."""
    parser.add_argument("model", type=Path, help="a model file, e.g. models/model.npz")
    parser.add_argument(
        "images", type=Path, nargs="+", help="photos: JPEG, PNG, ... of any size, colour or grey"
    )


def _width(text: str) -> int:
    """``--width``: a whole number of characters, at least 1."""
    try:
        width = int(text)
    except ValueError:
        width = 0
    if width < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a width: give characters per line, e.g. 100"
        )
    return width


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signnet",
        description="Classify photos of sign-language digits with a model the signnet pipeline "
        "trained, draw what the model looks at in them, or check a params file.",
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
        "digit still gets one of them. A photo whose brightness or contrast lies outside the "
        "training photos' gets a note on stderr. A photo that cannot be read is named on stderr "
        "and the others go on; the exit status is then 1.",
    )
    _photo_arguments(predict_parser)
    predict_parser.add_argument(
        "--format",
        choices=FORMATS,
        default=FORMATS[0],
        help="tsv: file, digit, probability per line (default; a backslash, tab, newline or "
        "carriage return in a file name written as \\\\, \\t, \\n, \\r); jsonl: one JSON object "
        "per photo with every digit's probability; csv: a header, then a row per photo",
    )
    explain_parser = commands.add_parser(
        "explain",
        help="draw, for each photo, what the model looks at: its saliency map and every "
        "digit's probability, one PNG per photo",
        description="Write, for each photo, a PNG into the output folder (named after the "
        "photo): the photo as the model sees it, the saliency of the digit it is taken for over "
        "it (how much each pixel moves that digit's score), and every digit's probability; and "
        "print the digit, its probability and the PNG's path. A photo whose brightness or "
        "contrast lies outside the training photos' gets a note on stderr. A photo that cannot "
        "be read is named on stderr and the others go on; the exit status is then 1.",
    )
    _photo_arguments(explain_parser)
    explain_parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="the folder for the PNGs (made if missing; a PNG of the same name is replaced)",
    )
    commands.add_parser(
        "doctor",
        help="tell whether this machine computes what the committed results were computed with",
        description="Print the BLAS kernel and NumPy's SIMD loops this machine computes with, "
        "the canary's verdict (a small fixed computation through every numeric path the "
        "results depend on, against the fingerprints committed with dvc.lock) and what it "
        "means for `dvc repro`. The exit status is 0 where this machine computes the same "
        "bytes, 1 where it does not.",
    )
    experiments_parser = commands.add_parser(
        "experiments",
        help="compare DVC experiments: headline metrics and the params each changed",
        description="Print one line per DVC experiment (as dvc exp show lists them): its test "
        "accuracy, the accuracy on its worst photo change, its cross-validated accuracy, and "
        "every param it changed from the commit it was run on, wrapped within the width.",
    )
    experiments_parser.add_argument(
        "--width",
        type=_width,
        default=shutil.get_terminal_size((100, 24)).columns,
        help="the most characters per line (default: the terminal's)",
    )
    params_parser = commands.add_parser(
        "params",
        help="check a params file and print every key: value, what is allowed, what it does",
    )
    params_parser.add_argument(
        "file", type=Path, nargs="?", default=Path("params.yaml"), help="default: params.yaml"
    )
    return parser


def _cpu_text() -> str:
    """The CPU's model and the instruction sets that matter here, e.g. ``AMD EPYC, x86_64:
    x86-64-v3 yes, AVX-512 yes``."""
    flags = cpu.cpu_flags()
    if flags is None:
        return f"{cpu.cpu_model()}, {platform.machine()}"
    at_floor = "yes" if cpu.cpu_at_floor() else "no"
    avx512 = "yes" if "avx512f" in flags else "no"
    return f"{cpu.cpu_model()}, {platform.machine()}: x86-64-v3 {at_floor}, AVX-512 {avx512}"


def doctor() -> int:
    """``signnet doctor``: what this machine computes with, the canary's verdict and what it
    means; 0 where it should reproduce the committed results, else 1."""
    verdict = canary.check()
    here, committed = verdict.here, verdict.committed
    overrides = (cpu.KERNEL_OVERRIDE, cpu.DISPATCH_OVERRIDE)
    on_purpose = [f"{v}={os.environ[v]}" for v in overrides if v in os.environ]
    held = f"as asked on purpose: {', '.join(on_purpose)}" if on_purpose else "both hold"
    rows = {
        "signnet": importlib.metadata.version("signnet"),
        "Python": platform.python_version(),
        "NumPy": f"{here['numpy']}, its {here['dispatch']} loops (contract: {cpu.FLOOR})",
        "BLAS": here["blas"],
        "C library": here["libc"],
        "CPU": _cpu_text(),
        "settings": cpu.settings(),
        "pins": verdict.pin or held,
    }
    if committed is not None:
        operations = len(committed["operations"])
        rows["committed with"] = (
            f"{committed.get('blas')}, NumPy {committed.get('numpy')}'s "
            f"{committed.get('dispatch')} loops, {committed.get('libc')}"
        )
        rows["canary"] = f"{operations - len(verdict.differing)} of {operations} operations as "
        rows["canary"] += "committed" + (
            f"; differing: {', '.join(verdict.differing)}" if verdict.differing else ""
        )
    width = max(map(len, rows))
    for name, value in rows.items():
        lines = textwrap.wrap(value, width=99 - width) or [""]
        print(f"{name + ':':<{width + 1}} {lines[0]}")
        for line in lines[1:]:
            print(" " * (width + 2) + line)
    print()
    print(textwrap.fill(verdict.meaning(), width=100))
    return 0 if verdict.reproduces else 1


def main(argv: list[str] | None = None) -> int:
    """The ``signnet`` command; its exit status. Names on stdout keep their bytes (as the
    shell passed them), Ctrl-C before the photos is one line too, and a reader that stops
    reading (``| head``) ends any command quietly, with :data:`PIPE_CLOSED`."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="surrogateescape")
    try:
        return _command(_parser().parse_args(argv))
    except KeyboardInterrupt:
        print("signnet: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # the reader stopped (| head): say nothing more, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return PIPE_CLOSED


def _command(args: argparse.Namespace) -> int:
    try:
        if args.command == "params":
            print(reference_table(load_params(args.file)), end="")
            return 0
        if args.command == "doctor":
            return doctor()
        if args.command == "experiments":
            print(experiments.show(args.width))
            return 0
        threads()  # $SIGNNET_THREADS checked before any work, as the stages check it
        model = load_model(args.model)
        if args.command == "explain":
            output_folder(args.output)
    except SignnetError as error:
        print(f"signnet: error: {error}", file=sys.stderr)
        return 1
    digits = [int(d) for d in model.classes]
    print(
        f"signnet: {args.model} knows the digits {_digits_text(digits)}; a photo of another "
        "digit still gets one of them",
        file=sys.stderr,
    )
    with fixed_threads():  # the probabilities the pipeline's evaluate stage would give
        if warning := canary.check().warning():
            print(f"signnet: warning: {warning}", file=sys.stderr)
        return _photos_in_chunks(args, model)


def _photos_in_chunks(args: argparse.Namespace, model: TrainedModel) -> int:
    """``predict`` or ``explain`` on :data:`CHUNK` photos at a time, each chunk's lines printed
    (and flushed) before the next is read; the exit status. Ctrl-C and running out of memory
    end it with one line on stderr, the lines printed before complete (a closed pipe: see
    :func:`main`)."""
    images, failures, done = args.images, 0, 0
    taken: set[str] = set()  # the PNG names given so far
    size = model.preprocessing.image_size
    step = EXPLAIN_CHUNK if args.command == "explain" else CHUNK
    try:
        if args.command == "predict":
            write_header(args.format, [int(d) for d in model.classes], sys.stdout)
        for start in range(0, len(images), step):
            chunk = images[start : start + step]
            if args.command == "explain":
                results, failed, notes = explain(model, chunk, args.output, taken)
                for r in results:
                    fields = (r["file"], str(r["digit"]), f"{r['probability']:.4f}", r["figure"])
                    print("\t".join(map(tsv_field, fields)))
            else:
                results, failed, notes = predict(model, chunk)
                write_results(results, args.format, sys.stdout)
            sys.stdout.flush()
            for note in notes:
                print(f"signnet: note: {note}", file=sys.stderr)
            for error in failed:
                print(f"signnet: error: {error}", file=sys.stderr)
            failures += len(failed)
            done += len(chunk)
    except KeyboardInterrupt:
        print(
            f"signnet: interrupted after {done} of {len(images)} photos; the lines printed are "
            "complete",
            file=sys.stderr,
        )
        return INTERRUPTED
    except MemoryError:
        print(
            f"signnet: out of memory after {done} of {len(images)} photos: the model reads "
            f"{size} x {size} photos, {step} at a time ({byte_size(8 * size * size * step)} "
            "of pixels as it scales them); free some memory, or use a model trained with a "
            "smaller download.image_size",
            file=sys.stderr,
        )
        return 1
    if failures:
        did = "read" if args.command == "predict" else "read or drawn"
        print(f"signnet: {failures} of {len(images)} photos could not be {did}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
