import numpy as np
from PIL import Image

from signnet.cli import main
from signnet.data.preprocessing import Preprocessing
from signnet.modelfile import TrainedModel, save_model
from signnet.nn.model import Network
from signnet.params import Params
from tests.conftest import REPO, dense


def test_predict_prints_digit_and_probability_per_photo(tmp_path, capsys):
    # A logistic regression on 8x8 photos that calls bright photos an 8 and dark ones a 6.
    weights = np.full((64, 1), 1.0)
    network = Network(dense(64, 2), [(weights, np.array([0.0]))])
    preprocessing = Preprocessing("standardize", 8, np.full(64, 127.5), np.full(64, 255.0))
    model = TrainedModel(network, np.array([6, 8]), preprocessing, {})
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
    assert "model.npz: not a readable .npz" in capsys.readouterr().err


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
