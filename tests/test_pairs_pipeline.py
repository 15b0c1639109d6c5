"""The all-pairs pipeline's stage scripts, run as DVC runs them, on photos made here."""

import json
import subprocess
import sys

import numpy as np
import pytest
from dvc.utils.serialize import modify_yaml

from signnet.artifacts import save_npz
from tests.conftest import REPO


@pytest.fixture
def images(tmp_path):
    """Six 8 x 8 photos of each of the digits 1, 4 and 7, each digit bright in its own rows."""
    rng = np.random.default_rng(0)
    digits = np.repeat([1, 4, 7], 6)
    photos = rng.integers(0, 60, (len(digits), 8, 8))
    for i, d in enumerate(digits):
        photos[i, d % 8 : d % 8 + 2, :] += 180
    path = tmp_path / "images.npz"
    save_npz(
        path,
        {
            "images": photos.astype(np.uint8),
            "digits": digits.astype(np.int64),
            "files": np.array([f"p{i}.jpg" for i in range(len(digits))]),
        },
    )
    return path


def params_file(tmp_path, folds):
    path = tmp_path / "params.yaml"
    path.write_text((REPO / "params.yaml").read_text())
    with modify_yaml(path) as raw:
        raw["model"]["hidden"] = [4]
        raw["train"]["epochs"] = 3
        raw["cv"]["folds"] = folds
        raw["cv"]["workers"] = 1
    return path


def stage(*args):
    return subprocess.run(
        [sys.executable, *map(str, args)], cwd=REPO, capture_output=True, text=True
    )


def test_every_pair_is_cross_validated_and_mapped(tmp_path, images):
    pairs, png, hardest = tmp_path / "pairs.json", tmp_path / "map.png", tmp_path / "hardest.json"
    params = params_file(tmp_path, folds=3)
    done = stage("stages/pairs.py", images, pairs, "--params", params)
    assert done.returncode == 0, done.stderr
    results = json.loads(pairs.read_text())
    assert list(results) == ["1 vs 4", "1 vs 7", "4 vs 7"]
    assert all(len(r["folds"]) == 3 and "accuracy_mean" in r["summary"] for r in results.values())
    done = stage("stages/pairs_map.py", pairs, png, hardest)
    assert done.returncode == 0, done.stderr
    assert png.read_bytes().startswith(b"\x89PNG")
    ranked = json.loads(hardest.read_text())
    assert len(ranked) == 3  # fewer pairs than the five the map names
    means = [row["accuracy_mean"] for row in ranked]
    assert means == sorted(means)


def test_the_map_needs_cross_validation_on(tmp_path, images):
    done = stage(
        "stages/pairs.py", images, tmp_path / "pairs.json", "--params", params_file(tmp_path, 1)
    )
    assert done.returncode == 1
    assert "params: cv.folds = 1 is off: the map needs 2 folds or more" in done.stderr
    assert not (tmp_path / "pairs.json").exists()
