"""What pinning NumPy's SIMD dispatch at x86-64-v3 costs, against NumPy's own widest loops.

Usage: python benchmarks/dispatch.py [--repeats 3] [--only CASE] [--output FILE]

signnet holds NumPy's loops at X86_V3 (AVX2) on every CPU, so that an AVX-512 CPU computes the
committed bytes (signnet.cpu). On an AVX-512 CPU this measures what that costs, each case in a
fresh process under the pin and with ``SIGNNET_NUMPY_DISPATCH=native`` (NumPy's widest loops,
e.g. AVX512_ICL; OpenBLAS's kernel stays pinned in both), the two alternating round by round:

* ``default pipeline``: ``dvc repro --force`` of the default params in a fresh clone of the
  last commit (every stage, cross-validation and report included, as a user runs it);
* ``ten digits CNN, 1 epoch``: the train stage's training of the documented ten-digit CNN
  (benchmarks/threads.py's case, signnet's blocks on every core);
* ``canary check``: what each stage adds at start (``signnet.canary.check``, median of 20);
* ``np.maximum`` and ``np.multiply`` of a (6576, 2304) float32 array (a ReLU's and a product's
  pass over the CNN's first activations, 411 photos x 16 channels x 48 x 48), median of 20:
  arithmetic whose bits are the same at every level, so what the pin costs and nothing gains.

On a CPU without AVX-512 both settings run the same loops, and the ratios say only how noisy
the machine is. Results (seconds: median, min, max, and native / pinned) go to
benchmarks/results/dispatch.json; a Markdown table is printed.
"""

from __future__ import annotations

import signnet.cpu  # noqa: F401  (first: pins OpenBLAS and NumPy's dispatch before NumPy loads)
from signnet.cpu import DISABLE, DISPATCH_OVERRIDE

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import results
from references import REPO
from threads import CASES as TRAINING_CASES

# The cases timed in a process of their own, by the functions below (median of 20 calls).
IN_PROCESS = ("canary check", "np.maximum, 6576 x 2304 float32", "np.multiply, 6576 x 2304 float32")
CASES = ("default pipeline (dvc repro --force)", TRAINING_CASES[1], *IN_PROCESS)
SETTINGS = ("pinned", "native")


def settings_environment(setting: str) -> dict:
    """The environment of a measured process: signnet's pin, or NumPy's own dispatch."""
    env = {k: v for k, v in os.environ.items() if k not in (DISABLE, DISPATCH_OVERRIDE)}
    return env | ({DISPATCH_OVERRIDE: "native"} if setting == "native" else {})


def clone(folder: Path) -> Path:
    """A clone of the last commit with ``shared`` beside it."""
    repo = folder / "repo"
    subprocess.run(["git", "clone", "-q", str(REPO), str(repo)], check=True)
    (folder / "shared").symlink_to(REPO.parent / "shared", target_is_directory=True)
    return repo


def seconds(case: str, setting: str, repo: Path | None) -> float:
    """One measurement of ``case`` in a fresh process (or processes) under ``setting``."""
    env = settings_environment(setting)
    if case == CASES[0]:
        env |= {"PYTHONPATH": str(repo / "src")}
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "dvc", "repro", "--force", "--quiet"],
            cwd=repo,
            env=env,
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - start
    if case == CASES[1]:
        threads = Path(__file__).with_name("threads.py")
        command = [sys.executable, str(threads), "--worker", case, "signnet", str(os.cpu_count())]
    else:
        command = [sys.executable, __file__, "--in-process", case]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return float(done.stdout.split()[-1])


def in_process_seconds(case: str) -> float:
    """The median of 20 timed calls of ``case`` (one of :data:`IN_PROCESS`) in this process,
    after one untimed call."""
    import numpy as np

    from signnet.canary import check

    x = np.random.default_rng(0).normal(size=(6576, 2304)).astype(np.float32)
    y, out = x[::-1].copy(), np.empty_like(x)
    call = {
        IN_PROCESS[0]: check,
        IN_PROCESS[1]: lambda: np.maximum(x, 0.0, out=out),
        IN_PROCESS[2]: lambda: np.multiply(x, y, out=out),
    }[case]
    call()
    times = []
    for _ in range(20):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=CASES)
    parser.add_argument(
        "--output", type=Path, default=REPO / "benchmarks" / "results" / "dispatch.json"
    )
    parser.add_argument("--in-process", choices=IN_PROCESS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process:
        print(in_process_seconds(args.in_process))
        return
    cases = [args.only] if args.only else list(CASES)
    times = {(case, setting): [] for case in cases for setting in SETTINGS}
    dispatch = {}
    with tempfile.TemporaryDirectory() as folder:
        repo = clone(Path(folder)) if CASES[0] in cases else None
        if repo is not None:  # the photos decoded once, unmeasured
            seconds(CASES[0], "pinned", repo)
        for setting in SETTINGS:
            probe = "import signnet.cpu as c; print(c.numpy_dispatch())"
            dispatch[setting] = subprocess.run(
                [sys.executable, "-c", probe],
                env=settings_environment(setting),
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
        for _ in range(args.repeats):
            for case in cases:
                for setting in SETTINGS:
                    times[case, setting].append(seconds(case, setting, repo))
                    print(case, setting, f"{times[case, setting][-1]:.3f}", file=sys.stderr)
    rows = [
        {
            "case": case,
            "setting": setting,
            "loops": dispatch[setting],
            "median": statistics.median(values),
            "min": min(values),
            "max": max(values),
            "native / pinned": statistics.median(values) / statistics.median(times[case, "pinned"]),
        }
        for (case, setting), values in times.items()
    ]
    print(markdown(results.save(args.output, rows)))


def markdown(record: dict) -> str:
    """The reproducibility page's table: a row per case and setting."""
    columns = {"case": "---", "NumPy's loops": "---"}
    columns |= {"seconds median (min-max)": "---:", "time against the pin": "---:"}

    def cells(r: dict) -> list[str]:
        digits = 2 if r["median"] >= 0.1 else 4
        seconds = f"{r['median']:.{digits}f} ({r['min']:.{digits}f}-{r['max']:.{digits}f})"
        return [
            r["case"],
            f"{r['loops']} ({r['setting']})",
            seconds,
            f"{r['native / pinned']:.2f}x",
        ]

    return results.table(record, columns, cells)


if __name__ == "__main__":
    main()
