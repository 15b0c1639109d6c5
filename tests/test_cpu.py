"""The pins of OpenBLAS's kernel and NumPy's SIMD dispatch: importing signnet first gives the
contract's kernel and loops whatever the environment asked, processes it starts inherit them,
a network trains to the same bytes at every dispatch level this machine has, and anything else
is named."""

import signnet.cpu  # noqa: F401  (first, as in every process that computes a kept result)
from signnet.cpu import ABOVE_FLOOR, DISABLE, ENABLE, FLOOR, KERNEL, Numerics, pin_failure

import json
import os
import subprocess
import sys

import pytest

from signnet import cpu
from tests.conftest import REPO

# Variables the tests set for themselves: cleared from what the child processes inherit.
PIN_VARIABLES = (cpu.CORETYPE, cpu.KERNEL_OVERRIDE, DISABLE, ENABLE, cpu.DISPATCH_OVERRIDE)

# Runs in a fresh interpreter: what NumPy computes with, what the pins set, what is wrong.
PROBE = """
import json, os
{imports}
from signnet.cpu import Numerics, pin_failure
here = Numerics.here()
print(json.dumps({{"kernel": here.kernel, "dispatch": here.dispatch,
                  "coretype": os.environ.get("OPENBLAS_CORETYPE"),
                  "disabled": os.environ.get("NPY_DISABLE_CPU_FEATURES"),
                  "failure": pin_failure(){extra}}}))
"""

at_floor = pytest.mark.skipif(
    not (cpu._x86_64() and cpu.cpu_at_floor()), reason="this CPU is below x86-64-v3"
)


def clean_environment(**settings: str) -> dict:
    return {k: v for k, v in os.environ.items() if k not in PIN_VARIABLES} | settings


def run_python(code: str, env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def probe(imports: str = "import signnet\nimport numpy", extra: str = "", **settings) -> dict:
    return run_python(PROBE.format(imports=imports, extra=extra), clean_environment(**settings))


def machine_targets() -> list[str]:
    """NumPy's dispatch targets this CPU has, lowest first (asked in a process without pins)."""
    code = (
        "import json\nfrom numpy._core import _multiarray_umath as u\n"
        "print(json.dumps([t for t in u.__cpu_dispatch__ if u.__cpu_features__[t]]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=clean_environment(), capture_output=True, text=True
    )
    return json.loads(done.stdout)


@at_floor
def test_the_test_process_computes_under_the_pins():
    assert pin_failure() is None
    assert Numerics.here().dispatch == FLOOR and Numerics.here().kernel.endswith(f" {KERNEL}")


@at_floor
@pytest.mark.parametrize(
    "asked",
    [
        {},
        {cpu.CORETYPE: "Sandybridge"},
        {cpu.CORETYPE: "Zen", DISABLE: "AVX512_ICL"},
        {ENABLE: "X86_V3 X86_V4"},  # NumPy refuses ENABLE and DISABLE both set: turned into one
        {ENABLE: ""},
    ],
)
def test_importing_signnet_first_pins_kernel_and_loops_whatever_the_environment(asked):
    seen = probe(**asked)
    assert seen["kernel"].startswith("openblas ") and seen["kernel"].endswith(f" {KERNEL}")
    assert seen["coretype"] == KERNEL and seen["dispatch"] == FLOOR
    assert set(ABOVE_FLOOR) <= set(seen["disabled"].split()) and seen["failure"] is None


def test_the_pin_keeps_what_the_environment_disabled_and_turns_an_enabled_list_round():
    assert cpu._disabled_with_pin({}) == " ".join(ABOVE_FLOOR)
    kept = cpu._disabled_with_pin({DISABLE: "X86_V3,AVX512_ICL"}).split()
    assert kept == ["X86_V3", "AVX512_ICL", "X86_V4", "AVX512_SPR"]  # each named once
    # an enabled list: what it leaves out is disabled, and the targets above the floor
    assert set(cpu._disabled_with_pin({ENABLE: "X86_V3 X86_V4"}).split()) == set(ABOVE_FLOOR)
    assert set(cpu._disabled_with_pin({ENABLE: "AVX512_SPR"}).split()) == {FLOOR, *ABOVE_FLOOR}
    # an empty one is no list (NumPy reads it so): the floor's loops stay on
    assert cpu._disabled_with_pin({ENABLE: ""}) == " ".join(ABOVE_FLOOR)


@at_floor
def test_processes_signnet_starts_inherit_both_pins():
    extra = (
        ', "workers": [[n.kernel, n.dispatch] for n in __import__("joblib").Parallel(n_jobs=2,'
        ' backend="loky")'
        "(__import__('joblib').delayed(Numerics.here)() for _ in range(2))]"
    )
    seen = probe(extra=extra, **{cpu.CORETYPE: "Sandybridge"})
    assert seen["workers"] == [[seen["kernel"], FLOOR]] * 2
    assert seen["kernel"].endswith(KERNEL)


@at_floor
def test_another_kernel_or_numpys_own_loops_on_purpose_is_no_failure():
    seen = probe(**{cpu.KERNEL_OVERRIDE: "Sandybridge", cpu.DISPATCH_OVERRIDE: "native"})
    assert seen["kernel"].endswith(" Sandybridge") and seen["failure"] is None
    assert seen["dispatch"] == machine_targets()[-1] and seen["disabled"] is None


@at_floor
def test_numpy_imported_before_signnet_keeps_its_choices_and_says_so():
    seen = probe(imports="import numpy\nimport signnet", **{cpu.CORETYPE: "Sandybridge"})
    assert seen["kernel"].endswith(" Sandybridge") and seen["dispatch"] == machine_targets()[-1]
    assert "Sandybridge, not OpenBLAS's Haswell kernel" in seen["failure"]
    assert "NumPy was imported before signnet" in seen["failure"]
    if seen["dispatch"] != FLOOR:  # an AVX-512 CPU: NumPy's widest loops named too
        assert f"NumPy's loops are {seen['dispatch']}, not {FLOOR}" in seen["failure"]


@at_floor
def test_a_misspelt_dispatch_override_is_named_and_the_pin_holds():
    seen = probe(**{cpu.DISPATCH_OVERRIDE: "Native"})
    assert seen["dispatch"] == FLOOR
    assert seen["failure"] == (
        "SIGNNET_NUMPY_DISPATCH='Native' is not 'native', its one value: NumPy's dispatch stayed "
        "pinned (unset it, or set it to 'native')"
    )


def test_another_library_kernel_or_loops_is_a_failure_naming_them():
    assert pin_failure(Numerics(f"openblas 0.3.31 {KERNEL}", FLOOR)) is None
    for kernel in ("openblas 0.3.31 SkylakeX", "openblas 0.3.31 neoversen1", "mkl 2024.1 skylake"):
        failure = pin_failure(Numerics(kernel, FLOOR))
        assert failure.startswith(f"its BLAS is {kernel}, not OpenBLAS's {KERNEL} kernel")
    failure = pin_failure(Numerics(f"openblas 0.3.31 {KERNEL}", "X86_V4"))
    assert failure.startswith(f"NumPy's loops are X86_V4, not {FLOOR} (x86-64-v3)")


def test_a_cpu_below_the_floor_or_not_x86_is_left_to_openblas_and_numpy(monkeypatch):
    monkeypatch.delitem(sys.modules, "numpy")  # as if signnet came first
    monkeypatch.setattr(cpu, "cpu_at_floor", lambda: False)
    monkeypatch.setattr(cpu, "_why_not", cpu._why_not)
    for variable in (cpu.CORETYPE, DISABLE):
        monkeypatch.delenv(variable, raising=False)
    cpu.pin()
    assert cpu.CORETYPE not in os.environ and DISABLE not in os.environ
    failure = pin_failure(Numerics("openblas 0.3.31 Sandybridge", "X86_V2"))
    assert "lacks some of x86-64-v3's instructions (abm, avx, avx2," in failure
    assert "NumPy's loops are X86_V2, not X86_V3" in failure
    monkeypatch.setattr(cpu.platform, "machine", lambda: "aarch64")
    cpu.pin()
    assert "aarch64 CPU, not x86-64" in pin_failure(Numerics("openblas 0.3.31 neoversen1", "ASIMD"))


# Trains a small network in float64 and float32 (sigmoid: exp; tanh; softmax cross-entropy: exp
# and log; binary cross-entropy: log1p) and prints the digest of its weights and history.
TRAIN = """
import hashlib, json, os
{imports}
import numpy as np
from signnet.cpu import Numerics, pin_failure
from signnet.nn.architecture import ModelConfig
from signnet.nn.losses import encode_targets
from signnet.nn.model import Network
from signnet.nn.optimizers import Adam
from signnet.nn.training import Samples, fit

digest = hashlib.sha256()
rng = np.random.default_rng(0)
for dtype, activation, classes in (("float64", "sigmoid", 2), ("float32", "tanh", 3)):
    labels = np.arange(120) % classes
    x = rng.normal(size=(classes, 36))[labels] * 2 + rng.normal(size=(120, 36))
    config = ModelConfig(n_features=36, n_classes=classes, conv=(), kernel_size=3, hidden=(24,),
                         dropout=0.0, batch_norm=False, activation=activation, init="xavier",
                         init_scale=0.01, dtype=dtype)
    network = Network.initialise(config, 1, np)
    data = Samples(x.astype(dtype), encode_targets(labels, classes).astype(dtype), labels)
    history = fit(network, Adam(lr=0.01, beta1=0.9, beta2=0.999, weight_decay=0.0), data, data,
                  4, 16, seed=2)
    for state in network.parameters():
        for value in state.values():
            digest.update(np.ascontiguousarray(value).tobytes())
    digest.update(json.dumps(history).encode())
print(json.dumps({{"digest": digest.hexdigest(), "dispatch": Numerics.here().dispatch,
                  "failure": pin_failure()}}))
"""


def train(pinned: bool, disabled: list[str]) -> dict:
    """The digest of a small training run in a fresh process whose NumPy may use only the
    dispatch targets not in ``disabled`` (as on a CPU that lacks them), with signnet's pins or
    with NumPy's own loops (NumPy imported first, OpenBLAS's kernel still the contract's)."""
    imports = "import signnet" if pinned else "import numpy\nimport signnet"
    settings = {DISABLE: " ".join(disabled)} if disabled else {}
    if not pinned:
        settings[cpu.CORETYPE] = KERNEL
    return run_python(TRAIN.format(imports=imports), clean_environment(**settings))


@at_floor
def test_a_network_trains_to_the_same_bytes_at_every_dispatch_level_this_machine_has():
    targets = machine_targets()
    assert FLOOR in targets
    # Each level: this CPU, then as if it lacked its widest targets one by one, down to the floor
    # (an AVX-512 CPU simulates an AVX2 one).
    levels = {top: targets[targets.index(top) + 1 :] for top in targets[targets.index(FLOOR) :]}
    runs = {top: train(True, disabled) for top, disabled in levels.items()}
    reference = runs[FLOOR]
    for top, run in runs.items():
        assert run["dispatch"] == FLOOR and run["failure"] is None, (top, run)
        assert run["digest"] == reference["digest"], (
            f"with NumPy's targets up to {top} the pinned training computed other bytes than "
            f"with those up to {FLOOR}: the pin does not hold NumPy's loops at {FLOOR}"
        )
    # Below the floor (no X86_V3 loops): named, as on a CPU without AVX2.
    below = train(True, [FLOOR, *ABOVE_FLOOR])
    assert below["dispatch"] != FLOOR and f"not {FLOOR} (x86-64-v3)" in below["failure"]
    # The negative control: this CPU's own widest loops, unpinned, compute other bytes.
    if targets[-1] != FLOOR:
        native = train(False, [])
        assert native["dispatch"] == targets[-1]
        assert native["digest"] != reference["digest"], (
            f"NumPy's {targets[-1]} loops trained to the pinned bytes: this test cannot fail"
        )
