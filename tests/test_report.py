"""The report rendered from small fixtures made here: its text, tables, pages and bytes."""

import dataclasses
import io

import numpy as np
import pytest
from pypdf import PdfReader

from signnet.data.preprocessing import Preprocessing
from signnet.modelfile import TrainedModel
from signnet.nn.model import Network
from signnet.pipeline.crossvalidate import summarise
from signnet.pipeline.evaluate import evaluate_parts
from signnet.pipeline.train import train_network
from signnet.report.content import ReportInputs, build_report
from signnet.report.document import Figure
from signnet.report.write import report_date, write_report
from tests.conftest import dense, repo_params

SOURCE = {
    "kind": "Sign Language Digits Dataset",
    "repository": "https://github.com/ardamavi/Sign-Language-Digits-Dataset",
    "commit": "4b09433ef9d5c60602e8805bb54b8aa2428527f8",
    "commit_date": "2021-05-08",
    "fingerprint": "dcb2ae4be3d7735fcdd5afd3ac662c8515803a0ab9c5acce989eb085802de6d1",
    "license": "Apache License 2.0",
    "citation": "Mavi, A. (2020)",
    "images": 60,
}


def part(rng, digits, n, size=8):
    """A split part of ``n`` noisy photos whose brightness depends on the class."""
    labels = np.arange(n) % len(digits)
    images = np.clip(
        rng.normal(60 + 120 * labels[:, None, None] / len(digits), 40, (n, size, size)), 0, 255
    ).astype(np.uint8)
    return {
        "labels": labels,
        "digits": np.array(digits)[labels],
        "files": np.array([f"Dataset/{digits[k]}/IMG_{i}.JPG" for i, k in enumerate(labels)]),
        "images": images,
        "classes": np.array(digits),
        "test_fraction": np.array(0.2),
        "seed": np.array(42),
    }


def report_inputs(digits, epochs=5, model=None, train_recipe=None):
    rng = np.random.default_rng(0)
    train, test = part(rng, digits, 48), part(rng, digits, 12)
    params = repo_params(
        model={"hidden": [6], **(model or {})},
        train={"epochs": epochs, "batch_size": 8, "lr": 0.5, **(train_recipe or {})},
    )
    unit = Preprocessing.fit(train["images"], "unit")
    result = train_network(train, test, unit, params.model, params.train)
    evaluation = evaluate_parts(result.model, {"test": test, "train": train})
    return ReportInputs(
        source=SOURCE,
        test=test,
        model=result.model,
        history=result.history,
        evaluation={
            "classes": list(digits),
            "results": evaluation["results"],
            "crosscheck": evaluation["crosscheck"],
        },
        probabilities=evaluation["probabilities"]["test"],
        cross_validation=FOLDS,
        params=repo_params(report={"example_photos": 6, "max_misclassified": 4}).report,
    )


def _fold(number, accuracy):
    return {
        "fold": number,
        "train_images": 48,
        "test_images": 12,
        "epochs": 5,
        "accuracy": accuracy,
        "balanced_accuracy": accuracy - 0.01,
        "log_loss": 0.25,
    }


# Two folds, as the crossvalidate stage writes them.
FOLD_RECORDS = [_fold(1, 0.75), _fold(2, 0.916667)]
FOLDS = {"folds": FOLD_RECORDS, "summary": summarise(FOLD_RECORDS)}


def render(tmp_path, inputs, name="out"):
    folder = tmp_path / name
    blocks = build_report(inputs)
    write_report(
        blocks,
        folder / "report.md",
        folder / "report.pdf",
        folder / "figures",
        report_date(inputs.source),
    )
    return folder, blocks


@pytest.mark.parametrize("digits", [(6, 8), (0, 3, 5)])
def test_report_has_every_section_and_the_measured_numbers(tmp_path, digits):
    inputs = report_inputs(digits)
    folder, blocks = render(tmp_path, inputs)
    reader = PdfReader(folder / "report.pdf")
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for heading in (
        "1 Data",
        "2 Model",
        "3 Training",
        "4 Results on the test part",
        "5 Predictions on test photos",
        "6 Discussion",
    ):
        assert heading in text
    for cell in (
        "Input Layer",
        "Hidden Layer",
        "Output Layer",
        "Activation",
        "Loss Function",
        "scikit-learn",
        "precision",
        "recall",
        "f1-score",
        "support",
        "macro avg",
    ):
        assert cell in text
    test = inputs.evaluation["results"]["test"]
    assert f"{100 * test['accuracy']:.1f}%" in text
    assert f"{test['log_loss']:.4f}" in text
    assert "Mavi" in text and "Apache License 2.0" in text and "2021-05-08" in text
    loss = "Binary cross-entropy" if len(digits) == 2 else "Categorical cross-entropy"
    assert loss in text
    for page in reader.pages:  # A4: 210 x 297 mm
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.1)
        assert float(page.mediabox.height) == pytest.approx(841.89, abs=0.1)
    names = {b.name for b in blocks if isinstance(b, Figure)}
    assert {p.name for p in (folder / "figures").iterdir()} == names
    markdown = (folder / "report.md").read_text()
    assert "| Input Layer | Hidden Layer | Output Layer | Activation | Loss Function |" in markdown
    for name in names:
        assert f"](figures/{name})" in markdown
    if len(digits) == 2:
        assert "Specificity" in text and "ROC AUC" in text
    assert "Stratified 2-fold cross-validation" in text
    assert "mean test accuracy of 83.3% ± 11.8%" in text and "91.7%" in text


def test_a_run_without_cross_validation_says_so(tmp_path):
    inputs = dataclasses.replace(
        report_inputs((6, 8), epochs=1), cross_validation={"folds": [], "summary": {}}
    )
    folder, _ = render(tmp_path, inputs)
    assert "Cross-validation was off" in (folder / "report.md").read_text()


def test_misclassified_photos_are_named(tmp_path):
    inputs = report_inputs((6, 8), epochs=1)
    wrong = np.flatnonzero(inputs.probabilities.argmax(axis=1) != inputs.test["labels"])
    assert len(wrong) > 0  # one epoch leaves mistakes to show
    folder, _ = render(tmp_path, inputs)
    text = "\n".join(page.extract_text() for page in PdfReader(folder / "report.pdf").pages)
    assert f"{len(wrong)} test photo" in text
    named = [i for i in wrong if str(inputs.test["files"][i]) in text]
    assert len(named) == min(4, len(wrong))  # params.max_misclassified = 4


def test_same_inputs_give_byte_identical_files(tmp_path):
    inputs = report_inputs((6, 8))
    first, _ = render(tmp_path, inputs, "a")
    second, _ = render(tmp_path, inputs, "b")
    for name in ("report.md", "report.pdf", *(p.name for p in (first / "figures").iterdir())):
        path = name if name.startswith("report") else f"figures/{name}"
        assert (first / path).read_bytes() == (second / path).read_bytes(), name


def test_figures_never_cross_a_page(tmp_path):
    inputs = report_inputs((6, 8))
    inputs.params = repo_params(report={"example_photos": 48, "max_misclassified": 0}).report
    folder, _ = render(tmp_path, inputs)
    for page in PdfReader(folder / "report.pdf").pages:
        for image in page.images:
            assert image.image is not None  # decodable
    # Every image lies inside the page's printable area: pypdf gives no positions, so check
    # the renderer's own bookkeeping instead: a tall figure is scaled to fit one page.
    from signnet.report.pdf import render_pdf

    tall = Figure("tall.png", _png(100, 1000), "A figure ten times taller than wide.")
    pdf = PdfReader(io.BytesIO(render_pdf([tall, tall], report_date(SOURCE))))
    assert len(pdf.pages) == 2


def _png(width, height):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (width, height), 128).save(buffer, format="PNG")
    return buffer.getvalue()


def test_model_table_matches_the_network():
    inputs = report_inputs((6, 8))
    table = next(
        b for b in build_report(inputs) if getattr(b, "header", ())[:1] == ("Input Layer",)
    )
    assert table.rows == (
        (
            "64 neurons",
            "6 neurons",
            "1 neuron",
            "Sigmoid (hidden), Sigmoid (output)",
            "Binary cross-entropy",
        ),
    )
    assert isinstance(inputs.model, TrainedModel) and isinstance(inputs.model.network, Network)
    assert inputs.model.network.config == dense(64, 2, (6,))


def test_a_cnn_with_a_recipe_is_described_as_it_ran():
    recipe = {"schedule": "cosine", "augment_rotation": 10.0, "validation_fraction": 0.25}
    inputs = report_inputs((6, 8), 3, model={"conv": [2], "dropout": 0.5}, train_recipe=recipe)
    blocks = build_report(inputs)
    architecture = next(b for b in blocks if getattr(b, "header", ())[:1] == ("Input Layer",))
    assert architecture.rows[0][:2] == (
        "8 x 8 image",
        "2 x (3x3 conv, 2x2 max-pool), 6 neurons, dropout 0.5",
    )
    setup = dict(next(b for b in blocks if getattr(b, "header", ()) == ("Setting", "Value")).rows)
    assert setup["Learning-rate schedule"] == "cosine over the epochs"
    assert "rotation up to 10 degrees" in setup["Augmentation (per sample, per epoch)"]
    assert setup["Validation part"].startswith("0.25 of the training part per class")
    text = " ".join(getattr(b, "text", "") for b in blocks)
    assert "convolutional network" in text and "fully connected" not in text
    default = dict(
        next(
            b
            for b in build_report(report_inputs((6, 8)))
            if getattr(b, "header", ()) == ("Setting", "Value")
        ).rows
    )
    assert "Augmentation (per sample, per epoch)" not in default
