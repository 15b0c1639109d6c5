"""How the default pipeline's cost grows with the data: each stage's time, peak memory and
output sizes on 2,000, 20,000 and 70,000 images of 28 x 28.

Usage: python benchmarks/scaling.py [--sizes 2000 20000 70000] [--output FILE]

For each size N, a course-format file (see signnet.data.course) of N images is packed from the
photos, resized to 28 x 28 as the download stage resizes them: the photos in a seeded random
order, over and over (image i is photo order[i % 2,062]), each shifted by up to 2 pixels each
way and given pixel noise (uniform, up to 8 grey levels), so that no two images are alike, with
that photo's digit as its label. The default pipeline then
runs on it in a fresh copy of the repository (params.yaml as it is, but for
``download.source: course-file``): every stage of dvc.yaml, in its order, by its own command,
in a process of its own. Per stage: wall time, peak memory (the largest resident set of the
stage's processes, cross-validation's workers included: Linux's wait4) and the size of each
output. Results go to benchmarks/results/scaling.json; Markdown tables are printed.
"""

from __future__ import annotations

import signnet.cpu  # noqa: F401  (first: pins OpenBLAS and NumPy's dispatch before NumPy loads)

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from references import REPO
from ruamel.yaml import YAML
from speed import machine

from signnet.nn.backend import BLAS_THREADS
from signnet.params import load_params
from signnet.pipeline.download import load_photos

SIDE = 28
SHIFT = 2  # pixels, each way
NOISE = 8  # grey levels, each way


def pack_course_file(path: Path, n: int, photos: dict, seed: int = 0) -> None:
    """N images (see the module) as a course-format .npz at ``path``."""
    rng = np.random.default_rng(seed)
    source = photos["images"]  # (2062, 28, 28) uint8, in digit order
    which = rng.permutation(len(source))[np.arange(n) % len(source)]  # every digit, any n
    images = source[which].astype(np.int16)
    shifts = rng.integers(-SHIFT, SHIFT + 1, size=(n, 2))
    for dy in range(-SHIFT, SHIFT + 1):
        for dx in range(-SHIFT, SHIFT + 1):
            rows = np.flatnonzero((shifts[:, 0] == dy) & (shifts[:, 1] == dx))
            images[rows] = np.roll(images[rows], (dy, dx), axis=(1, 2))
    images += rng.integers(-NOISE, NOISE + 1, size=images.shape, dtype=np.int16)
    dataset = np.clip(images, 0, 255).astype(np.uint8).reshape(n, SIDE * SIDE)
    np.savez(path, dataset=dataset, labels=photos["digits"][which])


def copy_repository(destination: Path) -> None:
    """The repository's files (tracked, and untracked but not ignored) at ``destination``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (item.decode() for item in listed)):
        source = REPO / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def set_course_file(repo: Path, course_file: Path) -> None:
    """The copy's params.yaml read with the safe loader (plain data only), with the course file
    as the download source."""
    yaml = YAML(typ="safe")
    params = yaml.load(repo / "params.yaml")
    params["download"]["source"] = "course-file"
    params["download"]["course_file"] = str(course_file)
    yaml.dump(params, repo / "params.yaml")


def stage_outputs(stage: dict) -> list[str]:
    """Every output path of a dvc.yaml stage: outs, metrics and plots."""
    paths = []
    for kind in ("outs", "metrics", "plots"):
        for entry in stage.get(kind, []):
            paths.append(entry if isinstance(entry, str) else next(iter(entry)))
    return paths


def size_of(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


# Runs a stage's command line and prints its exit code and the largest resident set of its
# processes (wait4's ru_maxrss, KiB on Linux). A process forked from this benchmark would carry
# this benchmark's own resident set as its starting high-water mark (Linux keeps it across
# exec), so the stage starts from this small launcher instead.
LAUNCHER = """
import os, subprocess, sys
stage = subprocess.Popen(sys.argv[1], shell=True, stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(stage.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def run_stage(repo: Path, command: str, env: dict) -> tuple[float, float]:
    """(wall seconds, peak resident MB of the stage's processes) of one stage command."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", LAUNCHER, command], cwd=repo, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    code, peak_kib = (int(v) for v in result.stdout.split())
    if code != 0:
        raise RuntimeError(f"{command!r} failed:\n{result.stderr[-2000:]}")
    return seconds, peak_kib / 1024


def measure(n: int, photos: dict, scratch: Path) -> dict:
    course_file = scratch / f"course-{n}.npz"
    pack_course_file(course_file, n, photos)
    repo = scratch / f"repo-{n}"
    copy_repository(repo)
    set_course_file(repo, course_file)
    env = {**os.environ, "PYTHONPATH": str(repo / "src"), "SIGNNET_DATA": str(scratch / "cache")}
    stages = YAML(typ="safe").load(repo / "dvc.yaml")["stages"]
    record = {"images": n, "course_file_bytes": course_file.stat().st_size, "stages": {}}
    for name, stage in stages.items():
        seconds, peak = run_stage(repo, " ".join(stage["cmd"].split()), env)
        outputs = {path: size_of(repo / path) for path in stage_outputs(stage)}
        record["stages"][name] = {"seconds": seconds, "peak_mb": peak, "outputs": outputs}
        print(f"{n} images: {name} {seconds:.1f} s, {peak:.0f} MB", file=sys.stderr, flush=True)
    shutil.rmtree(repo)
    course_file.unlink()
    return record


def _size(n: int) -> str:
    return f"{n / 1e6:,.2f} MB" if n >= 1e6 else f"{n / 1e3:,.1f} kB"


def markdown(record: dict) -> str:
    runs = record["runs"]
    sizes = [f"{r['images']:,}" for r in runs]
    lines = [
        f"Machine: {record['machine']}",
        "",
        "| stage | " + " | ".join(f"{s} images: s, peak MB" for s in sizes) + " |",
        "|---|" + "---:|" * len(runs),
    ]
    for stage in runs[0]["stages"]:
        cells = [
            f"{r['stages'][stage]['seconds']:.1f} s, {r['stages'][stage]['peak_mb']:,.0f} MB"
            for r in runs
        ]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    total = [sum(s["seconds"] for s in r["stages"].values()) for r in runs]
    lines.append("| all stages | " + " | ".join(f"{t:.1f} s" for t in total) + " |")
    lines += [
        "",
        "| output | " + " | ".join(f"{s} images" for s in sizes) + " | bytes per image |",
        "|---|" + "---:|" * (len(runs) + 1),
    ]
    for stage in runs[0]["stages"]:
        for path in runs[0]["stages"][stage]["outputs"]:
            values = [r["stages"][stage]["outputs"][path] for r in runs]
            per_image = " / ".join(
                f"{v / r['images']:,.1f}" for v, r in zip(values, runs, strict=True)
            )
            cells = " | ".join(_size(v) for v in values)
            lines.append(f"| {path} | {cells} | {per_image} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000, 70000])
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks/results/scaling.json")
    args = parser.parse_args()
    download = load_params(REPO / "params.yaml").download.model_copy(update={"image_size": SIDE})
    photos = load_photos(download, root=REPO)[0]
    with tempfile.TemporaryDirectory() as scratch:
        runs = [measure(n, photos, Path(scratch)) for n in args.sizes]
    cpu = machine(BLAS_THREADS)["cpu"]
    record = {"machine": f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"}
    record["runs"] = runs
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(record, indent=2) + "\n")
    print(markdown(record))


if __name__ == "__main__":
    main()
