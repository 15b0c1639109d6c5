"""Training speed of signnet against PyTorch (CPU) and scikit-learn, in one benchmark run.

Usage: python benchmarks/speed.py [--rounds 3] [--repeats 4] [--epochs-scale 1.0] [--only CASE]
                                  [--threads all 1]

For each case and dtype, every tool trains the same architecture on the same data (the
pipeline's training part) with the same optimizer (plain SGD for the dense cases, Adam for the
CNN), learning rate, batch size and epochs; signnet and PyTorch start from the same weights
(see torch_peer.py) and visit the batches in the same order. Each case runs once per thread
setting of ``--threads`` (by default ``all`` and ``1``): ``all`` is every tool as it runs by
default on this machine, signnet's products on every core (signnet.nn.parallel, each block on
one BLAS thread, as the pipeline trains), PyTorch on its own default thread count, NumPy's BLAS
(scikit-learn, the matmul limit) on its default; a number puts every tool on that many threads.
The record states each tool's thread count. scikit-learn has no convolutions: it runs the dense
cases only. Each tool is
timed in fresh processes of its own (same data, loaded from one file), in rounds that alternate
the tools: each process does a warm-up run, whose peak RSS growth is the memory figure (Linux),
then several timed repeats. The table gives medians over all rounds, the spread (min-max) and
signnet's speed relative to each peer.

The matmul limit, timed in the same rounds, bounds what any implementation can reach. For the
large dense case it is NumPy's matmul alone on the same products as the training run. For the
CNN cases it is the network's FLOP count (its matrix products, forward and backward:
:func:`layer_flops`) at the rate NumPy's matmul reaches on large square products (2048 x 2048,
the BLAS's best case); each tool's fraction of the limit is that time over its own. For the CNN
cases, the time signnet's augmentation takes for the same epochs (the CNN recipe's settings,
applied to the features as if they were photos: a timing, not a recipe; not part of the timed
training) is set beside them.
Results go to benchmarks/results/speed.json; a Markdown table is printed.
"""

from __future__ import annotations

import signnet.cpu  # noqa: F401  (first: pins OpenBLAS and NumPy's dispatch before NumPy loads)
from signnet.cpu import numpy_blas

import argparse
import contextlib
import dataclasses
import gc
import importlib.metadata
import importlib.util
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from references import REFERENCES, REPO, SKLEARN_ACTIVATION
from threadpoolctl import threadpool_info, threadpool_limits

from signnet.data.subset import select_classes
from signnet.nn import parallel
from signnet.nn.architecture import ModelConfig
from signnet.nn.augment import Augmentation
from signnet.nn.backend import fixed_threads
from signnet.nn.losses import encode_targets
from signnet.nn.model import Network
from signnet.nn.optimizers import OPTIMIZERS
from signnet.nn.parallel import default_threads, using_threads
from signnet.nn.training import Samples, train_epochs
from signnet.params import load_params
from signnet.pipeline.download import load_photos
from signnet.pipeline.split import split_dataset
from signnet.pipeline.train import augmentation, optimizer_settings


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    classes: list[int]
    image_size: int
    conv: list[int]
    hidden: list[int]
    dropout: float
    batch_norm: bool
    activation: str
    optimizer: str  # a name in signnet's OPTIMIZERS
    settings: dict  # its keyword arguments (lr, weight_decay, ...)
    batch_size: int
    epochs: int
    augmentation: list[float]  # Augmentation's settings, timed beside the CNN; [] for none


def cnn_case(epochs: int, batch_norm: bool, image_size: int | None = None) -> Case:
    """The documented ten-digit CNN (benchmarks/references.py), with or without its batch
    normalisation, on its photos' size or ``image_size``, for a few epochs."""
    reference = next(r for r in REFERENCES if r.name == "ten digits, CNN")
    params = reference.params(load_params(REPO / "params.yaml"))
    model, train = params.model, params.train
    recipe = augmentation(train, None)  # timed on the features, as transformed photos
    size = image_size or params.download.image_size
    return Case(
        f"ten digits CNN {size}x{size} conv {'-'.join(map(str, model.conv))}"
        f"{' batch norm' * batch_norm} dense {model.hidden[0]}, batch {train.batch_size}",
        params.filter.classes,
        size,
        model.conv,
        model.hidden,
        model.dropout,
        batch_norm,
        model.activation,
        train.optimizer,
        optimizer_settings(train),
        train.batch_size,
        epochs,
        [getattr(recipe, f.name) for f in dataclasses.fields(recipe) if f.name != "features"],
    )


def dense_case(name, classes, size, hidden, activation, batch_size, epochs, lr) -> Case:
    """A dense network trained with plain SGD at rate ``lr``."""
    sgd = {"lr": lr, "weight_decay": 0.0}
    return Case(
        name, classes, size, [], hidden, 0.0, False, activation, "sgd", sgd, batch_size, epochs, []
    )


CASES = [
    dense_case("pair 784-64-1, batch 32", [6, 8], 28, [64], "sigmoid", 32, 40, 0.1),
    dense_case("per-sample 784-32-1, batch 1", [4, 5], 28, [32], "sigmoid", 1, 5, 0.01),
    dense_case(
        "ten digits 4096-256-10, batch 256", list(range(10)), 64, [256], "relu", 256, 20, 0.1
    ),
    cnn_case(epochs=2, batch_norm=False, image_size=64),  # the earlier recipe's network
    cnn_case(epochs=2, batch_norm=True),  # the documented recipe
]
DTYPES = ["float64", "float32"]
SEED = 0


@dataclasses.dataclass
class Data:
    """The training part of a case: x (n, features) float64, labels (n,), the class count."""

    x: np.ndarray
    labels: np.ndarray
    n_classes: int


def load_case_data(case: Case, cache: dict) -> Data:
    if case.image_size not in cache:
        download = load_params(REPO / "params.yaml").download
        download = download.model_copy(update={"image_size": case.image_size})
        cache[case.image_size] = load_photos(download, root=REPO)[0]
    split = load_params(REPO / "params.yaml").split
    dataset = select_classes(cache[case.image_size], case.classes)
    train, _, preprocessing = split_dataset(dataset, split.test_fraction, split.scaling, split.seed)
    return Data(preprocessing.features(train["images"]), train["labels"], len(case.classes))


def initial_network(case: Case, data: Data, dtype: str) -> Network:
    config = ModelConfig(
        n_features=data.x.shape[1],
        n_classes=data.n_classes,
        conv=tuple(case.conv),
        kernel_size=3,
        hidden=tuple(case.hidden),
        dropout=case.dropout,
        batch_norm=case.batch_norm,
        activation=case.activation,
        init="he" if case.activation == "relu" else "xavier",
        init_scale=1.0,  # used by init: normal only
        dtype=dtype,
    )
    return Network.initialise(config, SEED, np)


def layer_flops(network: Network, n: int) -> dict[tuple[object, str], float]:
    """FLOP of the matrix products of ``network`` for ``n`` samples, by (layer, pass): forward
    and backward (weight gradient, and input gradient where the layer computes one); 2 FLOP per
    multiply-add. Layers without products (activations, pooling, ...) are left out."""
    flops: dict[tuple[object, str], float] = {}
    x = np.zeros((1, network.config.n_features), dtype=network.config.dtype)
    for layer in network.layers:
        if layer.kind == "dense":
            per_sample = 2.0 * x.shape[1] * layer.params["W"].shape[1]
        elif layer.kind == "conv2d":
            per_sample = 2.0 * x.shape[1] * x.shape[2] * layer.params["W"].size
        else:
            per_sample = 0.0
        if per_sample:
            flops[(layer, "forward")] = n * per_sample
            flops[(layer, "backward")] = n * per_sample * (2 if layer.input_grad else 1)
        x = layer.forward(x, training=False)
    return flops


def batch_orders(n: int, epochs: int) -> list[np.ndarray]:
    """The permutations signnet's loop draws from SEED, to give PyTorch the same batches."""
    rng = np.random.default_rng(SEED)
    return [rng.permutation(n) for _ in range(epochs)]


class SignnetRunner:
    name = "signnet"

    def __init__(self, case: Case, data: Data, dtype: str, threads: int):
        self.case, self.dtype = case, dtype
        self.samples = Samples(
            data.x.astype(dtype),
            encode_targets(data.labels, data.n_classes).astype(dtype),
            data.labels,
        )
        self.initial = initial_network(case, data, dtype)

    def run(self) -> None:
        states = [{n: a.copy() for n, a in state.items()} for state in self.initial.states()]
        network = Network.load(self.initial.config, self.initial.specs(), states)
        epochs = train_epochs(
            network,
            OPTIMIZERS[self.case.optimizer](**self.case.settings),
            self.samples,
            self.case.epochs,
            self.case.batch_size,
            SEED,
        )
        for _ in epochs:
            pass


class TorchRunner:
    name = "PyTorch"

    def __init__(self, case: Case, data: Data, dtype: str, threads: int):
        import torch
        import torch_peer

        if threads is not None:
            torch.set_num_threads(threads)
        self.torch, self.peer, self.case, self.data = torch, torch_peer, case, data
        self.x = torch.from_numpy(data.x.astype(dtype))
        self.targets = torch_peer.torch_targets(data.labels, data.n_classes, getattr(torch, dtype))
        self.orders = [torch.from_numpy(o) for o in batch_orders(len(data.x), case.epochs)]
        self.initial = initial_network(case, data, dtype)

    def run(self) -> None:
        case = self.case
        model = self.peer.twin(self.initial)
        model.train()
        loss_fn = self.peer.loss_function(self.data.n_classes)
        optimizer = self.peer.optimizer_for(model, OPTIMIZERS[case.optimizer](**case.settings))
        n = len(self.x)
        for order in self.orders:
            x, targets = self.x[order], self.targets[order]
            for start in range(0, n, case.batch_size):
                stop = start + case.batch_size
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(x[start:stop]), targets[start:stop])
                loss.backward()
                optimizer.step()


class SklearnRunner:
    name = "scikit-learn"

    def __init__(self, case: Case, data: Data, dtype: str, threads: int):
        self.case, self.x, self.labels = case, data.x.astype(dtype), data.labels

    def run(self) -> None:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier

        case = self.case
        classifier = MLPClassifier(
            hidden_layer_sizes=tuple(case.hidden),
            activation=SKLEARN_ACTIVATION[case.activation],
            solver="sgd",
            learning_rate="constant",
            learning_rate_init=case.settings["lr"],
            momentum=0.0,
            nesterovs_momentum=False,
            alpha=0.0,
            batch_size=case.batch_size,
            max_iter=case.epochs,
            shuffle=True,
            early_stopping=False,
            tol=0.0,
            n_iter_no_change=case.epochs + 1,
            random_state=SEED,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            classifier.fit(self.x, self.labels)


class MatmulLimitRunner:
    """NumPy's matmul alone on the products of one signnet training run: the limit for any
    NumPy implementation (forward, weight gradients, and input gradients but the first)."""

    name = "NumPy matmul alone"

    def __init__(self, case: Case, data: Data, dtype: str, threads: int):
        rng = np.random.default_rng(0)
        widths = [data.x.shape[1], *case.hidden, 1 if data.n_classes == 2 else data.n_classes]
        n, b = len(data.x), case.batch_size
        self.epochs = case.epochs
        self.sizes = [min(b, n - start) for start in range(0, n, b)]
        self.weights = [
            rng.standard_normal((i, o)).astype(dtype)
            for i, o in zip(widths[:-1], widths[1:], strict=True)
        ]
        self.inputs = {
            s: [rng.standard_normal((s, w)).astype(dtype) for w in widths] for s in set(self.sizes)
        }

    def run(self) -> None:
        for _ in range(self.epochs):
            for s in self.sizes:
                acts = self.inputs[s]
                for layer, w in enumerate(self.weights):
                    acts[layer] @ w  # forward
                for layer, w in enumerate(self.weights):
                    acts[layer].T @ acts[layer + 1]  # weight gradient
                    if layer:
                        acts[layer + 1] @ w.T  # input gradient


class MatmulPeakRunner:
    """NumPy's matmul on large square products (:data:`SIDE`), the rate no product of the
    network can beat: with the network's FLOP count, the time limit for a CNN epoch."""

    name = "NumPy matmul peak"
    SIDE = 2048
    PRODUCTS = 3
    FLOP = PRODUCTS * 2.0 * SIDE**3

    def __init__(self, case: Case, data: Data, dtype: str, threads: int):
        rng = np.random.default_rng(0)
        self.a, self.b = (rng.standard_normal((self.SIDE, self.SIDE)).astype(dtype) for _ in "ab")

    def run(self) -> None:
        for _ in range(self.PRODUCTS):
            self.a @ self.b


class AugmentationRunner:
    """signnet's augmentation alone: the case's transforms applied to the whole training part
    once per epoch, as a training run with that recipe does (on the host, from one generator)."""

    name = "signnet augmentation alone"

    def __init__(self, case: Case, data: Data, dtype: str, threads: int):
        self.x, self.epochs = data.x.astype(dtype), case.epochs
        self.augmentation = Augmentation(*case.augmentation)

    def run(self) -> None:
        rng = np.random.default_rng(SEED)
        for _ in range(self.epochs):
            self.augmentation.apply(self.x, rng)


RUNNERS = {
    runner.name: runner
    for runner in (
        SignnetRunner,
        TorchRunner,
        SklearnRunner,
        MatmulLimitRunner,
        MatmulPeakRunner,
        AugmentationRunner,
    )
}
PEERS = ("PyTorch", "scikit-learn")
# What computes with signnet's own thread settings: its training, and its augmentation.
SIGNNET_TOOLS = (SignnetRunner.name, AugmentationRunner.name)


def available_tools(case: Case) -> list[str]:
    """What to time: signnet, the peers (PyTorch only where it is installed, found without
    importing it; scikit-learn for dense networks only), for the large dense case the matmul
    limit, for a CNN the matmul peak, and for a case with augmentation the augmentation alone."""
    tools = ["signnet", *PEERS]
    if importlib.util.find_spec("torch") is None:
        print("PyTorch is not installed (pip install -e '.[bench]'): left out", file=sys.stderr)
        tools.remove("PyTorch")
    if case.conv:
        tools.remove("scikit-learn")
        tools.append(MatmulPeakRunner.name)
    elif case.batch_size >= 256:
        tools.append(MatmulLimitRunner.name)
    if case.augmentation:
        tools.append(AugmentationRunner.name)
    return tools


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _status_kib(field: str) -> int:
    """A memory figure of this process from /proc/self/status (Linux), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def measure_in_subprocess(
    tool: str, case: Case, dtype: str, data_file: Path, repeats: int, threads: str
) -> dict:
    """Run :func:`measure` in a fresh Python process; return its record."""
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--measure",
            tool,
            json.dumps(dataclasses.asdict(case)),
            dtype,
            str(data_file),
            str(repeats),
            str(threads),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(
    tool: str, case_json: str, dtype: str, data_file: str, repeats: str, threads: str
) -> None:
    """Print, as JSON, the times of ``repeats`` training runs after a warm-up, and the peak RSS
    growth (MB) of the warm-up above the RSS just before it.

    Each tool runs in a process of its own: PyTorch's OpenMP threads keep spinning after its
    operations and would slow whatever ran next in the same process. The kernel's peak mark
    (VmHWM) is reset (5 to /proc/self/clear_refs) after the data is loaded. ``threads`` is a
    number or ``all`` (see the module); the record holds the count the tool computed on.
    """
    case = Case(**json.loads(case_json))
    count = None if threads == "all" else int(threads)
    with np.load(data_file, allow_pickle=False) as arrays:
        data = Data(arrays["x"], arrays["labels"], int(arrays["n_classes"]))
    with contextlib.ExitStack() as settings:
        if tool in SIGNNET_TOOLS:  # as the pipeline: one BLAS thread per block of a product
            settings.enter_context(fixed_threads())
            settings.enter_context(using_threads(count))
        elif count is not None:
            settings.enter_context(threadpool_limits(limits=count))
        runner = RUNNERS[tool](case, data, dtype, count)
        gc.collect()
        Path("/proc/self/clear_refs").write_text("5")
        before = _status_kib("VmRSS")
        runner.run()  # warm-up
        peak = (_status_kib("VmHWM") - before) / 1024
        times = [_time(runner.run) for _ in range(int(repeats))]
        used = threads_used(tool)
    print(json.dumps({"times": times, "peak_memory_mb": peak, "threads": used}))


def threads_used(tool: str) -> int:
    """The threads ``tool`` computes on in this process, as set up by :func:`measure`."""
    if tool in SIGNNET_TOOLS:
        return parallel.threads()
    if tool == TorchRunner.name:
        import torch

        return torch.get_num_threads()
    return numpy_blas()["num_threads"]  # NumPy's own: SciPy may load another, later


def machine(settings: list[str]) -> dict:
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else platform.processor()
    )
    versions = {}
    for package in ("numpy", "torch", "scikit-learn", "signnet"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    blas = [
        {k: info.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
        for info in threadpool_info()
    ]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "signnet_default_threads": default_threads(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "blas": blas,
        "versions": versions,
        "openblas_env": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS")},
        "thread_settings": settings,  # see measure(); each row states each tool's count
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=4, help="timed runs per round")
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per tool")
    parser.add_argument(
        "--epochs-scale",
        type=float,
        default=1.0,
        help="multiply every case's epochs (e.g. 0.1 for a quick look)",
    )
    parser.add_argument("--only", help="run only the case with this name")
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks/results/speed.json")
    parser.add_argument(
        "--threads",
        nargs="+",
        default=["all", "1"],
        help="thread settings to measure each case in: all (every tool's default, signnet's "
        "products on every core) or a number (every tool on that many)",
    )
    parser.add_argument("--measure", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(*args.measure)
        return
    cache: dict = {}
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for case in CASES:
            if args.only and case.name != args.only:
                continue
            case = dataclasses.replace(case, epochs=max(1, round(case.epochs * args.epochs_scale)))
            data = load_case_data(case, cache)
            data_file = Path(scratch) / "data.npz"
            np.savez(data_file, x=data.x, labels=data.labels, n_classes=data.n_classes)
            for dtype, setting in itertools.product(DTYPES, args.threads):
                samples = len(data.x) * case.epochs
                row = {
                    "case": case.name,
                    "dtype": dtype,
                    "threads": setting,
                    "epochs": case.epochs,
                    "train_samples": len(data.x),
                    "tools": {},
                }
                tools = available_tools(case)
                measured = {tool: [] for tool in tools}
                for _ in range(args.rounds):  # rounds alternate tools, so a slow spell of the
                    for tool in tools:  # machine falls on all of them, not on one
                        measured[tool].append(
                            measure_in_subprocess(
                                tool, case, dtype, data_file, args.repeats, setting
                            )
                        )
                for tool, results in measured.items():
                    times = [t for result in results for t in result["times"]]
                    median = statistics.median(times)
                    row["tools"][tool] = {
                        "median_s": median,
                        "min_s": min(times),
                        "max_s": max(times),
                        "samples_per_s": samples / median,
                        "peak_memory_mb": statistics.median(r["peak_memory_mb"] for r in results),
                        "threads": results[0]["threads"],
                    }
                limit = row["tools"].pop(MatmulLimitRunner.name, None)
                if limit is not None:
                    row["matmul_limit_s"] = limit["median_s"]
                peak = row["tools"].pop(MatmulPeakRunner.name, None)
                if peak is not None:
                    rate = MatmulPeakRunner.FLOP / peak["median_s"]
                    network = initial_network(case, data, dtype)
                    flop = sum(layer_flops(network, len(data.x)).values()) * case.epochs
                    row |= {"matmul_gflop_per_s": rate / 1e9, "network_gflop": flop / 1e9}
                    row["matmul_limit_s"] = flop / rate
                signnet = row["tools"]["signnet"]["median_s"]
                row["signnet_speedup"] = {
                    name: r["median_s"] / signnet
                    for name, r in row["tools"].items()
                    if name in PEERS
                }
                if "matmul_limit_s" in row:
                    row["fraction_of_matmul_limit"] = {
                        name: row["matmul_limit_s"] / r["median_s"]
                        for name, r in row["tools"].items()
                        if name in ("signnet", *PEERS)
                    }
                augmentation = row["tools"].pop(AugmentationRunner.name, None)
                if augmentation is not None:
                    row["augmentation_s"] = augmentation["median_s"]
                    row["augmentation_fraction_of_training"] = augmentation["median_s"] / signnet
                rows.append(row)
                print(f"done: {case.name} {dtype} threads {setting}", file=sys.stderr, flush=True)
    record = {
        "machine": machine(args.threads),
        "rounds": args.rounds,
        "repeats_per_round": args.repeats,
        "results": rows,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(record, indent=2) + "\n")
    print(markdown(record))


def markdown(record: dict) -> str:
    m = record["machine"]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, "
        + ", ".join(f"{b['internal_api']} {b['version']}" for b in m["blas"])
        + f"; thread settings {', '.join(m['thread_settings'])}, {record['rounds']} rounds of "
        + f"{record['repeats_per_round']} timed runs each; "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v),
        "",
        "| case | dtype | threads | tool | samples/s (median) | time min-median-max (s) | "
        "signnet speed-up | share of the matmul limit | peak memory (MB) |",
        "|---|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in record["results"]:
        fractions = row.get("fraction_of_matmul_limit", {})
        first = f"| {row['case']} | {row['dtype']} | {row['threads']} |"
        for name, r in row["tools"].items():
            speedup = "" if name == "signnet" else f"{row['signnet_speedup'][name]:.2f}x"
            share = f"{fractions[name]:.0%}" if name in fractions else ""
            lines.append(
                f"{first} {name} ({r['threads']}) | {r['samples_per_s']:,.0f} | "
                f"{r['min_s']:.3f}-{r['median_s']:.3f}-{r['max_s']:.3f} | {speedup} | {share} | "
                f"{r['peak_memory_mb']:.1f} |"
            )
        if "matmul_limit_s" in row:
            how = (
                f"{row['network_gflop']:,.0f} GFLOP at {row['matmul_gflop_per_s']:.0f} GFLOP/s"
                if "network_gflop" in row
                else "the same products alone"
            )
            lines.append(
                f"{first} matmul limit ({how}) | "
                f"{row['train_samples'] * row['epochs'] / row['matmul_limit_s']:,.0f} | "
                f"{row['matmul_limit_s']:.3f} | | 100% | |"
            )
        if "augmentation_s" in row:
            lines.append(
                f"{first} signnet augmentation alone | "
                f"{row['train_samples'] * row['epochs'] / row['augmentation_s']:,.0f} | "
                f"{row['augmentation_s']:.3f} | "
                f"{row['augmentation_fraction_of_training']:.0%} of signnet's training | | |"
            )
    lines.append(
        "\nthreads: the setting (all: each tool's default on this machine); after each tool, the "
        "threads it computed on. speed-up = peer's median time / signnet's median time in the same "
        "setting (above 1: signnet faster); share of the matmul limit = the limit's time / the "
        "tool's median time."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
