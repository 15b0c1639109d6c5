import hashlib
import zipfile

import pytest

from signnet.data import archive
from signnet.data.archive import ArchiveError, fingerprint, read_folder, read_verified, read_zip
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
    with pytest.raises(ArchiveError, match="nothing.zip: file does not exist"):
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
    with pytest.raises(ArchiveError, match="content fingerprint .* does not match"):
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
