"""Which of NumPy's elementwise functions are the C library's, under signnet's pin and without it.

Usage: python benchmarks/libm.py [--output FILE]

For each function the kept results call (the canary's elementwise operations), in float32 and
float64, on the canary's inputs: whether NumPy's result equals, bit for bit, the C library's
function (``exp``/``expf``... called one value at a time through ctypes), with NumPy's loops held
at x86-64-v3 (signnet's pin) and with NumPy's own widest loops (``SIGNNET_NUMPY_DISPATCH=native``);
and whether the C library's build without FMA (glibc picks it on CPUs below x86-64-v3; here
forced with ``GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA``) gives other bits than the one this
machine runs; and whether NumPy's loops below x86-64-v3 (its baseline, as on a CPU without
AVX2) do. A function that equals the C library's under the pin makes the committed bytes
depend on the C library (docs/reproducibility.md). Each setting runs in a fresh process. Linux
with glibc only. Results go to benchmarks/results/libm.json; a Markdown table is printed.
"""

from __future__ import annotations

import signnet.cpu  # noqa: F401  (first: pins OpenBLAS and NumPy's dispatch before NumPy loads)
from signnet.cpu import DISABLE, DISPATCH_OVERRIDE

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from references import REPO

from signnet.canary import libc

# The canary's elementwise operations that are functions of the C library too.
FUNCTIONS = ("exp", "log", "log1p", "tanh", "sin", "cos")
SETTINGS = {
    "pinned": {},
    "native": {DISPATCH_OVERRIDE: "native"},
    "pinned, glibc without FMA": {"GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX2,-FMA"},
    "below the floor": {DISABLE: "X86_V3"},  # NumPy's baseline loops, as on a CPU without AVX2
}


def worker() -> dict:
    """``{"<function> <dtype>": {"numpy": sha256 of NumPy's result, "libm": whether it equals
    the C library's}}`` in this process, and the loops NumPy ran."""
    from signnet.cpu import numpy_dispatch

    import ctypes
    import ctypes.util
    import hashlib

    import numpy as np

    from signnet.canary import ELEMENTWISE

    libm = ctypes.CDLL(ctypes.util.find_library("m"))
    results = {}
    for name in FUNCTIONS:
        inputs, function = ELEMENTWISE[name]
        types = ((np.float32, "f", ctypes.c_float), (np.float64, "", ctypes.c_double))
        for dtype, suffix, c_type in types:
            x = inputs(dtype)
            c_function = getattr(libm, name + suffix)
            c_function.restype, c_function.argtypes = c_type, [c_type]
            theirs = np.array([c_function(float(v)) for v in x], dtype=dtype)
            ours = function(x)
            results[f"{name} {np.dtype(dtype).name}"] = {
                "numpy": hashlib.sha256(ours.tobytes()).hexdigest()[:16],
                "libm": bool(np.array_equal(ours, theirs)),
            }
    return {"loops": numpy_dispatch(), "functions": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = REPO / "benchmarks" / "results" / "libm.json"
    parser.add_argument("--output", type=Path, default=default)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker()))
        return
    runs = {}
    for setting, variables in SETTINGS.items():
        env = {k: v for k, v in os.environ.items() if k not in (DISABLE, DISPATCH_OVERRIDE)}
        done = subprocess.run(
            [sys.executable, __file__, "--worker"],
            env=env | variables,
            check=True,
            capture_output=True,
            text=True,
        )
        runs[setting] = json.loads(done.stdout.splitlines()[-1])
    pinned, native, no_fma, below = runs.values()

    def changes(run: dict, key: str) -> bool:
        return pinned["functions"][key]["numpy"] != run["functions"][key]["numpy"]

    rows = [
        {
            "function": key,
            "pinned loops": pinned["loops"],
            "native loops": native["loops"],
            "libm under the pin": pinned["functions"][key]["libm"],
            "libm with native loops": native["functions"][key]["libm"],
            "pin changes bits": changes(native, key),
            "glibc without FMA changes bits": changes(no_fma, key),
            "below the floor changes bits": changes(below, key),
        }
        for key in pinned["functions"]
    ]
    record = {"libc": libc(), "rows": rows}
    args.output.write_text(json.dumps(record, indent=2) + "\n")
    print(markdown(record))


def markdown(record: dict) -> str:
    """The reproducibility page's table: a row per function and dtype."""
    yes = {True: "yes", False: "no"}
    first = record["rows"][0]
    lines = [
        f"C library: {record['libc']}",
        "",
        f"| function | the C library's under the pin ({first['pinned loops']}) | "
        f"the C library's with {first['native loops']} | the pin changes its bits | "
        "glibc without FMA changes its bits | NumPy's loops below x86-64-v3 change its bits |",
        "|---|---|---|---|---|---|",
    ]
    for r in record["rows"]:
        lines.append(
            f"| {r['function']} | {yes[r['libm under the pin']]} | "
            f"{yes[r['libm with native loops']]} | {yes[r['pin changes bits']]} | "
            f"{yes[r['glibc without FMA changes bits']]} | "
            f"{yes[r['below the floor changes bits']]} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
