"""What the report states about six kinds of run, checked on the facts and on every sentence,
with no PDF in the loop: the default pair, all ten digits, a CNN with a recipe, per-sample
descent, a course-format file, and a network left at chance."""

import dataclasses
import json
import re

import numpy as np
import pytest

from signnet.artifacts import ArtifactError
from signnet.metrics import mcnemar_exact, wilson_interval
from signnet.report.ablation import load_ablation
from signnet.report.content import build_report
from signnet.report.document import Table, plain
from signnet.report.facts import COMMAND_WIDTH, gather_facts, reproduce_command
from signnet.report.judgements import CALIBRATED_ECE, OVERCONFIDENT
from signnet.report.network_views import hotspot
from tests.conftest import repo_params
from tests.test_report import SOURCE, report_inputs, text_of

COURSE = {"kind": "course file", "file": "dataset_labels.npz", "sha256": "ab" * 32, "images": 60}
MNIST = {
    "kind": "MNIST",
    "url": "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "fingerprint": "cd" * 32,
    "citation": "LeCun, Y. et al. (1998)",
    "images": 70000,
    "images_per_digit": {str(d): 7000 for d in range(10)},
}
TEN = tuple(range(10))


def at_chance(inputs):
    """``inputs`` with a network that gives every test photo class 0, as the reference settings
    do on these photos."""
    n, k = inputs.probabilities.shape
    probabilities = np.zeros((n, k))
    probabilities[:, 0] = 1.0
    evaluation = {**inputs.evaluation, "results": dict(inputs.evaluation["results"])}
    test = dict(evaluation["results"]["test"])
    labels = inputs.test["labels"]
    confusion = np.zeros((k, k), int)
    confusion[:, 0] = np.bincount(labels, minlength=k)
    test |= {
        "confusion": confusion.tolist(),
        "accuracy": float(np.mean(labels == 0)),
        "balanced_accuracy": 1 / k,
    }
    evaluation["results"]["test"] = test
    return dataclasses.replace(inputs, probabilities=probabilities, evaluation=evaluation)


def ten_digits(source=SOURCE):
    """All ten digits with the fourth reference's kind of network, on images it can learn."""
    return report_inputs(
        TEN,
        20,
        model={"activation": "relu", "init": "he", "hidden": [16]},
        train_recipe={"lr": 0.1},
        noise=3,
        source=source,
    )


RUNS = {
    "default": lambda: report_inputs((6, 8)),
    "ten digits": ten_digits,
    "cnn": lambda: report_inputs(
        TEN,
        3,
        model={"conv": [2], "dropout": 0.5, "activation": "relu", "init": "he"},
        train_recipe={
            "optimizer": "adam",
            "schedule": "cosine",
            "augment_rotation": 10.0,
            "validation_fraction": 0.25,
            "lr": 0.01,
        },
    ),
    "per-sample": lambda: report_inputs((4, 5), 3, train_recipe={"batch_size": 1}),
    "course file": lambda: report_inputs((6, 8), source=COURSE),
    "mnist": lambda: ten_digits(MNIST),
    "at chance": lambda: at_chance(report_inputs((6, 8), 1)),
    "no hidden layer": lambda: report_inputs((6, 8), 20, model={"hidden": []}, noise=3),
    "cross-validation off": lambda: dataclasses.replace(
        report_inputs((6, 8), noise=3), cross_validation={"folds": [], "summary": {}}
    ),
    "validation part": lambda: report_inputs(
        (1, 4, 7), 8, train_recipe={"validation_fraction": 0.25, "patience": 3}, noise=3
    ),
    "batch-normalised": lambda: report_inputs(
        (6, 8),
        model={"batch_norm": True, "dropout": 0.2},
        train_recipe={"weight_decay": 0.01},
        noise=3,
    ),
}


@pytest.fixture(scope="module", params=sorted(RUNS))
def run(request):
    inputs = RUNS[request.param]()
    return request.param, inputs, gather_facts(inputs), text_of(build_report(inputs))


def test_no_false_sentence_in_any_run(run):
    name, inputs, facts, text = run
    ten = facts.digits == TEN
    # The task is named as what it is.
    title = text[: text.index("**Summary.**")]
    assert ("all ten digits" in title) == ten
    assert "0, 1, 2, 3, 4, 5, 6, 7, 8 and 9" not in text
    assert ("binary cross-entropy" in text) == facts.binary
    assert ("categorical cross-entropy" in text) == (not facts.binary)
    # The hidden activation is the one the network used; the output follows the task.
    activation = facts.method.activation
    others = {"sigmoid", "tanh", "ReLU"} - {"ReLU" if activation == "relu" else activation}
    if not facts.binary:
        for other in others:
            assert f"{other} (hidden)" not in text
    # Descent is described as it ran.
    assert ("per-sample gradient descent" in text) == (facts.method.batch_size == 1)
    assert ("mini-batches of" in text) == (1 < facts.method.batch_size < facts.method.train_images)
    # Photos are described as photos only when they were; MNIST as handwriting.
    photos = name not in ("course file", "mnist")
    assert ("EXIF" in text) == photos
    assert ("per digit. Their content fingerprint (Appendix A)" in text) == photos
    assert ("a hand signing" in text) == (name != "mnist")
    assert ("handwritten" in text) == (name == "mnist")
    # The photos changed as a person's differ: measured and reported where the source is photos.
    assert ("Photos taken otherwise" in text) == (facts.robustness is not None) == photos
    if facts.robustness:
        worst = facts.robustness.worst
        assert f"{100 * worst['accuracy']:.1f}% at worst ({worst['change']})" in text
        assert ("Nothing in this run addressed them" in text) == (not facts.method.augmented)
    # Next steps never propose what the run already did.
    conclusion = text[re.search(r"\d+ Conclusion", text).start() : text.index("References")]
    assert ("all ten digits" in conclusion) == facts.binary
    assert ("convolutional layers" in conclusion) == (not facts.method.conv)
    # The warning, when and only when the network is at chance.
    assert ("Warning: the network is at chance" in text) == (name == "at chance")
    # Capitalised names only as names.
    assert "Relu" not in text and "the he initialisation" not in text
    # Facts are formatted, not typed: the test count and the CV figures come from the artifacts.
    assert f"{facts.results.correct} of the {facts.results.n} images" in text
    # Each judgement as measured, with its threshold.
    r = facts.results
    assert ("**Overfitting.**" in text) == r.overfit
    assert ("**No measurable overfitting.**" in text) == (not r.overfit)
    assert f"expected calibration error {r.ece:.3f}" in text
    assert (f"at most the {CALIBRATED_ECE:g} taken here as calibrated" in text) == r.calibrated


def test_default_run_facts_and_comparison():
    inputs = RUNS["default"]()
    facts = gather_facts(inputs)
    assert facts.digits == (6, 8) and facts.binary and facts.positive == 8
    assert facts.data.photos and facts.data.rows[0][:2] == (6, 0)
    documents = {row.document for row in facts.comparison}
    assert documents == {"report 000"}
    accuracy = next(r for r in facts.comparison if r.metric == "accuracy")
    assert accuracy.claimed == 0.956
    assert accuracy.split == inputs.evaluation["results"]["test"]["accuracy"]
    assert accuracy.cv_mean == inputs.cross_validation["summary"]["accuracy_mean"]
    assert accuracy.verdict in ("above", "level", "below")
    assert next(r for r in facts.comparison if r.metric == "precision").cv_mean is None
    # Departures against report 000 as stated: lr 0.5 was not measured; xavier was.
    departures = {d.key: d for d in facts.departures.departures}
    assert departures["train.lr"].stated == 0.01 and departures["train.lr"].evidence is None
    assert departures["model.init"].used == "xavier"
    assert departures["model.init"].evidence["change"] == "model.init"
    assert facts.departures.stated_evidence["chance_folds"] == 5  # measured: all at chance
    assert facts.departures.all_evidence is None  # this run is not the measured configuration


def test_ten_digits_facts():
    facts = gather_facts(RUNS["ten digits"]())
    assert not facts.binary and facts.positive is None and facts.method.outputs == 10
    assert {r.document for r in facts.comparison} == {"README 004", "Mavi 2020", "Vocalize"}
    assert facts.departures.document == "README 004"
    same = {r.document: r.same_data for r in facts.comparison}
    assert same == {"README 004": False, "Mavi 2020": True, "Vocalize": True}
    text = text_of(build_report(RUNS["ten digits"]()))
    assert "Mavi 2020 and Vocalize measured on the same data with splits of their own" in text
    assert "other claims were measured on other data (named under Table" in text
    assert "Claimed with README 004: 784-10-10, ReLU, softmax, on MNIST" in text
    assert "Mavi 2020" in facts.documents and "Vocalize" in facts.documents


def test_cnn_facts_and_algorithm():
    inputs = RUNS["cnn"]()
    facts = gather_facts(inputs)
    m = facts.method
    assert m.conv == (2,) and m.optimizer == "adam" and m.schedule == "cosine"
    assert m.augment_rotation == 10.0 and m.validation_fraction == 0.25
    # 48 less a quarter of each digit's 4 or 5, rounded: one of each (not a quarter of 48)
    assert m.train_images == 38
    text = text_of(build_report(inputs))
    table = next(b for b in build_report(inputs) if getattr(b, "label", "") == "architecture")
    assert [row[1] for row in table.rows] == [
        "8 x 8 pixels, as an image",
        "3 x 3 conv, 2 channels; 2 x 2 max-pool; ReLU",
        "flatten; dense, 6 units; ReLU; dropout 0.5",
        "dense, 10 units; softmax",
    ]
    assert [row[2] for row in table.rows] == ["8 x 8 x 1", "4 x 4 x 2", "6", "10"]
    assert [row[3] for row in table.rows] == ["", "20", "198", "70"]
    assert "rotation up to 10°" in text and "cosine schedule" in text
    assert "lowest validation loss" in text and "convolutional network" in text
    assert "fully connected" not in text and "Kingma" in text
    algorithm = next(b for b in build_report(inputs) if hasattr(b, "lines"))
    lines = [line for _, line in algorithm.lines]
    assert any("cos" in line for line in lines) and any("augment" in line for line in lines)
    assert lines[-1] == "return the kept weights (lowest validation loss)"


def test_per_sample_run_is_not_called_mini_batch():
    inputs = RUNS["per-sample"]()
    facts = gather_facts(inputs)
    assert facts.method.batch_size == 1 and facts.method.batches_per_epoch == 48
    algorithm = next(b for b in build_report(inputs) if hasattr(b, "lines"))
    assert (1, "for each image:") in algorithm.lines


def test_mnist_run_compares_with_the_mnist_claim_only():
    facts = gather_facts(RUNS["mnist"]())
    assert facts.data.origin == "mnist" and not facts.data.photos
    assert {r.document for r in facts.comparison} == {"README 004"}
    text = text_of(build_report(RUNS["mnist"]()))
    assert "README 004 measured on the same data with splits of their own" in text
    assert "other data" not in text
    assert text.startswith("Handwritten digits (MNIST), all ten digits")


def test_course_file_run_names_the_file():
    facts = gather_facts(RUNS["course file"]())
    assert facts.data.origin == "course file" and not facts.data.photos
    assert facts.data.fingerprint == "ab" * 32 and plain(facts.data.name) == "dataset_labels.npz"


def test_a_course_files_name_is_literal_text_in_the_report():
    from signnet.report.pdf import markup

    name = "$\\text{#(6*7)}$ **b** {sec:data}.npz"
    inputs = report_inputs((6, 8), source=COURSE | {"file": name})
    facts = gather_facts(inputs)
    assert plain(facts.data.name) == name
    typst = markup(f"The file {facts.data.name} here")
    # no code, reference or maths: every # and $ in the markup is escaped
    assert "#ref" not in typst and "#(" not in typst.replace("\\#(", "")
    assert "$" not in typst.replace("\\$", "")
    assert name in plain(text_of(build_report(inputs)))


def test_at_chance_run_is_diagnosed():
    facts = gather_facts(RUNS["at chance"]())
    assert facts.diagnosis.at_chance and facts.diagnosis.predicted_classes == 1
    assert facts.diagnosis.majority_share == 0.5


def test_errors_confusions_and_overfitting_are_counted():
    inputs = RUNS["default"]()
    facts = gather_facts(inputs)
    proba, labels = inputs.probabilities, inputs.test["labels"]
    predicted = proba.argmax(axis=1)
    wrong = predicted != labels
    assert facts.diagnosis.wrong == wrong.sum()
    assert facts.diagnosis.overconfident == (proba.max(axis=1)[wrong] >= OVERCONFIDENT).sum()
    confusion = np.array(inputs.evaluation["results"]["test"]["confusion"])
    for c in facts.diagnosis.confusions:
        assert confusion[facts.digits.index(c.actual), facts.digits.index(c.predicted)] == c.count
    history = inputs.history
    lowest = min(history, key=lambda r: r["test_loss"])
    assert facts.training.lowest_test_loss_epoch == lowest["epoch"]
    rising = [dict(r) for r in history]
    rising[-1]["test_loss"] = 2 * lowest["test_loss"]
    assert gather_facts(dataclasses.replace(inputs, history=rising)).training.loss_rose


def test_the_reproducing_command_sets_every_result_deciding_key():
    params = repo_params(model={"hidden": [32, 16]}, cv={"workers": 2})
    command = reproduce_command(params)
    assert command.startswith(
        "dvc exp run -S download.source=sign-digits -S download.image_size=28"
    )
    assert "-S 'model.hidden=[32,16]'" in command and "-S train.lr=0.1" in command
    assert "mirrors" not in command and "workers" not in command and "scheduler" not in command
    assert max(len(line) for line in command.splitlines()) <= COMMAND_WIDTH + 2  # " \\"
    settings = command.count("-S ")
    keys = sum(len(section) for section in params.model_dump().values())
    assert settings == keys - 3  # all but download.mirrors, cv.workers, cv.scheduler


def test_the_training_count_with_a_validation_part_is_the_train_stage_s():
    # 16 training photos of each of 3 digits; 10% held out of each: round(1.6) = 2 per digit,
    # so 42 photos train (one formula of 10% of all 48 would say 43).
    inputs = report_inputs((1, 4, 7), epochs=1, train_recipe={"validation_fraction": 0.1})
    method = gather_facts(inputs).method
    assert method.train_images == 42
    assert method.batches_per_epoch == 6  # batches of 8


def test_a_network_without_hidden_layers_is_called_regression():
    inputs = report_inputs((6, 8), epochs=2, model={"hidden": []})
    blocks = build_report(inputs)
    text = text_of(blocks)
    assert gather_facts(inputs).method.hidden_layers is False
    assert "logistic regression" in text
    assert "g'" not in text  # no activation, so no derivative of one
    table = next(b for b in blocks if getattr(b, "label", "") == "architecture")
    assert [row[0] for row in table.rows] == ["input", "output"]


@pytest.mark.parametrize("folds", [0, 1])
def test_with_cross_validation_off_nothing_promises_it(folds):
    inputs = dataclasses.replace(
        report_inputs((6, 8), epochs=2), cross_validation={"folds": [], "summary": {}}
    )
    text = text_of(build_report(inputs))
    assert "cross-validated estimate" not in text
    assert "with confidence intervals, departures" in text


def test_misclassified_images_are_counted_and_named_as_the_source_has_them():
    course = text_of(build_report(at_chance(report_inputs((6, 8), 1, source=COURSE))))
    assert "file names" not in course  # a course file has none: the figure's caption too
    assert "its caption gives their index in" in course and "names their files" not in course
    chance = text_of(build_report(RUNS["at chance"]()))
    assert "every misclassified images" not in chance
    assert re.search(r"(all \d+|the \d+ most confident of the \d+) misclassified images", chance)


def test_an_undefined_figure_is_called_undefined_never_a_number():
    """A test part of one class: no ROC (its area is not 0.0, which would read as a perfectly
    inverted classifier), and a precision over no positive prediction is not 0%."""
    inputs = report_inputs((6, 8), epochs=1)
    evaluation = {**inputs.evaluation, "results": dict(inputs.evaluation["results"])}
    test = dict(evaluation["results"]["test"], roc=None, roc_auc=None, precision=None)
    test["per_class"] = dict(test["per_class"], precision=[test["per_class"]["precision"][0], None])
    evaluation["results"]["test"] = test
    blocks = build_report(dataclasses.replace(inputs, evaluation=evaluation))
    text = text_of(blocks)
    assert "ROC AUC undefined (the test part holds one class)" in text
    assert "precision undefined" in text and "digit 8 0." not in text
    figure = next(b for b in blocks if getattr(b, "label", "") == "quality")
    assert "ROC" not in figure.caption


def test_what_the_network_looks_at_is_said_as_the_run_has_it(run):
    name, inputs, facts, text = run
    first, saliency, view = facts.inside.first_layer, facts.inside.saliency, facts.inside.map
    m = facts.method
    start, end = (re.search(rf"\d+ {name}", text).start() for name in ("What the", "Discussion"))
    section = text[start:end]
    config = inputs.model.network.config
    # The first layer as it is: a dense layer's units, or a convolution's filters.
    layer = inputs.model.network.layers[0 if not m.conv else 1]
    assert first.kind == layer.kind
    assert len(first.images) == layer.params["W"].shape[1]
    drawn = f"the {len(first.images)} filters of the first convolution"
    assert (drawn in section) == (bool(m.conv) and first.structured)
    # The saliency per task: for a pair, one signed map of what separates the digits; for more,
    # each digit's own.
    assert saliency.signed == facts.binary and len(saliency.maps) == (
        1 if facts.binary else len(facts.digits)
    )
    assert (
        f"shows what tells {facts.digits[-1]} from {facts.digits[0]}" in section
    ) == facts.binary
    assert ("the most concentrated are those of" in section) == (not facts.binary)
    # The first layer's weights drawn only where they show structure.
    assert ("first layer's weights are not drawn" in section) == (not first.structured)
    assert len(saliency.hotspots) == len(facts.digits)
    assert all(0 < s.share <= 1 for s in saliency.hotspots)
    # The map shows what the output layer reads, and counts the errors the diagnosis counts.
    assert view.width == config.widths[-2]
    assert ("the last hidden layer's" in section) == bool(m.hidden)
    assert ("the network has no hidden layer" in section) == (not m.hidden and not m.conv)
    assert int(view.wrong.sum()) == facts.diagnosis.wrong
    assert 0 <= view.wrong_near_predicted <= facts.diagnosis.wrong
    assert sum(view.explained) <= 1 + 1e-12


def test_hotspots_name_where_the_salient_pixels_are():
    saliency = np.ones((12, 12))
    saliency[9:12, 0:2] = 10.0  # 6 pixels, bottom left
    spot = hotspot(4, saliency, 6)
    assert (spot.digit, spot.row, spot.column, spot.region) == (4, 11.0, 1.5, "bottom left")
    assert spot.share == pytest.approx(60 / (60 + 138))
    assert spot.in_region == 6
    # Two clusters apart: the ninth holding most of the pixels, not the one between them.
    apart = np.ones((12, 12))
    apart[0:2, 0:2], apart[0:2, 10:12] = 10.0, 12.0  # the six strongest: 4 right, then 2 left
    spot = hotspot(4, apart, 6)
    assert spot.column == pytest.approx(1 + (4 * 10.5 + 2 * 0.5) / 6)  # the mean: top centre
    assert spot.region == "top right" and spot.in_region == 4


def test_the_first_layer_s_centre_weights_are_compared_with_its_border_s():
    inputs = report_inputs((6, 8), 1)
    dense = inputs.model.network.layers[0]
    weights = np.full((8, 8, dense.params["W"].shape[1]), 0.01)
    weights[2:6, 2:6] = 0.03  # the central half three times the border
    dense.params["W"] = weights.reshape(64, -1)
    facts = gather_facts(inputs)
    assert facts.inside.first_layer.centre_ratio == pytest.approx(3.0)
    assert "middle of the picture more than its edges" in text_of(build_report(inputs))


def test_a_course_files_name_on_several_lines_stays_on_one_in_the_markdown():
    from signnet.report.markdown import render_markdown

    inputs = report_inputs((6, 8), source=COURSE | {"file": "x\n# Owned\r| cell.npz"})
    markdown = render_markdown(build_report(inputs), "figures")
    assert "\n# Owned" not in markdown and "x # Owned \\| cell\\.npz" in markdown


def test_a_reference_is_cited_in_the_text_by_its_authors_and_year():
    from signnet.references import DOCUMENTS, in_text

    assert in_text(DOCUMENTS["Kingma 2015"].citation) == "Kingma and Ba, 2015"
    assert in_text(DOCUMENTS["Pedregosa 2011"].citation) == "Pedregosa et al., 2011"
    assert in_text(SOURCE["citation"]) == "Mavi, 2020"
    assert in_text("Singh, S. a README") == "Singh, S. a README"  # no year: the entry as it is


def test_a_split_outside_the_cross_validated_interval_is_said_so():
    inputs = report_inputs((6, 8), epochs=2)
    summary = dict(inputs.cross_validation["summary"])
    accuracy = inputs.evaluation["results"]["test"]["accuracy"]
    summary.update(accuracy_ci95_low=min(accuracy + 0.05, 1.0), accuracy_ci95_high=1.0)
    inputs = dataclasses.replace(
        inputs, cross_validation={**inputs.cross_validation, "summary": summary}
    )
    assert "below that interval" in text_of(build_report(inputs))


def with_robustness(inputs, accuracies):
    """``inputs`` whose robustness record has these accuracies per change over its photos, as
    taken first and 1.0 (each change only turns photos wrong), with Wilson's intervals and the
    McNemar test."""
    record = dict(inputs.evaluation["robustness"])
    rows = []
    for row, accuracy in zip(record["changes"], accuracies, strict=True):
        n = row["photos"]
        correct = round(accuracy * n)
        low, high = wilson_interval(correct, n)
        wrong = n - correct
        rows.append(
            row
            | {"correct": correct, "accuracy": accuracy, "low": low, "high": high}
            | {"turned_wrong": wrong, "turned_right": 0, "p_value": mcnemar_exact(wrong, 0)}
        )
    changed = rows[1:]
    worst = min(changed, key=lambda r: r["accuracy"])
    record |= {
        "changes": rows,
        "worst": {"change": worst["change"], "accuracy": worst["accuracy"]},
        "mean_accuracy": float(np.mean([r["accuracy"] for r in changed])),
    }
    evaluation = inputs.evaluation | {"robustness": record}
    return dataclasses.replace(inputs, evaluation=evaluation)


def test_a_change_costs_accuracy_only_beyond_chance():
    inputs = RUNS["default"]()
    n = inputs.evaluation["robustness"]["changes"][0]["photos"]
    assert n == 12
    # As taken 12 of 12; darker turns all 12 wrong (p = 2 / 4096, under 0.05 / 8); each other
    # change 1 (p = 1).
    accuracies = [1.0, 0.0] + [11 / 12] * 7
    facts = gather_facts(with_robustness(inputs, accuracies))
    assert facts.robustness.costly == ("darker",)
    six = with_robustness(inputs, [1.0, 0.5] + [11 / 12] * 7)  # p = 2 / 64: not beyond 0.05 / 8
    assert gather_facts(six).robustness.costly == ()
    text = text_of(build_report(with_robustness(inputs, accuracies)))
    assert "Of the 8 changes, darker costs accuracy: significantly more photos turned right" in text
    assert "training for the changes that cost accuracy (darker)" in text
    steady = text_of(build_report(with_robustness(inputs, [1.0] + [11 / 12] * 8)))
    assert "No change lowers accuracy significantly (paired exact McNemar test" in steady
    assert "changes that cost accuracy" not in steady


def test_the_section_names_what_the_training_did_against_the_changes():
    inputs = RUNS["default"]()
    train = inputs.model.training | {"augment_mirror": 0.5, "augment_noise": 4.0}
    model = dataclasses.replace(inputs.model, training=train)
    text = text_of(build_report(dataclasses.replace(inputs, model=model)))
    assert (
        "Against them, training changed each image anew (mirrored with probability 0.5, "
        "sensor noise of 4 grey levels)." in text
    )


def test_the_robustness_section_sets_the_run_beside_the_ablation_it_is_a_variant_of():
    inputs = RUNS["default"]()  # the fixture's ablation (tests/test_report.ABLATION): its "none"
    facts = gather_facts(inputs)
    evidence = facts.robustness.ablation
    assert evidence.this_run.label == "none" and evidence.compared.label == "all"
    assert evidence.command == "benchmarks/robustness_ablation.py fixture"
    [table] = [b for b in build_report(inputs) if isinstance(b, Table) and b.label == "robustness"]
    assert table.header[-1] == "every setting"
    assert [row[-1] for row in table.rows] == ["90.0%"] * 6 + ["85.0%"] + ["90.0%"] * 2
    text = text_of(build_report(inputs))
    assert (
        "With every robustness setting (per-photo scaling, mirroring, blur, light jitter and "
        "noise; benchmarks/robustness\\_ablation\\.py fixture, one training each), the lowest "
        "accuracy over the changes is 85.0% (rotated; Table 7, last column); left out alone, "
        "mirroring lowers it the most, from 85.0% to 60.0% (mirrored), any other by at most 1 "
        "photo of 12." in text
    )
    # A run that is another configuration (here another seed) is set beside nothing.
    other = dataclasses.replace(
        inputs,
        params=inputs.params.model_copy(
            update={"train": inputs.params.train.model_copy(update={"seed": 7})}
        ),
    )
    assert gather_facts(other).robustness.ablation is None
    assert "robustness setting (" not in text_of(build_report(other))
    # The run that has every setting is set beside the one with none.
    record = inputs.ablations[0]
    variants = record["variants"] | {"all": record["variants"]["none"], "none": {}}
    flipped = dataclasses.replace(inputs, ablations=({**record, "variants": variants},))
    assert gather_facts(flipped).robustness.ablation.compared.label == "none"
    assert "With none of the robustness settings (" in text_of(build_report(flipped))
    # Another setting that costs: counted in photos, the largest effect alone named.
    rows = [
        row | {"accuracy": 0.7}
        if row["run"] == "without noise" and row["change"] == "noisy"
        else row
        for row in record["rows"]
    ]
    two = dataclasses.replace(inputs, ablations=({**record, "rows": rows},))
    assert "(mirrored), any other by at most 2 photos of 12." in text_of(build_report(two))
    [table] = [b for b in build_report(two) if isinstance(b, Table) and b.label == "robustness"]
    assert table.caption.endswith(
        "last column: this configuration trained again with every robustness setting, once."
    )


def test_an_ablation_record_is_checked_on_load_and_a_bad_one_refused_naming_its_file(tmp_path):
    record = RUNS["default"]().ablations[0]
    good = tmp_path / "robustness_fixture.json"
    good.write_text(json.dumps(record))
    assert load_ablation(good) == record
    for broken in (
        {**record, "variants": {"all": {}}},  # no variant left out, none without rows
        {**record, "rows": [{**row, "accuracy": 1.5} for row in record["rows"]]},
        {key: value for key, value in record.items() if key != "config"},
    ):
        good.write_text(json.dumps(broken))
        with pytest.raises(ArtifactError, match="robustness_fixture.json: not a robustness abl"):
            load_ablation(good)
