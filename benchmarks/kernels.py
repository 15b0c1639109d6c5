"""The metrics kept in git, computed with this CPU's BLAS kernel and with another CPU type's.

Usage: python benchmarks/kernels.py [--kernels Haswell Sandybridge] [--only NAME] [--output FILE]

For each dense reference configuration (benchmarks/references.py), the contents of
``reports/metrics.json`` and ``reports/cv.json`` that the pipeline would write, computed with the
stages' own code (split, train, evaluate, crossvalidate) on the photos, once per OpenBLAS kernel
(in a fresh process each, named by ``SIGNNET_OPENBLAS_CORETYPE``, which replaces signnet's pinned
kernel on purpose: see signnet.cpu). Every machine computes with the pinned kernel;
docs/reproducibility.md says a machine that cannot (no AVX2, another BLAS) still gets the same
metrics, and this measures it. Results
go to benchmarks/results/kernels.json; a Markdown table is printed.
"""

from __future__ import annotations

import signnet.cpu  # noqa: F401  (first: pins OpenBLAS and NumPy's dispatch before NumPy loads)
from signnet.cpu import KERNEL_OVERRIDE

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from references import REFERENCES, REPO

DENSE = [r for r in REFERENCES if "CNN" not in r.name]


def metrics_files(name: str) -> dict:
    """``{"metrics.json": ..., "cv.json": ...}`` for the reference ``name``, as the stages
    write them, and the kernel that computed them."""
    from signnet.cpu import blas_kernel

    from signnet.data.subset import select_classes
    from signnet.modelfile import TrainedModel
    from signnet.nn.backend import fixed_threads
    from signnet.params import load_params
    from signnet.pipeline.crossvalidate import HEADLINE, cross_validate
    from signnet.pipeline.download import load_photos
    from signnet.pipeline.evaluate import evaluate_parts, headline
    from signnet.pipeline.split import split_dataset
    from signnet.pipeline.train import train_network

    params = next(r for r in DENSE if r.name == name).params(load_params(REPO / "params.yaml"))
    dataset = select_classes(load_photos(params.download, root=REPO)[0], params.filter.classes)
    split = params.split
    train, test, preprocessing = split_dataset(
        dataset, split.test_fraction, split.scaling, split.seed
    )
    with fixed_threads():
        result = train_network(
            train, test, preprocessing, params.model, params.train, progress=False
        )
        model: TrainedModel = result.model
        results = evaluate_parts(model, {"test": test, "train": train})["results"]
    summary = cross_validate({"cv": dataset}, params)["cv"]["summary"]
    return {
        "kernel": blas_kernel(),
        "metrics.json": headline(results, None),  # the test part only: no photo changes
        "cv.json": {"cv": {key: summary[figure] for key, figure in HEADLINE.items()}},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", nargs="+", default=["Haswell", "Sandybridge"])
    parser.add_argument("--only", choices=[r.name for r in DENSE])
    parser.add_argument(
        "--output", type=Path, default=REPO / "benchmarks" / "results" / "kernels.json"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(metrics_files(args.worker)))
        return
    rows = []
    for reference in [r for r in DENSE if args.only in (None, r.name)]:
        runs = {}
        for kernel in args.kernels:
            done = subprocess.run(
                [sys.executable, __file__, "--worker", reference.name],
                env=os.environ | {KERNEL_OVERRIDE: kernel},
                check=True,
                capture_output=True,
                text=True,
            )
            runs[kernel] = json.loads(done.stdout.splitlines()[-1])
        first, *others = runs.values()
        rows.append(
            {
                "configuration": reference.name,
                "runs": runs,
                "identical": all(
                    run["metrics.json"] == first["metrics.json"]
                    and run["cv.json"] == first["cv.json"]
                    for run in others
                ),
            }
        )
        print(f"done: {reference.name}", file=sys.stderr)
    args.output.write_text(json.dumps(rows, indent=2) + "\n")
    print(markdown(rows))


def markdown(rows: list[dict]) -> str:
    """docs/reproducibility.md's table: test / CV accuracy per configuration and kernel."""
    kernels = list(rows[0]["runs"])
    lines = [
        f"| configuration | {' kernel | '.join(kernels)} kernel | metrics.json and cv.json |",
        f"|---|{'---|' * len(kernels)}---|",
    ]
    for row in rows:
        cells = [
            f"{r['metrics.json']['test']['accuracy']:.6f} / {r['cv.json']['cv']['accuracy']:.6f}"
            for r in row["runs"].values()
        ]
        same = "identical" if row["identical"] else "differ"
        lines.append(f"| {row['configuration']} | {' | '.join(cells)} | {same} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
