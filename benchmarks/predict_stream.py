"""How soon ``signnet predict`` prints its first line, and how much memory it holds, for many
photos.

Usage: python benchmarks/predict_stream.py [--cases 10000:28 2000:256] [--output FILE]

For each case ``N:S``: N distinct 100 x 100 RGB JPEG photos (the dataset's size; random pixels,
one seed each) and a model file of a 784-64-1-shaped dense network for S x S photos (S*S inputs,
64 sigmoid units, random weights: what it answers does not matter here), then ``signnet predict
MODEL photo...`` in a fresh process: the seconds until its first line on stdout, until it ends,
and its peak resident memory (the largest of the process's ``ru_maxrss``). Results go to
benchmarks/results/predict_stream.json; a Markdown table is printed.
"""

from __future__ import annotations

import signnet.cpu  # noqa: F401  (first: pins OpenBLAS and NumPy's dispatch before NumPy loads)

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import results
from PIL import Image
from references import REPO

from signnet.data.photo_range import PhotoRange
from signnet.data.preprocessing import Preprocessing
from signnet.modelfile import TrainedModel, save_model
from signnet.nn.architecture import ModelConfig
from signnet.nn.model import Network

PHOTO_SIDE = 100


def make_photos(folder: Path, n: int) -> list[str]:
    """``n`` distinct JPEG photos in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        pixels = rng.integers(0, 256, (PHOTO_SIDE, PHOTO_SIDE, 3), dtype=np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format="JPEG")
        path = folder / f"IMG_{i:05d}.JPG"
        path.write_bytes(buffer.getvalue())
        paths.append(str(path))
    return paths


def make_model(path: Path, side: int) -> Path:
    """A dense S*S-64-1 model file for ``side`` x ``side`` photos, random weights."""
    features = side * side
    config = ModelConfig(
        n_features=features,
        n_classes=2,
        conv=(),
        kernel_size=3,
        hidden=(64,),
        dropout=0.0,
        batch_norm=False,
        activation="sigmoid",
        init="xavier",
        init_scale=0.01,
        dtype="float64",
    )
    network = Network.initialise(config, 0, np)
    scaling = Preprocessing("standardize", side, np.full(features, 127.5), np.full(features, 64.0))
    save_model(
        path,
        TrainedModel(
            network, np.array([6, 8]), scaling, PhotoRange((0.0, 255.0), (0.0, 255.0)), {}
        ),
    )
    return path


def measure(model: Path, photos: list[str]) -> dict:
    """First line, end and peak memory of one ``signnet predict`` run (in a wrapper process, so
    that ``RUSAGE_CHILDREN`` holds that run alone)."""
    done = subprocess.run(
        [sys.executable, __file__, "--worker", str(model), *photos],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def worker(model: str, photos: list[str]) -> dict:
    started = time.perf_counter()
    command = [sys.executable, "-m", "signnet.cli", "predict", model, *photos]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    first = process.stdout.readline()
    first_line = time.perf_counter() - started
    lines = 1 if first else 0
    for _ in process.stdout:
        lines += 1
    process.wait()
    return {
        "first line s": first_line,
        "total s": time.perf_counter() - started,
        "peak MiB": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "lines": lines,
        "exit": process.returncode,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["10000:28", "2000:256"])
    parser.add_argument(
        "--output", type=Path, default=REPO / "benchmarks" / "results" / "predict_stream.json"
    )
    parser.add_argument("--worker", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1:])))
        return
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        most = max(int(case.split(":")[0]) for case in args.cases)
        photos = make_photos(Path(folder) / "photos", most)
        for case in args.cases:
            n, side = map(int, case.split(":"))
            model = make_model(Path(folder) / f"model{side}.npz", side)
            rows.append({"photos": n, "image_size": side, **measure(model, photos[:n])})
            print(case, rows[-1], file=sys.stderr)
    print(markdown(results.save(args.output, rows)))


def markdown(record: dict) -> str:
    """The benchmarks page's table: a row per case."""
    headers = ("photos", "image_size", "first line (s)", "all lines (s)", "peak memory (MiB)")
    return results.table(
        record,
        dict.fromkeys(headers, "---:"),
        lambda r: [
            f"{r['photos']:,}",
            str(r["image_size"]),
            f"{r['first line s']:.2f}",
            f"{r['total s']:.1f}",
            f"{r['peak MiB']:.0f}",
        ],
    )


if __name__ == "__main__":
    main()
