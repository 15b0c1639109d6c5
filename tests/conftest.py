"""Shared fixtures: tiny archives in the dataset's layout, and a temporary copy of the repo."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from signnet.data.archive import DatasetSpec, fingerprint

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


def copy_repo(destination: Path, params_update: dict | None = None) -> Path:
    """A git repository at ``destination`` with this repo's tracked files, committed.

    ``params_update`` maps section -> {key: value} merged into params.yaml; the mirror is set to
    the real one by absolute path, since ../shared is not beside a temporary folder.
    """
    import yaml

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
    params = yaml.safe_load((destination / "params.yaml").read_text())
    params["download"]["mirrors"] = [str(MIRROR)]
    for section, values in (params_update or {}).items():
        params[section].update(values)
    (destination / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    (destination / "dvc.lock").unlink(missing_ok=True)
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"],
    ):
        subprocess.run(command, cwd=destination, check=True)
    return destination


needs_mirror = pytest.mark.skipif(not MIRROR.is_dir(), reason=f"no dataset mirror at {MIRROR}")
