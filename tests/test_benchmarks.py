"""Smoke tests: each benchmark runs end to end on a tiny case (no timing is asserted)."""

import json
import os
import platform
import subprocess
import sys

import numpy as np
import pytest

from signnet.data.changes import CHANGES
from signnet.nn.losses import encode_targets
from signnet.nn.model import Network
from signnet.params import load_params
from signnet.report.ablation import ALL, NONE, ablation
from tests.conftest import REPO, network_config
from tests.test_cpu import at_floor, machine_targets


def run(script, *args, tmp_path):
    env = {**os.environ, "SIGNNET_DATA": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.mirror
def test_speed_benchmark_runs_on_a_tiny_case(tmp_path):
    output = tmp_path / "speed.json"
    case = "pair 784-64-1, batch 32"
    table = run(
        "speed.py",
        "--rounds",
        "1",
        "--repeats",
        "1",
        "--epochs-scale",
        "0.02",
        "--only",
        case,
        "--output",
        str(output),
        tmp_path=tmp_path,
    )
    record = json.loads(output.read_text())
    assert record["machine"]["cores"] >= 1 and record["machine"]["versions"]["numpy"]
    assert [(r["case"], r["dtype"], r["threads"]) for r in record["results"]] == [
        (case, dtype, setting) for dtype in ("float64", "float32") for setting in ("all", "1")
    ]
    for row in record["results"]:
        assert {"signnet", "scikit-learn"} <= set(row["tools"])
        assert all(ratio > 0 for ratio in row["signnet_speedup"].values())
        assert all(tool["peak_memory_mb"] >= 0 for tool in row["tools"].values())
        if row["threads"] == "1":
            assert all(tool["threads"] == 1 for tool in row["tools"].values())
        else:  # each tool's default: signnet's products on every core, as the pipeline trains
            default = record["machine"]["signnet_default_threads"]
            assert row["tools"]["signnet"]["threads"] == default
    assert "| pair 784-64-1, batch 32 | float64 | 1 | signnet (1) |" in table


@pytest.mark.mirror
def test_speed_benchmark_puts_both_tools_of_the_cnn_against_the_matmul_limit(tmp_path):
    pytest.importorskip("torch")
    speed = _benchmark_module("speed")
    case = next(c for c in speed.CASES if c.conv and c.batch_norm).name
    output = tmp_path / "speed.json"
    table = run(
        "speed.py",
        *("--rounds", "1", "--repeats", "1", "--epochs-scale", "0.1", "--only", case),
        *("--output", str(output)),
        tmp_path=tmp_path,
    )
    record = json.loads(output.read_text())
    assert record["machine"]["thread_settings"] == ["all", "1"]
    for row in record["results"]:
        assert set(row["tools"]) == {"signnet", "PyTorch"}  # the limit and augmentation apart
        assert row["epochs"] == 1 and row["network_gflop"] > 0 and row["matmul_gflop_per_s"] > 0
        assert row["matmul_limit_s"] == pytest.approx(
            row["network_gflop"] / row["matmul_gflop_per_s"]
        )
        for tool, fraction in row["fraction_of_matmul_limit"].items():
            assert fraction == pytest.approx(row["matmul_limit_s"] / row["tools"][tool]["median_s"])
            assert 0 < fraction < 1
        assert row["augmentation_fraction_of_training"] > 0
    assert f"| {case} | float32 | all | matmul limit (" in table


@pytest.mark.mirror
def test_accuracy_benchmark_runs_on_a_tiny_case(tmp_path):
    output = tmp_path / "accuracy.json"
    table = run(
        "accuracy.py",
        "--folds",
        "2",
        "--only",
        "6 vs 8",
        "--epochs",
        "1",
        "--image-size",
        "8",
        "--output",
        str(output),
        tmp_path=tmp_path,
    )
    (row,) = json.loads(output.read_text())["results"]
    assert row["configuration"] == "6 vs 8" and row["images"] == 415
    assert len(row["cross_validation"]["signnet"]["values"]) == 2
    assert row["peer"] == "MLPClassifier"
    assert 0 <= row["split"]["signnet"] <= 1 and 0 <= row["split"]["peer"] <= 1
    assert "| 6 vs 8 | 415 | 95.6% (report 000) | MLPClassifier |" in table


# The docs' ten-digit CNN line (a name of references.REFERENCES).
CNN = "ten digits, CNN"


def _benchmark_module(name):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        return __import__(name)
    finally:
        sys.path.pop(0)


def test_the_docs_give_each_reference_configuration_as_its_exp_run_line():
    references = _benchmark_module("references")
    readme = "".join(page.read_text() for page in sorted((REPO / "docs").glob("*.md")))
    base = load_params(REPO / "params.yaml")
    for reference in references.REFERENCES + references.NEEDS_NETWORK:
        reference.params(base)  # valid on top of params.yaml
        if reference.overrides:
            assert f"\n{reference.exp_run()}\n" in readme, reference.name


def twin_case(conv, n_classes, activation, batch_norm, dropout):
    """A network of these choices with every state array made to count (biases and running
    statistics start at 0 and 1), and 7 inputs."""
    config = network_config(
        64,
        n_classes,
        conv=conv,
        hidden=(5,),
        dropout=dropout,
        batch_norm=batch_norm,
        activation=activation,
        init="he",
    )
    network = Network.initialise(config, 1, np)
    rng = np.random.default_rng(2)
    for state in network.states():
        for value in state.values():
            if value.ndim == 1:  # biases, scales, shifts, running means and variances
                value[...] = rng.uniform(0.5, 1.5, size=value.shape)
    return network, rng.normal(size=(7, 64))


CASES = [
    ((4, 6), 3, "relu", False),
    ((), 2, "sigmoid", False),
    ((3,), 10, "tanh", False),
    ((4, 6), 3, "leaky_relu", True),
    ((), 2, "leaky_relu", True),
]


@pytest.mark.parametrize(("conv", "n_classes", "activation", "batch_norm"), CASES)
def test_the_pytorch_twin_computes_the_same_logits(conv, n_classes, activation, batch_norm):
    """Evaluation mode: dropout off, batch normalisation with the running statistics."""
    torch = pytest.importorskip("torch")
    twin = _benchmark_module("torch_peer").twin
    network, x = twin_case(conv, n_classes, activation, batch_norm, dropout=0.3)
    logits = twin(network).eval()(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(logits, network.logits(x), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("conv", "n_classes", "activation", "batch_norm"), CASES)
def test_the_pytorch_twin_trains_alike(conv, n_classes, activation, batch_norm):
    """Training mode: the same logits (batch statistics), gradients and running statistics."""
    torch = pytest.importorskip("torch")
    peer = _benchmark_module("torch_peer")
    network, x = twin_case(conv, n_classes, activation, batch_norm, dropout=0.0)
    model = peer.twin(network).train()
    labels = np.arange(7) % n_classes
    targets = encode_targets(labels, n_classes)
    loss = peer.loss_function(n_classes)(
        model(torch.from_numpy(x)), peer.torch_targets(labels, n_classes, torch.float64)
    )
    loss.backward()
    network.compute_gradients(x, targets, np.random.default_rng(0))
    torch_layers = [m for m in model if any(True for _ in m.parameters())]
    for layer, module in zip(network.trainable(), torch_layers, strict=True):
        _, _, after = layer.torch()  # the running statistics, updated by one training pass
        for name, torch_name in layer.torch_names.items():
            kept = getattr(module, torch_name)
            if name in layer.grads:
                grad = layer.torch_arrays(layer.grads)[torch_name]
                np.testing.assert_allclose(grad, kept.grad.numpy(), rtol=1e-9, atol=1e-12)
            else:
                np.testing.assert_allclose(after[torch_name], kept.numpy(), rtol=1e-12)


@pytest.mark.mirror
def test_threads_benchmark_runs_on_a_tiny_case(tmp_path):
    output = tmp_path / "threads.json"
    case = "default 784-64-1, 40 epochs"
    table = run(
        "threads.py", "--repeats", "1", "--only", case, "--output", str(output), tmp_path=tmp_path
    )
    rows = json.loads(output.read_text())["rows"]
    ways = [("signnet", 1), ("signnet", os.cpu_count()), ("OpenBLAS", os.cpu_count())]
    assert sorted((r["load"], r["way"], r["threads"]) for r in rows) == sorted(
        (load, *way) for load in ("busy", "idle") for way in ways
    )
    assert all(r["case"] == case and 0 < r["min"] <= r["median"] <= r["max"] for r in rows)
    assert f"| {case} | busy | signnet | 1 |" in table


@pytest.mark.mirror
def test_kernels_benchmark_compares_the_metrics_files_across_kernels(tmp_path):
    output = tmp_path / "kernels.json"
    kernels = ("Haswell", "Sandybridge")
    run(
        "kernels.py",
        "--only",
        "6 vs 8",
        "--kernels",
        *kernels,
        "--output",
        str(output),
        tmp_path=tmp_path,
    )
    [row] = json.loads(output.read_text())
    assert row["configuration"] == "6 vs 8" and list(row["runs"]) == list(kernels)
    for kernel, result in row["runs"].items():
        assert result["kernel"].endswith(kernel)  # OpenBLAS took the kernel asked for
        assert set(result["metrics.json"]["test"]) == {"accuracy", "log_loss"}
        assert set(result["cv.json"]["cv"]) == {"accuracy", "accuracy_std"}
    assert row["identical"] is True  # the reproducibility contract, on the default configuration


@at_floor
def test_dispatch_benchmark_times_each_case_under_the_pin_and_with_numpys_own_loops(tmp_path):
    output = tmp_path / "dispatch.json"
    case = "canary check"
    table = run(
        "dispatch.py", "--repeats", "1", "--only", case, "--output", str(output), tmp_path=tmp_path
    )
    rows = json.loads(output.read_text())["rows"]
    assert [(r["case"], r["setting"]) for r in rows] == [(case, "pinned"), (case, "native")]
    assert rows[0]["loops"] == "X86_V3" and rows[1]["loops"] == machine_targets()[-1]
    assert rows[1]["native / pinned"] == pytest.approx(rows[1]["median"] / rows[0]["median"])
    assert f"| {case} | X86_V3 (pinned) |" in table


@at_floor
@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="compares with glibc's functions")
def test_libm_benchmark_tells_which_functions_are_the_c_librarys(tmp_path):
    output = tmp_path / "libm.json"
    table = run("libm.py", "--output", str(output), tmp_path=tmp_path)
    rows = {r["function"]: r for r in json.loads(output.read_text())["rows"]}
    assert len(rows) == 12 and rows["exp float64"]["pinned loops"] == "X86_V3"
    # as measured on glibc 2.36: under the pin float64 exp is glibc's, float32 exp NumPy's own
    pinned = {name: row["libm under the pin"] for name, row in rows.items()}
    assert pinned["exp float64"] and not pinned["exp float32"]
    assert "| tanh float32 | no |" in table


def test_predict_stream_benchmark_runs_on_a_tiny_case(tmp_path):
    output = tmp_path / "predict_stream.json"
    table = run("predict_stream.py", "--cases", "3:8", "--output", str(output), tmp_path=tmp_path)
    [row] = json.loads(output.read_text())["rows"]
    assert (row["photos"], row["image_size"], row["lines"], row["exit"]) == (3, 8, 3, 0)
    assert 0 < row["first line s"] <= row["total s"] and row["peak MiB"] > 0
    assert "| 3 | 8 |" in table


@pytest.mark.mirror
def test_batchnorm_benchmark_runs_on_a_tiny_case(tmp_path):
    output = tmp_path / "batchnorm.json"
    table = run(
        "batchnorm.py", "--folds", "2", "--epochs", "1", "--output", str(output), tmp_path=tmp_path
    )
    record = json.loads(output.read_text())
    assert [row["batch_norm"] for row in record["rows"]] == [False, True]
    for row in record["rows"]:
        assert [f["fold"] for f in row["folds"]] == [1, 2]
        assert all(len(f["curve"]) == 1 and 0 <= f["test_accuracy"] <= 1 for f in row["folds"])
        assert row["folds_reached"] == sum(r is not None for r in row["reached"])
    assert "| on |" in table and "| off |" in table


@pytest.mark.mirror
def test_scaling_benchmark_runs_the_pipeline_on_a_packed_course_file(tmp_path):
    output = tmp_path / "scaling.json"
    table = run("scaling.py", "--sizes", "400", "--output", str(output), tmp_path=tmp_path)
    (record,) = json.loads(output.read_text())["runs"]
    stages = record["stages"]
    assert record["images"] == 400
    assert list(stages) == [
        "download",
        "filter",
        "split",
        "train",
        "evaluate",
        "crossvalidate",
        "report",
    ]
    assert all(s["seconds"] > 0 and s["peak_mb"] > 10 for s in stages.values())
    assert stages["download"]["outputs"]["data/images.npz"] > 400 * 28 * 28  # every image kept
    assert stages["report"]["outputs"]["reports/report.pdf"] > 0
    assert "| data/images.npz |" in table


@pytest.mark.parametrize(("config", "run", "variant"), [("dense", None, NONE), ("cnn", CNN, ALL)])
def test_the_committed_robustness_ablations_are_of_the_runs_the_docs_give(config, run, variant):
    """The report sets a run beside the ablation only where the run is one of its variants:
    params.yaml's run is the dense ablation's "none", the docs' ten-digit CNN line the CNN
    ablation's "all". A new setting or default breaks this: rerun the benchmark."""
    base = load_params(REPO / "params.yaml")
    if run is not None:
        base = next(r for r in _benchmark_module("references").REFERENCES if r.name == run)
        base = base.params(load_params(REPO / "params.yaml"))
    record = json.loads((REPO / "benchmarks" / "results" / f"robustness_{config}.json").read_text())
    facts = ablation([record], base, [change.name for change in CHANGES])
    assert facts is not None, f"rerun: python benchmarks/robustness_ablation.py {config}"
    assert facts.this_run.label == variant
