import http.server
import threading
from functools import partial

import pytest

from signnet.data.archive import ArchiveError
from signnet.data.fetch import DATA_HOME_ENV, data_home, fetch_dataset
from tests.conftest import spec_for, write_zip


@pytest.fixture
def server(tmp_path):
    """A loopback HTTP server over tmp_path/served; yields its base URL."""
    root = tmp_path / "served"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_data_home_is_overridable(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_HOME_ENV, str(tmp_path / "home"))
    assert data_home() == tmp_path / "home"


def test_mirror_is_used_and_missing_mirrors_are_skipped(tmp_path, files, tiny_zip):
    spec, cache = spec_for(files), tmp_path / "cache"
    found, where = fetch_dataset(spec, [tmp_path / "absent", tiny_zip.parent], cache=cache)
    assert found == files
    assert where == f"mirror {tiny_zip}"
    # Kept where every working copy finds it (DVC's experiment workspaces included).
    assert (cache / spec.archive_name).read_bytes() == tiny_zip.read_bytes()
    assert [p.name for p in cache.iterdir()] == [spec.archive_name]  # no staging left
    tiny_zip.unlink()
    assert fetch_dataset(spec, [tiny_zip.parent], cache=cache) == (
        files,
        f"cache {cache / spec.archive_name}",
    )


def test_skipped_mirrors_are_in_the_tried_list_with_the_reason(tmp_path, files):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    with pytest.raises(ArchiveError) as error:
        fetch_dataset(spec_for(files), [tmp_path / "absent", a_file], cache=tmp_path / "cache")
    assert f"mirror {tmp_path / 'absent'}: does not exist; skipped" in str(error.value)
    assert f"mirror {a_file}: is not a folder; skipped" in str(error.value)
    assert "download http://127.0.0.1:9/none.zip" in str(error.value)


def test_cache_comes_before_mirrors(tmp_path, files, tiny_zip):
    spec = spec_for(files)
    cache = tmp_path / "cache"
    cache.mkdir()
    write_zip(cache / spec.archive_name, files)
    assert fetch_dataset(spec, [tiny_zip.parent], cache=cache)[1].startswith("cache ")


def test_bad_cached_archive_is_deleted_then_mirror_used(tmp_path, files, tiny_zip):
    spec = spec_for(files)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / spec.archive_name).write_bytes(b"truncated")
    found, where = fetch_dataset(spec, [tiny_zip.parent], cache=cache)
    assert found == files and where.startswith("mirror ")
    assert (cache / spec.archive_name).read_bytes() == tiny_zip.read_bytes()  # the good copy


def test_download_is_verified_then_cached(tmp_path, files, server):
    served, base = server
    write_zip(served / "archive.zip", files)
    spec = spec_for(files, url=f"{base}/archive.zip")
    cache = tmp_path / "cache"
    found, where = fetch_dataset(spec, [], cache=cache)
    assert found == files and where == f"download {spec.url}"
    assert [p.name for p in cache.iterdir()] == [spec.archive_name]
    (served / "archive.zip").unlink()  # the second call must not need the network
    assert fetch_dataset(spec, [], cache=cache)[1].startswith("cache ")


def test_bad_download_is_not_kept(tmp_path, files, server):
    served, base = server
    write_zip(served / "archive.zip", {**files, "Dataset/0/extra.JPG": b"tampered"})
    spec = spec_for(files, url=f"{base}/archive.zip")
    cache = tmp_path / "cache"
    with pytest.raises(ArchiveError, match="download: .*content fingerprint"):
        fetch_dataset(spec, [], cache=cache)
    assert list(cache.iterdir()) == []


def test_every_failed_source_is_listed(tmp_path, files):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    spec = spec_for(files)
    write_zip(mirror / spec.archive_name, {"Dataset/0/other.JPG": b"other"})
    with pytest.raises(ArchiveError) as caught:
        fetch_dataset(spec, [mirror], cache=tmp_path / "cache")
    message = str(caught.value)
    assert "mirror: " in message and "not the published photos" in message
    assert f"download {spec.url}" in message


def test_a_killed_downloads_staging_folder_is_removed_by_the_next_download(tmp_path, files):
    cache = tmp_path / "cache"
    stale = cache / ".download-k1ll3d"
    stale.mkdir(parents=True)
    (stale / "Sign-Language-Digits-Dataset-test.zip").write_bytes(b"half a zip")
    with pytest.raises(ArchiveError):  # port 9 refuses: the download itself fails
        fetch_dataset(spec_for(files), [], cache=cache)
    assert not stale.exists() and list(cache.iterdir()) == []


def test_a_cache_link_to_a_device_and_a_mirror_fifo_are_named_never_read(tmp_path, files, tiny_zip):
    import os

    spec, cache = spec_for(files), tmp_path / "cache"
    cache.mkdir()
    (cache / spec.archive_name).symlink_to("/dev/zero")
    fifo_mirror = tmp_path / "fifo-mirror"
    fifo_mirror.mkdir()
    os.mkfifo(fifo_mirror / spec.archive_name)
    with pytest.raises(ArchiveError) as raised:
        fetch_dataset(spec, [fifo_mirror], cache=cache)
    tried = str(raised.value)
    assert "cache: " in tried and "is a character device" in tried
    assert f"mirror: {fifo_mirror / spec.archive_name}: is a FIFO" in tried
    # the bad cache entry is gone, and a good mirror after the FIFO gives the photos
    assert not (cache / spec.archive_name).is_symlink()
    found, where = fetch_dataset(spec, [fifo_mirror, tiny_zip.parent], cache=cache)
    assert found == files and where == f"mirror {tiny_zip}"
