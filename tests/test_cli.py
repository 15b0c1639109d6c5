import csv
import importlib.metadata
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from signnet.cli import figure_names, main
from signnet.data.photo_range import PhotoRange
from signnet.data.preprocessing import Preprocessing
from signnet.errors import INTERRUPTED
from signnet.modelfile import TrainedModel, save_model
from signnet.params import Params
from tests.conftest import REPO, dense, with_weights


def test_predict_prints_digit_and_probability_per_photo(tmp_path, capsys):
    # A logistic regression on 8x8 photos that calls bright photos an 8 and dark ones a 6.
    weights = np.full((64, 1), 1.0)
    network = with_weights(dense(64, 2), [(weights, np.array([0.0]))])
    preprocessing = Preprocessing("standardize", 8, np.full(64, 127.5), np.full(64, 255.0))
    model = TrainedModel(
        network, np.array([6, 8]), preprocessing, PhotoRange((0.0, 255.0), (0.0, 255.0)), {}
    )
    save_model(tmp_path / "model.npz", model)
    bright, dark = tmp_path / "bright.jpg", tmp_path / "dark.png"
    Image.new("RGB", (300, 200), (250, 250, 250)).save(bright)  # colour, not square
    Image.new("L", (8, 8), 5).save(dark)
    assert main(["predict", str(tmp_path / "model.npz"), str(bright), str(dark)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [[str(bright), "8"], [str(dark), "6"]]
    probabilities = [float(line.split("\t")[2]) for line in lines]
    expected = 1 / (1 + np.exp(-64 * (250 - 127.5) / 255))
    assert probabilities[0] == float(f"{expected:.4f}") and probabilities[1] > 0.99


def test_predict_names_a_bad_file(tmp_path, capsys):
    (tmp_path / "model.npz").write_bytes(b"nope")
    assert main(["predict", str(tmp_path / "model.npz"), "photo.jpg"]) == 1
    assert "model.npz: not a signnet model file" in capsys.readouterr().err


def test_a_bad_thread_count_is_named_before_any_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SIGNNET_THREADS", "two")
    (tmp_path / "model.npz").write_bytes(b"nope")  # not even read
    assert main(["predict", str(tmp_path / "model.npz"), "photo.jpg"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("signnet: error: SIGNNET_THREADS='two' is not a positive integer")
    assert "model.npz" not in err


@pytest.mark.parametrize("name", ["README.md", "data.npz"])
def test_a_file_that_is_not_a_model_says_so(tmp_path, capsys, name):
    path = tmp_path / name
    if name.endswith(".npz"):
        np.savez(path, x=np.zeros(3))  # an .npz, but not a model's
    else:
        path.write_text((REPO / "README.md").read_text())
    assert main(["predict", str(path), "photo.jpg"]) == 1
    err = capsys.readouterr().err
    said = {"README.md": "not a", "data.npz": "'x' is not an array of a"}[name]
    assert f"{path}: {said} signnet model file (one the train stage writes" in err
    assert "pickle" not in err


def pair_model(tmp_path) -> Path:
    """A logistic regression on 8x8 photos that calls bright photos an 8 and dark ones a 6."""
    weights = np.full((64, 1), 1.0)
    network = with_weights(dense(64, 2), [(weights, np.array([0.0]))])
    preprocessing = Preprocessing("standardize", 8, np.full(64, 127.5), np.full(64, 255.0))
    save_model(
        tmp_path / "model.npz",
        TrainedModel(
            network, np.array([6, 8]), preprocessing, PhotoRange((0.0, 255.0), (0.0, 255.0)), {}
        ),
    )
    return tmp_path / "model.npz"


def test_a_mixed_batch_prints_every_good_result_and_names_every_bad_file(tmp_path, capsys):
    model = pair_model(tmp_path)
    good, wide = tmp_path / "good.jpg", tmp_path / "wide16.png"
    Image.new("RGB", (64, 64), (240, 240, 240)).save(good)
    Image.fromarray(np.full((8, 8), 20 * 257, np.uint16)).save(wide)  # 16-bit: dark, a 6
    text, missing = tmp_path / "notes.jpg", tmp_path / "missing.jpg"
    text.write_text("not a photo")
    photos = [good, missing, text, wide]
    assert main(["predict", str(model), *map(str, photos)]) == 1
    captured = capsys.readouterr()
    assert [line.split("\t")[:2] for line in captured.out.splitlines()] == [
        [str(good), "8"],
        [str(wide), "6"],
    ]
    assert "knows the digits 6 and 8; a photo of another digit still gets one of them" in (
        captured.err
    )
    assert f"{missing}: no such file; expected a photo" in captured.err
    assert f"{text}: not an image file that Pillow can read" in captured.err
    assert "2 of 4 photos could not be read" in captured.err


def test_predict_writes_json_lines_and_csv(tmp_path, capsys):
    model = pair_model(tmp_path)
    photo = tmp_path / "p.png"
    Image.new("L", (8, 8), 250).save(photo)
    assert main(["predict", str(model), str(photo), "--format", "jsonl"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["file"] == str(photo) and record["digit"] == 8
    assert set(record["probabilities"]) == {"6", "8"}
    assert record["probability"] == record["probabilities"]["8"]
    assert main(["predict", str(model), str(photo), "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["file", "digit", "probability", "p_6", "p_8"]
    assert rows[1][:2] == [str(photo), "8"] and len(rows) == 2


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"signnet {importlib.metadata.version('signnet')}\n"


def test_params_lists_every_key_of_the_repository_file(capsys):
    assert main(["params", str(REPO / "params.yaml")]) == 0
    out = capsys.readouterr().out
    assert "| `train.lr` | `0.1` | a positive number | learning rate |" in out
    keys = sum(len(section.annotation.model_fields) for section in Params.model_fields.values())
    assert len(out.splitlines()) == 2 + keys  # header, rule, one row per key


def test_params_reports_every_problem(tmp_path, capsys):
    path = tmp_path / "params.yaml"
    path.write_text((REPO / "params.yaml").read_text().replace("lr: 0.1", "lr: -1e-5\n  lrr: 1"))
    assert main(["params", str(path)]) == 1
    err = capsys.readouterr().err
    assert "train.lr = -1e-05 is not allowed: a positive number" in err
    assert "train.lrr = 1 is not allowed: unknown key (did you mean lr?)" in err


@pytest.mark.parametrize("command", ["predict", "explain"])
def test_a_batch_with_a_device_a_fifo_and_a_folder_names_them_and_goes_on(tmp_path, command):
    """Run as a user would (a process, with a deadline): a link to /dev/zero is not read without
    limit and a FIFO does not block; the good photo is still classified (and, explained, drawn)."""
    model = pair_model(tmp_path)
    good, zero, fifo = tmp_path / "good.jpg", tmp_path / "photo.jpg", tmp_path / "fifo.jpg"
    Image.new("RGB", (64, 64), (240, 240, 240)).save(good)
    zero.symlink_to("/dev/zero")
    os.mkfifo(fifo)
    dangling = tmp_path / "gone.jpg"
    dangling.symlink_to(tmp_path / "nowhere.jpg")
    photos = [good, zero, fifo, tmp_path, dangling]
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "signnet.cli", command, str(model), *map(str, photos)]
        + (["-o", str(tmp_path / "out")] if command == "explain" else []),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 30
    assert run.returncode == 1
    assert run.stdout.split("\t")[:2] == [str(good), "8"]
    if command == "explain":
        assert run.stdout.split("\t")[3].strip() == str(tmp_path / "out" / "good.png")
        assert [p.name for p in (tmp_path / "out").iterdir()] == ["good.png"]
    for path, what in [
        (zero, "is a character device"),
        (fifo, "is a FIFO (named pipe)"),
        (tmp_path, "is a directory"),
        (dangling, "a link to a missing file"),
    ]:
        assert f"{path}: {what}; expected a photo" in run.stderr
    assert "4 of 5 photos could not be read" in run.stderr


def test_a_folder_given_as_the_model_is_called_a_folder(tmp_path, capsys):
    assert main(["predict", str(tmp_path), "photo.jpg"]) == 1
    assert f"{tmp_path}: is a directory; expected a signnet model file" in capsys.readouterr().err


def _altered(model: Path, change) -> Path:
    from signnet.artifacts import load_npz, save_npz

    arrays = load_npz(model)
    change(arrays)
    save_npz(model, arrays)
    return model


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda a: a["layer0.W"].__setitem__((3, 0), np.nan),
            "refused: layer0.W holds 1 NaN or infinite value(s)",
        ),
        (
            lambda a: a.__setitem__("layer0.W", np.round(a["layer0.W"]).astype(np.int64)),
            "refused: layer0.W is int64 (64, 1); its dense layer needs float64 (64, 1)",
        ),
        (
            lambda a: a.__setitem__("layer0.b", a["layer0.b"].astype(np.complex128)),
            "refused: layer0.b is complex128 (1,); its dense layer needs float64 (1,)",
        ),
        (
            lambda a: a.__setitem__("layer0.b", a["layer0.b"].astype(str)),
            "refused: layer0.b is <U32 (1,); its dense layer needs float64 (1,)",
        ),
        (
            lambda a: a.__setitem__("layer0.W", a["layer0.W"][:-1]),
            "refused: layer0.W is float64 (63, 1); its dense layer needs float64 (64, 1)",
        ),
        (
            lambda a: a.__setitem__("classes", np.array([6, 8, 9])),
            "refused: classes holds 3 digits; the output layer is for 2",
        ),
        (
            lambda a: a.__setitem__("classes", np.array([6.5, 8.2])),
            "refused: classes is float64 (2,); expected integers, one per class",
        ),
        (
            lambda a: a.__setitem__("classes", np.array([8, 8])),
            "refused: classes [8, 8] are not distinct digits 0 to 9",
        ),
        (
            lambda a: a.__setitem__("preprocessing.scale", a["preprocessing.scale"] * np.inf),
            "refused: preprocessing scale holds NaN or infinity",
        ),
        (
            lambda a: a.__setitem__("extra", np.zeros(3)),
            "'extra' is not an array of a signnet model file",
        ),
    ],
)
def test_an_altered_model_file_is_refused_naming_the_array(tmp_path, capsys, change, message):
    model = _altered(pair_model(tmp_path), change)
    photo = tmp_path / "p.png"
    Image.new("L", (8, 8), 250).save(photo)
    assert main(["predict", str(model), str(photo)]) == 1
    captured = capsys.readouterr()
    assert f"{model}: {message}" in captured.err and captured.out == ""


def test_every_problem_of_a_model_file_is_listed(tmp_path, capsys):
    def change(arrays):
        arrays["layer0.W"] = arrays["layer0.W"].astype(np.float32)
        arrays["classes"] = np.array([1, 2, 3])

    model = _altered(pair_model(tmp_path), change)
    assert main(["predict", str(model), "p.png"]) == 1
    err = capsys.readouterr().err
    assert f"{model}: refused, 2 problems:" in err
    assert "classes holds 3 digits" in err and "layer0.W is float32 (64, 1)" in err


def test_output_never_holds_nan_or_infinity(tmp_path, capsys):
    """A model whose every array is finite but whose logits overflow (a tiny pixel scale, weights
    of both signs: +inf - inf is NaN): the photo is named, nothing non-finite is written."""

    def change(arrays):
        arrays["preprocessing.scale"] = np.full(64, 1e-300)
        arrays["layer0.W"] = np.where(np.arange(64) % 2, 1e10, -1e10).reshape(64, 1)

    model = _altered(pair_model(tmp_path), change)
    photo = tmp_path / "p.png"
    Image.new("L", (8, 8), 250).save(photo)
    for fmt in ("jsonl", "csv", "tsv"):
        assert main(["predict", str(model), str(photo), "--format", fmt]) == 1
        captured = capsys.readouterr()
        assert captured.out in ("", "file,digit,probability,p_6,p_8\n")  # no row, no value
        assert f"{photo}: the model gives no finite probabilities for it" in captured.err


def test_explain_draws_each_photo_once_under_its_own_name_byte_identically(tmp_path, capsys):
    model = pair_model(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second, dark = tmp_path / "a" / "1.jpg", tmp_path / "b" / "1.jpg", tmp_path / "d.png"
    Image.new("RGB", (64, 64), (240, 240, 240)).save(first)
    Image.new("RGB", (50, 90), (230, 230, 230)).save(second)
    Image.new("L", (8, 8), 5).save(dark)
    out = tmp_path / "new" / "out"  # made, with its parent
    photos = [str(first), str(second), str(dark)]
    assert main(["explain", str(model), *photos, "-o", str(out)]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(f, d, png) for f, d, _, png in lines] == [
        (str(first), "8", str(out / "1.png")),
        (str(second), "8", str(out / "1-2.png")),
        (str(dark), "6", str(out / "d.png")),
    ]
    drawn = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(drawn) == {"1.png", "1-2.png", "d.png"}
    with Image.open(out / "d.png") as image:
        assert image.format == "PNG" and image.size[0] > image.size[1]
    assert main(["explain", str(model), *photos, "-o", str(out)]) == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == drawn


def test_explain_refuses_an_output_that_is_a_file_before_any_work(tmp_path, capsys):
    model = pair_model(tmp_path)
    photo, taken = tmp_path / "p.png", tmp_path / "taken"
    Image.new("L", (8, 8), 5).save(photo)
    taken.write_text("mine")
    assert main(["explain", str(model), str(photo), "-o", str(taken)]) == 1
    captured = capsys.readouterr()
    assert f"{taken}: the output must be a folder, and this is a file" in captured.err
    assert captured.out == "" and taken.read_text() == "mine"


def test_explain_draws_the_saliency_of_the_digit_each_photo_is_taken_for(tmp_path, monkeypatch):
    """The saliency drawn is |d score / d input| of the predicted digit: for the logistic
    regression with equal weights, the same for every pixel."""
    from signnet import cli

    model = pair_model(tmp_path)
    photo = tmp_path / "p.png"
    Image.new("L", (8, 8), 240).save(photo)
    drawn = []
    monkeypatch.setattr(
        cli.figures, "explanation", lambda *arguments: drawn.append(arguments) or b"png"
    )
    records, failed, _ = cli.explain(cli.load_model(model), [photo], tmp_path / "out")
    assert not failed and records[0]["digit"] == 8
    image, saliency, digits, probabilities, title = drawn[0]
    assert image.shape == saliency.shape == (8, 8) and digits == [6, 8]
    np.testing.assert_allclose(saliency, 1.0)  # d z / d x = W = 1 for each input
    assert title.startswith("p.png: 8 (p = ")
    assert (tmp_path / "out" / "p.png").read_bytes() == b"png"


def test_figure_names_are_distinct_whatever_the_photos_are_called():
    photos = [Path("a/x.jpg"), Path("b/x.png"), Path("x-2.jpg"), Path("c/x.JPG"), Path(".png")]
    assert figure_names(photos) == ["x.png", "x-2.png", "x-2-2.png", "x-3.png", ".png.png"]


def test_tsv_is_one_line_per_photo_whatever_the_photo_is_called(tmp_path, capsys):
    model = pair_model(tmp_path)
    names = ["tab\there.png", "new\nline.png", "back\\slash.png", "carriage\rreturn.png"]
    for name in names:
        Image.new("L", (8, 8), 250).save(tmp_path / name)
    photos = [str(tmp_path / name) for name in names]
    assert main(["predict", str(model), *photos]) == 0
    lines = capsys.readouterr().out.split("\n")[:-1]
    assert len(lines) == len(names) and all(line.count("\t") == 2 for line in lines)
    written = [line.split("\t")[0] for line in lines]
    assert written == [
        str(tmp_path / "tab\\there.png"),
        str(tmp_path / "new\\nline.png"),
        str(tmp_path / "back\\\\slash.png"),
        str(tmp_path / "carriage\\rreturn.png"),
    ]
    # the escapes undone give the names back (a backslash is escaped first, so none is ambiguous)
    undone = [
        re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r"}.get(m[1], m[1]), w)
        for w in written
    ]
    assert undone == photos
    assert main(["explain", str(model), photos[0], "-o", str(tmp_path / "out")]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.split("\t")[0] == written[0] and line.count("\t") == 3


def test_predict_streams_chunk_by_chunk_and_names_are_distinct_across_chunks(
    tmp_path, capsys, monkeypatch
):
    from signnet import cli

    model = pair_model(tmp_path)
    monkeypatch.setattr(cli, "CHUNK", 2)
    read, original = [], cli.read_photo

    def reading(path, size):
        read.append(path)
        return original(path, size)

    monkeypatch.setattr(cli, "read_photo", reading)
    printed = []
    monkeypatch.setattr(cli, "write_results", lambda results, fmt, out: printed.append(len(read)))
    photos = []
    for i in range(5):
        (tmp_path / f"d{i}").mkdir()
        Image.new("L", (8, 8), 250).save(tmp_path / f"d{i}" / "same.png")
        photos.append(str(tmp_path / f"d{i}" / "same.png"))
    assert main(["predict", str(model), *photos]) == 0
    assert printed == [2, 4, 5]  # each chunk printed before the next is read
    monkeypatch.undo()
    monkeypatch.setattr(cli, "EXPLAIN_CHUNK", 2)
    assert main(["explain", str(model), *photos, "-o", str(tmp_path / "out")]) == 0
    names = [line.split("\t")[3] for line in capsys.readouterr().out.splitlines()]
    assert [Path(n).name for n in names] == ["same.png", *(f"same-{i}.png" for i in range(2, 6))]


def test_ctrl_c_keeps_the_lines_printed_and_says_so_in_one_line(tmp_path, capsys, monkeypatch):
    from signnet import cli

    model = pair_model(tmp_path)
    monkeypatch.setattr(cli, "CHUNK", 1)
    photo = tmp_path / "p.png"
    Image.new("L", (8, 8), 250).save(photo)
    calls, original = [], cli.predict

    def predict_then_interrupt(model, chunk):
        calls.append(chunk)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(model, chunk)

    monkeypatch.setattr(cli, "predict", predict_then_interrupt)
    assert main(["predict", str(model), *[str(photo)] * 5]) == INTERRUPTED
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 2
    assert captured.err.splitlines()[-1] == (
        "signnet: interrupted after 2 of 5 photos; the lines printed are complete"
    )
    assert "Traceback" not in captured.err


def test_a_reader_that_stops_ends_any_command_quietly():
    """``signnet params | head -0``: exit status 141, no traceback (predict's chunks and the
    tables of params and experiments alike)."""
    command = [sys.executable, "-m", "signnet.cli", "params", str(REPO / "params.yaml")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # before the command writes: its first write finds no reader
    assert process.wait(timeout=60) == 141
    assert process.stderr.read() == b""


@pytest.mark.parametrize("width", ["0", "-5", "wide"])
def test_a_width_that_is_not_one_is_refused(width, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["experiments", "--width", width])
    assert stopped.value.code == 2
    assert f"argument --width: {width!r} is not a width" in capsys.readouterr().err
