"""How fast the pipeline trains on one thread and on every core, by signnet's own division of
the products and by OpenBLAS's, on an idle machine and on one whose cores are all busy.

Usage: python benchmarks/threads.py [--repeats 3] [--only CASE] [--output FILE]

The evidence for the thread policy of ``signnet.nn.parallel``: every product cut into blocks
fixed by its shapes, each on one BLAS thread (``signnet.nn.backend.BLAS_THREADS``), the blocks
on a pool of threads. Three ways are timed: ``signnet 1`` (one thread), ``signnet N`` (the
pool on every core: the pipeline's default) and ``OpenBLAS N`` (no blocks; OpenBLAS divides
each product between one thread per core, its default, whose bytes follow the count). Each case
is a train stage's training as the pipeline runs it (``train_network``, the test part's
evaluation after every epoch included) on the pipeline's split of the photos: the default
params, and the documented ten-digit CNN for one epoch. Every measurement runs in a fresh process;
"busy" starts one spinning process per core for the time of the measurement, as another job on
the machine would. Rounds alternate the ways so that a slow spell of the machine falls on all.
Results (seconds: median, min, max) go to benchmarks/results/threads.json; a Markdown table is
printed.
"""

from __future__ import annotations

import signnet.cpu  # noqa: F401  (first: pins OpenBLAS and NumPy's dispatch before NumPy loads)

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
from pathlib import Path

import results
from references import REFERENCES, REPO

CASES = ("default 784-64-1, 40 epochs", "ten digits CNN, 1 epoch")
LOADS = ("idle", "busy")


def case_params(case: str):
    from signnet.params import load_params

    base = load_params(REPO / "params.yaml")
    if case == CASES[0]:
        return base
    cnn = next(r for r in REFERENCES if r.name == "ten digits, CNN").params(base)
    return cnn.model_copy(update={"train": cnn.train.model_copy(update={"epochs": 1})})


def worker(case: str, way: str, threads: int) -> float:
    """Seconds of one training run of ``case`` in this process: ``way`` ``signnet`` (products in
    blocks on ``threads`` threads, one BLAS thread each) or ``OpenBLAS`` (``threads`` BLAS
    threads, products whole)."""
    from threadpoolctl import threadpool_limits

    from signnet.data.subset import select_classes
    from signnet.nn.parallel import using_threads
    from signnet.pipeline.download import load_photos
    from signnet.pipeline.split import split_dataset
    from signnet.pipeline.train import train_network

    params = case_params(case)
    images = load_photos(params.download, root=REPO)[0]
    split = params.split
    train, test, preprocessing = split_dataset(
        select_classes(images, params.filter.classes),
        split.test_fraction,
        split.scaling,
        split.seed,
    )
    blas, blocks = (1, threads) if way == "signnet" else (threads, 1)
    with threadpool_limits(limits=blas), using_threads(blocks):
        result = train_network(
            train, test, preprocessing, params.model, params.train, progress=False
        )
    return result.seconds


def spin() -> None:
    while True:
        pass


def measure(case: str, way: str, threads: int, load: str) -> float:
    spinners = []
    if load == "busy":
        spinners = [
            multiprocessing.Process(target=spin, daemon=True) for _ in range(os.cpu_count())
        ]
        for process in spinners:
            process.start()
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--worker", case, way, str(threads)],
            check=True,
            capture_output=True,
            text=True,
            timeout=1800,
        )
    finally:
        for process in spinners:
            process.kill()
            process.join()
    return float(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=CASES)
    parser.add_argument(
        "--output", type=Path, default=REPO / "benchmarks" / "results" / "threads.json"
    )
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(worker(args.worker[0], args.worker[1], int(args.worker[2])))
        return
    cores = os.cpu_count()
    ways = [("signnet", 1), ("signnet", cores), ("OpenBLAS", cores)]
    times = {(c, w, load): [] for c in CASES for w in ways for load in LOADS}
    for case in [args.only] if args.only else CASES:
        for load in LOADS:
            for _ in range(args.repeats):
                for way in ways:
                    times[case, way, load].append(measure(case, *way, load))
                    print(case, load, way, times[case, way, load][-1], file=sys.stderr)
    rows = [
        {
            "case": case,
            "load": load,
            "way": way,
            "threads": threads,
            "median": statistics.median(values),
            "min": min(values),
            "max": max(values),
        }
        for (case, (way, threads), load), values in times.items()
        if values
    ]
    print(markdown(results.save(args.output, rows)))


def markdown(record: dict) -> str:
    """The reproducibility page's table: a row per case, load and way; seconds median (min-max)."""
    columns = {"case": "---", "load": "---", "products divided by": "---"}
    columns |= {"threads": "---:", "seconds median (min-max)": "---:"}
    return results.table(
        record,
        columns,
        lambda r: [
            r["case"],
            r["load"],
            r["way"],
            str(r["threads"]),
            f"{r['median']:.2f} ({r['min']:.2f}-{r['max']:.2f})",
        ],
    )


if __name__ == "__main__":
    main()
