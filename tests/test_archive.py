import dataclasses
import hashlib
import logging
import os
import zipfile

import pytest

from signnet.data import archive
from signnet.data.archive import (
    SIGN_LANGUAGE_DIGITS,
    ArchiveError,
    DatasetSpec,
    file_hashes,
    fingerprint,
    manifest_text,
    published_manifest,
    read_folder,
    read_verified,
    read_zip,
)
from tests.conftest import MIRROR, TOP, spec_for, write_zip


def test_fingerprint_is_the_sha256_of_the_sorted_manifest():
    files = {"Dataset/b/x.JPG": b"2", "Dataset/B/x.JPG": b"1"}
    manifest = "".join(
        f"{hashlib.sha256(files[p]).hexdigest()}  {p}\n"
        for p in ["Dataset/B/x.JPG", "Dataset/b/x.JPG"]
    )
    assert fingerprint(files) == hashlib.sha256(manifest.encode()).hexdigest()


def test_zip_and_unpacked_copies_read_the_same(tmp_path, files, tiny_zip):
    assert read_zip(tiny_zip) == files
    with zipfile.ZipFile(tiny_zip) as packed:
        packed.extractall(tmp_path / "unpacked")
    assert read_folder(tmp_path / "unpacked") == files  # Dataset/ one level down
    assert read_folder(tmp_path / "unpacked" / TOP) == files  # Dataset/ directly


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[: len(data) // 2], "not a zip archive, or truncated"),
        (lambda data: b"this is no zip", "not a zip archive, or truncated"),
    ],
)
def test_damaged_zip_is_rejected(tmp_path, tiny_zip, damage, message):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(damage(tiny_zip.read_bytes()))
    with pytest.raises(ArchiveError, match=message):
        read_zip(bad)


def test_corrupt_member_is_rejected(tmp_path, files):
    path = write_zip(tmp_path / "a.zip", files)
    data = bytearray(path.read_bytes())
    first = next(iter(files.values()))
    at = bytes(data).find(first[-60:-20])  # entropy-coded, unique to this photo
    data[at : at + 40] = bytes(40)  # damage stored image bytes: the CRC check must notice
    path.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match="damaged or truncated"):
        read_zip(path)


def test_missing_source_is_named(tmp_path):
    with pytest.raises(ArchiveError, match="nothing.zip: no such file; expected the dataset's zip"):
        read_zip(tmp_path / "nothing.zip")


@pytest.mark.parametrize("name", ["../evil.JPG", f"{TOP}/../../evil.JPG", "/etc/evil", "C:\\x.JPG"])
def test_members_escaping_the_folder_are_rejected(tmp_path, files, name):
    path = write_zip(tmp_path / "a.zip", files)
    with zipfile.ZipFile(path, "a") as packed:
        packed.writestr(name, b"x")
    with pytest.raises(ArchiveError, match="member"):
        read_zip(path)


def test_oversized_archives_are_rejected(tmp_path, files, monkeypatch):
    path = write_zip(tmp_path / "a.zip", files)
    monkeypatch.setattr(archive, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(ArchiveError, match="would unpack to"):
        read_zip(path)


def test_zip_bombs_are_rejected(tmp_path, files):
    path = write_zip(tmp_path / "a.zip", files)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr(f"{TOP}/Dataset/0/bomb.JPG", bytes(10_000_000))
    with pytest.raises(ArchiveError, match="ratio above"):
        read_zip(path)


def test_wrong_fingerprint_and_missing_dataset_folder(tmp_path, files):
    path = write_zip(tmp_path / "a.zip", files)
    other = spec_for({"Dataset/0/x.JPG": b"other"})
    with pytest.raises(ArchiveError, match="not the published photos of commit test: .* content "):
        read_verified(path, other)
    with zipfile.ZipFile(tmp_path / "empty.zip", "w") as packed:
        packed.writestr("top/README.md", "no photos")
    with pytest.raises(ArchiveError, match="holds no Dataset/"):
        read_zip(tmp_path / "empty.zip")


def test_links_out_of_an_unpacked_copy_are_rejected(tmp_path, files):
    root = tmp_path / "copy"
    (root / "Dataset" / "0").mkdir(parents=True)
    (tmp_path / "secret.JPG").write_bytes(b"secret")
    (root / "Dataset" / "0" / "IMG_1.JPG").symlink_to(tmp_path / "secret.JPG")
    with pytest.raises(ArchiveError, match="links outside"):
        read_folder(root)


@pytest.mark.mirror
def test_real_mirror_matches_the_published_fingerprint():
    spec = archive.SIGN_LANGUAGE_DIGITS
    files = read_verified(MIRROR / spec.archive_name, spec)
    assert len(files) == 2062
    manifest = (MIRROR / "MANIFEST.sha256").read_text()
    assert hashlib.sha256(manifest.encode()).hexdigest() == spec.fingerprint


def spec_with_manifest(tmp_path, files) -> DatasetSpec:
    """``spec_for(files)`` with its manifest written beside it, as the package ships one."""
    manifest = tmp_path / "manifest.sha256"
    manifest.write_text(manifest_text(file_hashes(files)))
    return dataclasses.replace(spec_for(files), manifest=manifest)


def test_a_copy_that_differs_names_the_missing_extra_and_changed_files(tmp_path, files):
    spec = spec_with_manifest(tmp_path, files)
    names = sorted(files)
    damaged = {name: data for name, data in files.items() if name != names[0]}  # one missing
    damaged[names[1]] = b"changed"
    damaged["Dataset/0/IMG_new.JPG"] = b"extra"
    path = write_zip(tmp_path / "copy.zip", damaged)
    with pytest.raises(ArchiveError) as caught:
        read_verified(path, spec)
    message = str(caught.value)
    assert f"1 missing ({names[0]}); 1 extra (Dataset/0/IMG_new.JPG); 1 changed ({names[1]})" in (
        message
    )
    assert "Delete this copy (or take it out of download.mirrors)" in message


def test_files_that_operating_systems_add_are_ignored_with_a_note(tmp_path, files, caplog):
    spec = spec_with_manifest(tmp_path, files)
    path = write_zip(tmp_path / "mac.zip", files)
    with zipfile.ZipFile(path, "a") as packed:
        packed.writestr(f"{TOP}/Dataset/.DS_Store", b"finder")
        packed.writestr(f"{TOP}/Dataset/0/._IMG_0.JPG", b"apple double")
        packed.writestr(f"__MACOSX/{TOP}/Dataset/0/._IMG_0.JPG", b"resource fork")
        packed.writestr(f"{TOP}/Dataset/1/Thumbs.db", b"windows")
    with caplog.at_level(logging.INFO, logger="signnet"):
        assert read_verified(path, spec) == files
    assert "ignored 4 file(s) that operating systems add" in caplog.text
    folder = tmp_path / "unpacked"
    for name, data in {**files, "Dataset/.DS_Store": b"finder"}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    assert read_verified(folder, spec) == files


def test_the_packaged_manifest_is_the_published_one():
    manifest = SIGN_LANGUAGE_DIGITS.manifest
    digest = hashlib.sha256(manifest.read_bytes()).hexdigest()
    assert digest == SIGN_LANGUAGE_DIGITS.fingerprint
    assert len(published_manifest(SIGN_LANGUAGE_DIGITS)) == 2062


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_an_archive_that_is_a_device_or_a_fifo_is_refused_at_once(tmp_path, files):
    zero, fifo = tmp_path / "zero.zip", tmp_path / "fifo.zip"
    zero.symlink_to("/dev/zero")
    os.mkfifo(fifo)
    with pytest.raises(ArchiveError, match="zero.zip: is a character device; expected the data"):
        read_zip(zero)
    with pytest.raises(ArchiveError, match="fifo.zip: is a FIFO .named pipe.; expected the data"):
        read_zip(fifo)


def test_a_member_in_another_compression_method_is_refused(tmp_path, files):
    path = write_zip(tmp_path / "a.zip", files)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_BZIP2) as packed:
        packed.writestr(f"{TOP}/Dataset/0/odd.JPG", b"x" * 100)
    with pytest.raises(ArchiveError, match="odd.JPG' is compressed with zip method 12"):
        read_zip(path)


def test_a_photo_of_an_unpacked_copy_over_the_limit_is_an_archive_error(tmp_path, files):
    """An ArchiveError (not a crash): the next mirror, or the download, is tried."""
    root = tmp_path / "copy"
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    with open(root / "Dataset" / "0" / "huge.JPG", "wb") as huge:
        huge.truncate(archive.MAX_PHOTO_BYTES + 1)  # sparse: nothing written
    with pytest.raises(ArchiveError, match="huge.JPG: holds 100.0 MiB; a photo of the dataset"):
        read_folder(root)
