"""Where a CNN training epoch's time goes: each layer's forward and backward pass, the loss's
gradient, the optimizer step and the batch gathering, timed around every call.

Usage: python benchmarks/profile_cnn.py [--dtype float32] [--epochs 1] [--threads N]
                                        [--batch-norm] [--image-size S] [--output FILE]

The case is speed.py's ten-digit CNN (the README's CNN line, augmentation left out; batch
normalisation only with ``--batch-norm``) on the pipeline's training part, trained by signnet's
own loop (``train_epochs``) with every layer's ``forward`` and ``backward`` and the optimizer's
``step`` wrapped in a timer. The table gives seconds per epoch and the share of the epoch for
each (layer, pass), and the FLOP rate of the layers that multiply matrices (2 FLOP per
multiply-add; see :func:`speed.layer_flops`).
The products run on ``--threads`` threads, each block on one BLAS thread, as in the pipeline
(default: every core; see :mod:`signnet.nn.parallel`).
"""

from __future__ import annotations

import signnet.blas  # noqa: F401  (first: pins OpenBLAS's kernel before NumPy loads)

import argparse
import collections
import json
import time
from pathlib import Path

from references import REPO
from speed import SEED, Data, cnn_case, initial_network, layer_flops, load_case_data

from signnet.nn.backend import fixed_threads
from signnet.nn.losses import encode_targets
from signnet.nn.optimizers import OPTIMIZERS
from signnet.nn.parallel import default_threads, using_threads
from signnet.nn.training import Samples, train_epochs


def timed(totals: dict, key: tuple, fn):
    """``fn`` wrapped so that each call's seconds add to ``totals[key]``."""

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        totals[key] += time.perf_counter() - start
        return result

    return wrapper


def profile(data: Data, dtype: str, epochs: int, batch_norm: bool, size: int | None) -> dict:
    case = cnn_case(epochs, batch_norm, size)
    network = initial_network(case, data, dtype)
    optimizer = OPTIMIZERS[case.optimizer](**case.settings)
    totals: dict[tuple[str, str], float] = collections.defaultdict(float)
    names = []
    for i, layer in enumerate(network.layers):
        name = f"{i:2d} {layer.kind}"
        names.append(name)
        layer.forward = timed(totals, (name, "forward"), layer.forward)
        layer.backward = timed(totals, (name, "backward"), layer.backward)
    network.loss.gradient = timed(totals, ("loss", "gradient"), network.loss.gradient)
    optimizer.step = timed(totals, (f"{case.optimizer} step", "update"), optimizer.step)
    samples = Samples(
        data.x.astype(dtype), encode_targets(data.labels, data.n_classes).astype(dtype), data.labels
    )
    start = time.perf_counter()
    for _ in train_epochs(network, optimizer, samples, epochs, case.batch_size, SEED):
        pass
    total = (time.perf_counter() - start) / epochs
    flops = layer_flops(network, len(data.x))
    rows = []
    for name, layer in zip(names, network.layers, strict=True):
        for step in ("forward", "backward"):
            seconds = totals[(name, step)] / epochs
            gflop = flops.get((layer, step), 0.0) / 1e9
            rows.append({"part": name, "pass": step, "s": seconds, "gflop": gflop})
    for key in (("loss", "gradient"), (f"{case.optimizer} step", "update")):
        rows.append({"part": key[0], "pass": key[1], "s": totals[key] / epochs, "gflop": 0.0})
    other = total - sum(r["s"] for r in rows)
    rows.append({"part": "loop (batch gathering, checks)", "pass": "", "s": other, "gflop": 0.0})
    return {"case": case.name, "dtype": dtype, "epoch_s": total, "rows": rows}


def markdown(result: dict) -> str:
    lines = [
        f"{result['case']}, {result['dtype']}: {result['epoch_s']:.2f} s per epoch",
        "",
        "| part | pass | s / epoch | share | GFLOP | GFLOP/s |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        rate = f"{r['gflop'] / r['s']:.1f}" if r["gflop"] and r["s"] else ""
        gflop = f"{r['gflop']:.1f}" if r["gflop"] else ""
        lines.append(
            f"| {r['part']} | {r['pass']} | {r['s']:.3f} | {r['s'] / result['epoch_s']:.1%} | "
            f"{gflop} | {rate} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", nargs="+", default=["float32", "float64"])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=default_threads())
    parser.add_argument("--batch-norm", action="store_true", help="the CNN with batch norm")
    parser.add_argument(
        "--image-size", type=int, help="photos of this side (default: the recipe's)"
    )
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks/results/profile_cnn.json")
    args = parser.parse_args()
    data = load_case_data(cnn_case(args.epochs, args.batch_norm, args.image_size), {})
    results = []
    with fixed_threads(), using_threads(args.threads):
        for dtype in args.dtype:
            results.append(profile(data, dtype, args.epochs, args.batch_norm, args.image_size))
            print(markdown(results[-1]), flush=True)
            print()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"threads": args.threads, "results": results}, indent=2))


if __name__ == "__main__":
    main()
