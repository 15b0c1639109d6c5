"""The BLAS kernel pin: importing signnet first gives OpenBLAS's contract kernel whatever the
environment asked, processes it starts inherit it, and anything else is named in a warning."""

import json
import os
import subprocess
import sys

import pytest

from signnet import blas

# Runs in a fresh interpreter: what NumPy computes with, what the pin set, the warning.
PROBE = """
import json, os
{imports}
from signnet.blas import blas_kernel, kernel_warning
print(json.dumps({{"kernel": blas_kernel(), "coretype": os.environ.get("OPENBLAS_CORETYPE"),
                  "warning": kernel_warning(){extra}}}))
"""

pinnable = pytest.mark.skipif(
    not (blas._x86_64() and blas._cpu_runs_kernel()), reason="this CPU cannot run the kernel"
)


def probe(env: dict, imports: str = "import signnet\nimport numpy", extra: str = "") -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in (blas.CORETYPE, blas.OVERRIDE)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(imports=imports, extra=extra)],
        env=clean | env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


@pinnable
@pytest.mark.parametrize("asked", [None, "Sandybridge", "Zen"])
def test_importing_signnet_first_pins_the_contract_kernel_whatever_the_environment(asked):
    seen = probe({blas.CORETYPE: asked} if asked else {})
    assert seen["kernel"].startswith("openblas ") and seen["kernel"].endswith(f" {blas.KERNEL}")
    assert seen["coretype"] == blas.KERNEL and seen["warning"] is None


@pinnable
def test_processes_signnet_starts_inherit_the_kernel():
    extra = (
        ', "workers": __import__("joblib").Parallel(n_jobs=2, backend="loky")'
        "(__import__('joblib').delayed(blas_kernel)() for _ in range(2))"
    )
    seen = probe({blas.CORETYPE: "Sandybridge"}, extra=extra)
    assert seen["workers"] == [seen["kernel"]] * 2 and seen["kernel"].endswith(blas.KERNEL)


@pinnable
def test_another_kernel_on_purpose_is_no_warning():
    seen = probe({blas.OVERRIDE: "Sandybridge"})
    assert seen["kernel"].endswith(" Sandybridge") and seen["warning"] is None


@pinnable
def test_numpy_imported_before_signnet_keeps_its_kernel_and_says_so():
    seen = probe({blas.CORETYPE: "Sandybridge"}, imports="import numpy\nimport signnet")
    assert seen["kernel"].endswith(" Sandybridge")
    assert "Sandybridge, not OpenBLAS's Haswell kernel" in seen["warning"]
    assert "NumPy was imported before signnet" in seen["warning"]
    assert "last bits" in seen["warning"]  # what it means for the bytes


def test_another_library_or_kernel_is_a_warning_naming_it():
    assert blas.kernel_warning(f"openblas 0.3.31 {blas.KERNEL}") is None
    for found in ("openblas 0.3.31 SkylakeX", "openblas 0.3.31 neoversen1", "mkl 2024.1 skylake"):
        warning = blas.kernel_warning(found)
        assert warning.startswith(f"NumPy computes with {found}, not OpenBLAS's {blas.KERNEL}")


def test_a_cpu_without_the_kernels_instructions_is_left_to_openblas(monkeypatch):
    monkeypatch.delitem(sys.modules, "numpy")  # as if signnet came first
    monkeypatch.setattr(blas, "_cpu_runs_kernel", lambda: False)
    monkeypatch.setattr(blas, "_asked", None)
    monkeypatch.setattr(blas, "_why_not", blas._why_not)
    monkeypatch.delenv(blas.CORETYPE, raising=False)
    blas.pin()
    assert blas.CORETYPE not in os.environ
    assert "lacks avx2 and fma" in blas.kernel_warning("openblas 0.3.31 Sandybridge")
    monkeypatch.setattr(blas.platform, "machine", lambda: "aarch64")
    blas.pin()
    assert "aarch64 CPU, not x86-64" in blas.kernel_warning("openblas 0.3.31 neoversen1")
