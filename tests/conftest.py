"""Shared fixtures: tiny archives in the dataset's layout, tiny networks, and a temporary copy of
the repository. Tests marked ``mirror`` use the real dataset mirror in ../shared; they are
skipped where it is absent, and ``pytest -m "not mirror"`` leaves them out (the fast loop)."""

from __future__ import annotations

import signnet.cpu  # noqa: F401  (first: the test process computes under signnet's pins)

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from signnet.data.archive import DatasetSpec, fingerprint
from signnet.nn.architecture import ModelConfig
from signnet.nn.layers import LAYERS, Layer
from signnet.nn.model import Network
from signnet.params import Params, read_yaml, validate

REPO = Path(__file__).resolve().parents[1]
MIRROR = REPO.parent / "shared" / "data" / "sign-language-digits"
TOP = "Sign-Language-Digits-Dataset-test"


def jpeg_bytes(seed: int, size: int = 12) -> bytes:
    """A small random RGB JPEG, different for each seed."""
    pixels = np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG")
    return buffer.getvalue()


def tiny_files(digits=(0, 4, 5, 6, 8), per_digit: int = 5) -> dict[str, bytes]:
    """``{Dataset/<d>/IMG_<n>.JPG: jpeg}`` for each digit, as the real archive lays them out."""
    return {
        f"Dataset/{d}/IMG_{100 * d + i}.JPG": jpeg_bytes(100 * d + i)
        for d in digits
        for i in range(per_digit)
    }


def write_zip(path: Path, files: dict[str, bytes], top: str = TOP) -> Path:
    """A zip of ``files`` under the folder ``top`` plus the non-sample extras the archive has."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{top}/README.md", "readme")
        archive.writestr(f"{top}/Examples/example_0.JPG", jpeg_bytes(999))
        for name, data in files.items():
            archive.writestr(f"{top}/{name}", data)
    return path


def spec_for(files: dict[str, bytes], url: str = "http://127.0.0.1:9/none.zip") -> DatasetSpec:
    """A dataset spec whose fingerprint matches ``files`` (port 9 refuses, so no download)."""
    return DatasetSpec(commit="test", url=url, fingerprint=fingerprint(files), commit_date="2021")


@pytest.fixture
def files():
    return tiny_files()


@pytest.fixture
def tiny_zip(tmp_path, files):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    return write_zip(mirror / spec_for(files).archive_name, files)


def pytest_collection_modifyitems(config, items):
    if MIRROR.is_dir():
        return
    skip = pytest.mark.skip(reason=f"no dataset mirror at {MIRROR}")
    for item in items:
        if "mirror" in item.keywords:
            item.add_marker(skip)


def network_config(
    n_features,
    n_classes,
    *,
    conv=(),
    hidden=(),
    dropout=0.0,
    batch_norm=False,
    activation="sigmoid",
    init="xavier",
    dtype="float64",
):
    """A network's configuration with the test suite's usual choices (3 x 3 kernels, an
    init_scale of 0.01) for what a test leaves unsaid."""
    return ModelConfig(
        n_features=n_features,
        n_classes=n_classes,
        conv=tuple(conv),
        kernel_size=3,
        hidden=tuple(hidden),
        dropout=dropout,
        batch_norm=batch_norm,
        activation=activation,
        init=init,
        init_scale=0.01,
        dtype=dtype,
    )


def dense(
    n_features,
    n_classes,
    hidden=(),
    activation="sigmoid",
    init="xavier",
    dtype="float64",
    batch_norm=False,
):
    """A dense network's configuration with the test suite's usual choices."""
    return network_config(
        n_features,
        n_classes,
        hidden=hidden,
        batch_norm=batch_norm,
        activation=activation,
        init=init,
        dtype=dtype,
    )


def layer(kind: str, state: dict | None = None, **settings) -> Layer:
    """A layer of ``kind`` with ``settings`` holding ``state`` (none for stateless kinds)."""
    return LAYERS[kind].load({"kind": kind, **settings}, state or {})


def with_weights(config: ModelConfig, weights: list[tuple]) -> Network:
    """The network ``config`` describes holding ``weights``: (W, b) per layer with weights."""
    return Network.load(config, config.architecture(), [{"W": w, "b": b} for w, b in weights])


def repo_params(**sections: dict) -> Params:
    """params.yaml's values with ``section={key: value}`` overrides, validated."""
    raw = read_yaml(REPO / "params.yaml")
    for section, values in sections.items():
        raw[section].update(values)
    return validate(raw)


def copy_repo(destination: Path, params_update: dict | None = None) -> Path:
    """A git repository at ``destination`` with this repo's files (tracked and not ignored),
    committed, and ``shared`` beside it linked to the real one, as in a fresh clone.

    ``params_update`` maps section -> {key: value} merged into params.yaml (through DVC's own
    YAML round trip, which keeps comments); the copy's dvc.lock is kept.
    """
    from dvc.utils.serialize import modify_yaml

    tracked = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for name in tracked:
        if (REPO / name).is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target)
    shared = destination.parent / "shared"
    if not shared.exists():
        shared.symlink_to(REPO.parent / "shared", target_is_directory=True)
    if params_update:
        with modify_yaml(destination / "params.yaml") as params:
            for section, values in params_update.items():
                params[section].update(values)
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"],
    ):
        subprocess.run(command, cwd=destination, check=True)
    return destination
