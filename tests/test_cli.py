import numpy as np
from PIL import Image

from signnet.cli import main
from signnet.modelfile import TrainedModel, save_model
from signnet.nn.model import ModelConfig, Network


def test_predict_prints_digit_and_probability_per_photo(tmp_path, capsys):
    # A logistic regression on 8x8 photos that calls bright photos an 8 and dark ones a 6.
    weights = np.full((64, 1), 1.0)
    network = Network(ModelConfig(64, 2, ()), [(weights, np.array([0.0]))])
    model = TrainedModel(network, np.array([6, 8]), 8, np.full(64, 127.5), np.full(64, 255.0))
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
