"""Where a CNN training epoch's time goes: each layer's forward and backward pass, the loss's
gradient, the optimizer step and the batch gathering, timed around every call.

Usage: python benchmarks/profile_cnn.py [--dtype float32] [--epochs 1] [--threads 1 2]
                                        [--batch-norm] [--image-size S] [--output FILE]

The case is speed.py's ten-digit CNN (the documented CNN line, augmentation left out; batch
normalisation only with ``--batch-norm``) on the pipeline's training part, trained by signnet's
own loop (``train_epochs``) with every layer's ``forward`` and ``backward`` and the optimizer's
``step`` wrapped in a timer. The table gives seconds per epoch and the share of the epoch for
each (layer, pass), and the FLOP rate of the layers that multiply matrices (2 FLOP per
multiply-add; see :func:`speed.layer_flops`).
The network computes on each of ``--threads`` thread counts in turn (default: one, and every
core as the pipeline does; each block of a product on one BLAS thread, see
:mod:`signnet.nn.parallel`); with two or more, a table compares the first and the last by part.
"""

from __future__ import annotations

import signnet.cpu  # noqa: F401  (first: pins OpenBLAS and NumPy's dispatch before NumPy loads)

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


# The documentation's grouping of the profile's parts: layer kind -> row name.
GROUPS = {
    "conv2d": "convolutions (products, unfolding, folding)",
    "batch_norm": "batch normalisation",
    "max_pool2d": "max-pooling",
    "adam": "Adam",
}
OTHER = "dense layers, reshapes, dropout, activations, the loop"


def grouped(result: dict) -> dict[str, float]:
    """Seconds per epoch of one profile by :data:`GROUPS` (the rest in :data:`OTHER`)."""
    totals = dict.fromkeys([*GROUPS.values(), OTHER], 0.0)
    for row in result["rows"]:
        words = row["part"].split()
        kind = words[-1] if words[0].isdigit() else words[0]
        totals[GROUPS.get(kind, OTHER)] += row["s"]
    return totals | {"epoch": result["epoch_s"]}


def comparison(record: dict) -> str:
    """The documentation's table: seconds per epoch by part, on each thread count of the record
    and the gain of the last over the first, for each dtype."""
    counts = list(record["runs"])
    first, last = counts[0], counts[-1]
    dtypes = [r["dtype"] for r in record["runs"][first]]
    header = ["part"]
    for dtype in dtypes:
        header += [f"{dtype}, {first} thread(s)", f"{last} threads", "gain"]
    lines = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    tables = {n: [grouped(r) for r in record["runs"][n]] for n in counts}
    for part in tables[first][0]:
        cells = [f"**{part}**" if part == "epoch" else part]
        for i in range(len(dtypes)):
            a, b = tables[first][i][part], tables[last][i][part]
            cells += [f"{a:.2f}", f"{b:.2f}", f"{a / b:.2f}x"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", nargs="+", default=["float32", "float64"])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=sorted({1, default_threads()}),
        help="profile on each of these thread counts (default: one and every core)",
    )
    parser.add_argument("--batch-norm", action="store_true", help="the CNN with batch norm")
    parser.add_argument(
        "--image-size", type=int, help="photos of this side (default: the recipe's)"
    )
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks/results/profile_cnn.json")
    args = parser.parse_args()
    data = load_case_data(cnn_case(args.epochs, args.batch_norm, args.image_size), {})
    runs = {}
    for threads in args.threads:
        runs[str(threads)] = []
        with fixed_threads(), using_threads(threads):
            for dtype in args.dtype:
                result = profile(data, dtype, args.epochs, args.batch_norm, args.image_size)
                runs[str(threads)].append(result)
                print(f"{threads} thread(s): {markdown(result)}", flush=True)
                print()
    record = {"case": runs[str(args.threads[0])][0]["case"], "runs": runs}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(record, indent=2) + "\n")
    if len(runs) > 1:
        print(comparison(record))


if __name__ == "__main__":
    main()
