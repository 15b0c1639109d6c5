"""The milestone report's content, built from the pipeline's artifacts alone.

:func:`build_report` returns the list of blocks (see :mod:`signnet.report.document`) that both
renderers turn into files. Every number in it is read from an artifact; nothing is typed in.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from signnet.modelfile import TrainedModel
from signnet.params import ReportParams
from signnet.report import figures
from signnet.report.document import Block, Bullets, Figure, Heading, Paragraph, Table

PHOTO_COLUMNS = 6

# What the reference reports set out with, for the "departures" paragraph.
REFERENCE_SETUP = {"optimizer": "sgd", "lr": 0.01, "scaling": "unit", "init": "normal"}


@dataclasses.dataclass
class ReportInputs:
    """Everything the report reads: the artifacts of the earlier stages, loaded."""

    source: dict  # data/source.json
    test: dict[str, np.ndarray]  # data/test.npz
    model: TrainedModel  # models/model.npz
    history: list[dict]  # models/history.json
    evaluation: dict  # reports/evaluation.json
    probabilities: np.ndarray  # (n_test, K), from data/predictions.npz
    cross_validation: dict  # reports/cv_folds.json: {"folds": [record, ...], "summary": {...}}
    params: ReportParams


def _pct(value: float, digits: int = 1) -> str:
    return f"{100 * value:.{digits}f}%"


def _num(value: float) -> str:
    return f"{value:.4f}"


def _task(digits: list[int]) -> str:
    """``6 vs 8`` for a pair, ``0, 3 and 5`` for more digits."""
    if len(digits) == 2:
        return f"{digits[0]} vs {digits[1]}"
    return ", ".join(str(d) for d in digits[:-1]) + f" and {digits[-1]}"


def _kind(config) -> str:
    return "convolutional" if config.conv else "fully connected"


def _data_section(inputs: ReportInputs, digits: list[int]) -> list[Block]:
    source, test, results = inputs.source, inputs.test, inputs.evaluation["results"]
    train_support = results["train"]["per_class"]["support"]
    test_support = results["test"]["per_class"]["support"]
    size = inputs.model.preprocessing.image_size
    rows = tuple(
        (str(d), str(k), str(tr + te), str(tr), str(te))
        for k, (d, tr, te) in enumerate(zip(digits, train_support, test_support, strict=True))
    )
    total = (
        "all",
        "",
        str(sum(train_support) + sum(test_support)),
        str(sum(train_support)),
        str(sum(test_support)),
    )
    scaling = inputs.model.preprocessing.scaling
    scaling_text = (
        "each pixel is standardised to zero mean and unit variance with the mean and standard "
        "deviation of that pixel over the training part only (a constant pixel keeps scale 1)"
        if scaling == "standardize"
        else "pixel values are divided by 255 into [0, 1]"
    )
    if source["kind"] == "course file":
        origin = (
            f"The photos come from the course file {source['file']} "
            f"(sha256 {source['sha256'][:16]}...), {source['images']} images in all."
        )
    else:
        origin = (
            f"The photos come from the {source['kind']} (Mavi, 2020), {source['repository']}, "
            f"commit {source['commit'][:10]} of {source['commit_date']}, licensed under the "
            f"{source['license']}: {source['images']} RGB photos of one hand showing a digit, "
            "about 205 per digit. Their content fingerprint (sha256 of the sorted per-file "
            f"manifest, {source['fingerprint'][:16]}...) was verified before use. "
            f"Citation: {source['citation']}."
        )
    return [
        Heading("1 Data"),
        Paragraph(origin),
        Paragraph(
            f"Each photo is turned upright by its EXIF orientation, converted to 8-bit grayscale "
            f"and resized to {size} x {size} pixels (Lanczos; non-square photos would be "
            f"centre-cropped), giving {size * size} input features. Then {scaling_text}. The "
            f"split is stratified and seeded (seed {int(test['seed'])}): from each class, "
            f"{_pct(float(test['test_fraction']), 0)} of the photos (rounded) form the test part."
        ),
        Table(
            ("digit", "class index", "images", "train", "test"),
            (*rows, total),
            caption="Images per class and split.",
        ),
    ]


def _model_section(inputs: ReportInputs, digits: list[int]) -> list[Block]:
    config, training = inputs.model.network.config, inputs.model.training
    binary = len(digits) == 2
    activation = config.activation.capitalize()
    output_activation = "Sigmoid" if binary else "Softmax"
    k = config.kernel_size
    blocks = [f"{c} x ({k}x{k} conv, 2x2 max-pool)" for c in config.conv]
    dense = [f"{n} neurons" for n in config.hidden]
    dropped = f", dropout {config.dropout:g}" if config.dropout and config.hidden else ""
    hidden = ", ".join(blocks + dense) + dropped if blocks or dense else "none"
    n_parameters = sum(
        int(np.prod(p.shape)) for layer in inputs.model.network.parameters() for p in layer.values()
    )
    optimizer = {
        "sgd": "mini-batch gradient descent (plain SGD)",
        "momentum": f"SGD with momentum {training['momentum']}",
        "adam": f"Adam (beta1 {training['beta1']}, beta2 {training['beta2']})",
    }[training["optimizer"]]
    init = {
        "xavier": "Xavier/Glorot uniform weights, zero biases",
        "he": "He normal weights, zero biases",
        "normal": f"normal weights with std {config.init_scale}, zero biases",
    }[config.init]
    setup = (
        ("Optimizer", optimizer),
        ("Learning rate", f"{training['lr']:g}"),
        ("Epochs", str(training["epochs"])),
        ("Batch size", str(training["batch_size"])),
        ("L2 weight decay", f"{training['weight_decay']:g}"),
        ("Initialisation", init),
        ("Seeds", f"weights and batch order {training['seed']}; split {int(inputs.test['seed'])}"),
        ("Device", training["computed_on"]),
        ("Floating point", config.dtype),
        ("Trainable parameters", f"{n_parameters:,}"),
        *_recipe_rows(training),
    )
    departures = []
    if training["optimizer"] != REFERENCE_SETUP["optimizer"]:
        departures.append(f"the optimizer is {optimizer} instead of plain gradient descent")
    if training["lr"] != REFERENCE_SETUP["lr"]:
        departures.append(f"the learning rate is {training['lr']:g} instead of 0.01")
    if inputs.model.preprocessing.scaling != REFERENCE_SETUP["scaling"]:
        departures.append("pixels are standardised per pixel instead of divided by 255")
    if config.init != REFERENCE_SETUP["init"]:
        departures.append(f"weights start from the {config.init} initialisation")
    departure_text = (
        "Departures from the reference reports' set-up (784 inputs, sigmoid units, binary "
        "cross-entropy, learning rate 0.01, plain gradient descent on pixels in [0, 1]): "
        + "; ".join(departures)
        + ". They were chosen so that the network trains reliably on these photos within the "
        "reference's epoch budget."
        if departures
        else "The set-up follows the reference reports exactly."
    )
    return [
        Heading("2 Model"),
        Paragraph(
            f"A {_kind(config)} network written from scratch with array operations only "
            "(NumPy; the same code runs on CuPy arrays on a GPU): "
            f"{'convolution, pooling and dense' if config.conv else 'dense'} layers, "
            "backpropagation and the optimizer are the project's own code. The loss is computed "
            "from the logits, so it never takes log(0)."
        ),
        Table(
            ("Input Layer", "Hidden Layer", "Output Layer", "Activation", "Loss Function"),
            (
                (
                    f"{config.image_side} x {config.image_side} image"
                    if config.conv
                    else f"{config.n_features} neurons",
                    hidden,
                    f"{config.widths[-1]} neuron{'s' if config.widths[-1] > 1 else ''}",
                    f"{activation} (hidden), {output_activation} (output)",
                    "Binary cross-entropy" if binary else "Categorical cross-entropy",
                ),
            ),
            caption="Architecture, as the reference reports present it.",
            numeric=False,
        ),
        Table(("Setting", "Value"), setup, caption="Training set-up.", numeric=False),
        Paragraph(departure_text),
    ]


def _recipe_rows(training: dict) -> list[tuple[str, str]]:
    """Set-up rows for the optional parts of the training recipe that this run used."""
    rows = []
    if training["schedule"] != "constant":
        rows.append(("Learning-rate schedule", f"{training['schedule']} over the epochs"))
    shift, rotation, scale = (training[f"augment_{k}"] for k in ("shift", "rotation", "scale"))
    if shift or rotation or scale:
        rows.append(
            (
                "Augmentation (per sample, per epoch)",
                f"shift up to {shift:g} of the side, rotation up to {rotation:g} degrees, "
                f"scale up to {scale:g} either way",
            )
        )
    if training["validation_fraction"]:
        patience = training["patience"]
        stop = f", stop after {patience} epochs without improvement" if patience else ""
        rows.append(
            (
                "Validation part",
                f"{training['validation_fraction']:g} of the training part per class; the "
                f"weights of the epoch with the lowest validation loss are kept{stop}",
            )
        )
    return rows


def _training_section(history: list[dict]) -> list[Block]:
    last = history[-1]
    best = max(history, key=lambda r: (r["test_accuracy"], -r["epoch"]))
    return [
        Heading("3 Training"),
        Figure(
            "curves.png",
            figures.training_curves(history),
            "Loss and accuracy per epoch on the training and test parts, each evaluated on the "
            "whole part after the epoch.",
        ),
        Paragraph(
            f"After the last epoch ({last['epoch']}), the training loss is "
            f"{_num(last['train_loss'])} (accuracy {_pct(last['train_accuracy'])}) and the test "
            f"loss {_num(last['test_loss'])} (accuracy {_pct(last['test_accuracy'])}). The best "
            f"test accuracy, {_pct(best['test_accuracy'])}, was first reached at epoch "
            f"{best['epoch']}; the reported model is the one after the last epoch, not the best "
            "one, so the test part is never used to choose it."
        ),
    ]


def _metric_rows(result: dict, checks: list[dict], binary: bool) -> tuple[tuple[str, ...], ...]:
    by_name = {row["metric"]: row for row in checks}
    names = [("accuracy", "Accuracy"), ("balanced accuracy", "Balanced accuracy")]
    if binary:
        names += [
            ("precision", "Precision (positive class)"),
            ("recall", "Recall (positive class)"),
            ("f1", "F1-score (positive class)"),
            ("specificity", "Specificity"),
        ]
    else:
        names += [
            (f"{a} {m}", f"{a.capitalize()} {m}")
            for a in ("macro", "weighted")
            for m in ("precision", "recall", "f1")
        ]
    names += [
        ("log-loss", "Log-loss"),
        ("ROC AUC", "ROC AUC" if binary else "ROC AUC (micro, one-vs-rest)"),
    ]
    return tuple(
        (
            label,
            _num(by_name[key]["hand"]),
            _num(by_name[key]["sklearn"]),
            f"{by_name[key]['difference']:.1e}",
        )
        for key, label in names
        if key in by_name
    )


def _classification_report(result: dict, digits: list[int]) -> Table:
    per_class = result["per_class"]
    rows = [
        (
            f"digit {d}",
            f"{per_class['precision'][k]:.2f}",
            f"{per_class['recall'][k]:.2f}",
            f"{per_class['f1'][k]:.2f}",
            str(per_class["support"][k]),
        )
        for k, d in enumerate(digits)
    ]
    n = result["n"]
    rows.append(("accuracy", "", "", f"{result['accuracy']:.2f}", str(n)))
    for average in ("macro", "weighted"):
        figures_ = result[average]
        rows.append(
            (
                f"{average} avg",
                f"{figures_['precision']:.2f}",
                f"{figures_['recall']:.2f}",
                f"{figures_['f1']:.2f}",
                str(n),
            )
        )
    return Table(
        ("", "precision", "recall", "f1-score", "support"),
        tuple(rows),
        caption="Classification report on the test part (computed by hand, laid out as "
        "scikit-learn's classification_report).",
    )


def _results_section(inputs: ReportInputs, digits: list[int]) -> list[Block]:
    evaluation = inputs.evaluation
    test, train = evaluation["results"]["test"], evaluation["results"]["train"]
    binary = len(digits) == 2
    correct = round(test["accuracy"] * test["n"])
    low, high = test["accuracy_ci"]
    all_rows = [row for part in evaluation["crosscheck"].values() for row in part]
    worst = max(row["difference"] for row in all_rows)
    positive = f" Digit {digits[1]} (class index 1) is the positive class." if binary else ""
    blocks: list[Block] = [
        Heading("4 Results on the test part"),
        Paragraph(
            f"The model classifies {correct} of the {test['n']} test photos correctly: accuracy "
            f"{_pct(test['accuracy'])}, with a 95% Wilson confidence interval of "
            f"{_pct(low)} to {_pct(high)}. The interval is wide because the test part is small; "
            f"differences of a point or two between runs or reports are within it.{positive}"
        ),
        Table(
            ("Metric", "signnet (by hand)", "scikit-learn", "|difference|"),
            _metric_rows(test, evaluation["crosscheck"]["test"], binary),
            caption="Test metrics computed by hand with NumPy, beside scikit-learn's values for "
            "the same predictions.",
        ),
        Paragraph(
            f"Cross-check: all {len(all_rows)} figures (confusion matrices, per-class and "
            f"averaged precision, recall and F1, accuracy, balanced accuracy, log-loss, ROC "
            f"points and AUC, on the test and the training part) agree with scikit-learn; the "
            f"largest absolute difference is {worst:.1e}, within the tolerance of 1e-12 that "
            "fails the evaluate stage."
        ),
        Figure(
            "confusion.png",
            figures.confusion_heatmap(np.array(test["confusion"]), digits),
            "Confusion matrix on the test part: rows are the actual digit, columns the "
            "predicted one.",
            width=0.55 if binary else 0.8,
        ),
        _classification_report(test, digits),
        Figure(
            "roc.png",
            figures.roc_figure(
                test["roc"]["fpr"],
                test["roc"]["tpr"],
                test["roc_auc"],
                f"digit {digits[1]} positive" if binary else "micro-average, one-vs-rest",
            ),
            "ROC curve on the test part, from the predicted probabilities.",
            width=0.42,
        ),
        Table(
            ("Part", "images", "accuracy", "95% interval", "log-loss"),
            tuple(
                (
                    name,
                    str(r["n"]),
                    _pct(r["accuracy"]),
                    f"{_pct(r['accuracy_ci'][0])} to {_pct(r['accuracy_ci'][1])}",
                    _num(r["log_loss"]),
                )
                for name, r in (("train", train), ("test", test))
            ),
            caption="Training and test figures side by side: the gap shows how much the model "
            "fits its training photos beyond what carries over.",
        ),
        *_cross_validation(inputs.cross_validation, test["accuracy"]),
    ]
    return blocks


def _cross_validation(result: dict, split_accuracy: float) -> list[Block]:
    """The cross-validation paragraph and per-fold table, from the crossvalidate stage."""
    folds, summary = result["folds"], result["summary"]
    if not folds:
        return [Paragraph("Cross-validation was off for this run (fewer than two folds).")]
    low, high = summary["accuracy_ci95_low"], summary["accuracy_ci95_high"]
    inside = summary["accuracy_min"] <= split_accuracy <= summary["accuracy_max"]
    images = sum(r["test_images"] for r in folds)
    return [
        Paragraph(
            f"Cross-validation: the same network and recipe, trained on each of {len(folds)} "
            f"stratified folds of all {images} photos (pixels scaled with each fold's own "
            f"training statistics), reaches a mean test accuracy of "
            f"{_pct(summary['accuracy_mean'])} ± {_pct(summary['accuracy_std'])} (standard "
            f"deviation over folds; {_pct(summary['accuracy_min'])} to "
            f"{_pct(summary['accuracy_max'])}). A 95% interval for the mean, widened for the "
            f"training photos the folds share (Nadeau and Bengio), is {_pct(low)} to "
            f"{_pct(high)}. The single split's {_pct(split_accuracy)} lies "
            f"{'within' if inside else 'outside'} the range of the folds."
        ),
        Table(
            ("Fold", "training photos", "test photos", "accuracy", "balanced accuracy", "log-loss"),
            tuple(
                (
                    str(r["fold"]),
                    str(r["train_images"]),
                    str(r["test_images"]),
                    _pct(r["accuracy"]),
                    _pct(r["balanced_accuracy"]),
                    _num(r["log_loss"]),
                )
                for r in folds
            )
            + (
                (
                    "mean ± std",
                    "",
                    "",
                    f"{_pct(summary['accuracy_mean'])} ± {_pct(summary['accuracy_std'])}",
                    f"{_pct(summary['balanced_accuracy_mean'])} ± "
                    f"{_pct(summary['balanced_accuracy_std'])}",
                    f"{_num(summary['log_loss_mean'])} ± {_num(summary['log_loss_std'])}",
                ),
            ),
            caption=f"Stratified {len(folds)}-fold cross-validation: each fold's test figures.",
        ),
    ]


def _photos_section(inputs: ReportInputs, digits: list[int]) -> list[Block]:
    test, proba, params = inputs.test, inputs.probabilities, inputs.params
    size = inputs.model.preprocessing.image_size
    predicted = proba.argmax(axis=1)
    confidence = proba[np.arange(len(predicted)), predicted]
    true_digits, predicted_digits = test["digits"], np.array(digits)[predicted]
    wrong = np.flatnonzero(predicted != test["labels"])

    def titles(indices: np.ndarray, with_file: bool) -> list[str]:
        return [
            (f"{str(test['files'][i]).rsplit('/', 1)[-1]}\n" if with_file else "")
            + f"true {true_digits[i]}, pred {predicted_digits[i]}\np = {confidence[i]:.3f}"
            for i in indices
        ]

    # An even spread over the test part (its order is the dataset's), always the same photos.
    shown = np.linspace(0, len(predicted) - 1, min(params.example_photos, len(predicted)))
    shown = np.unique(shown.round().astype(int))
    blocks: list[Block] = [
        Heading("5 Predictions on test photos"),
        Figure(
            "examples.png",
            figures.photo_grid(
                test["images"][shown],
                titles(shown, False),
                PHOTO_COLUMNS,
                list(predicted[shown] != test["labels"][shown]),
            ),
            f"{len(shown)} test photos, evenly spread over the test part, as the network sees them "
            f"({size} x {size} grayscale), with the true digit, the predicted digit and the "
            "probability the network gives its prediction. Red titles mark errors.",
        ),
    ]
    if len(wrong) == 0:
        blocks.append(Paragraph("Every test photo is classified correctly."))
        return blocks
    # The most confident mistakes first: those say most about what the network learned.
    worst = wrong[np.argsort(-confidence[wrong], kind="stable")][: params.max_misclassified]
    listed = "all" if len(worst) == len(wrong) else f"the {len(worst)} most confident"
    blocks += [
        Paragraph(
            f"{len(wrong)} test photo{'s are' if len(wrong) > 1 else ' is'} misclassified; "
            f"{listed} of them follow, most confident first, each with its file name in the "
            "dataset."
        ),
        Figure(
            "misclassified.png",
            figures.photo_grid(
                test["images"][worst], titles(worst, True), PHOTO_COLUMNS, [True] * len(worst)
            ),
            "Misclassified test photos with their file names.",
        ),
        Table(
            ("file", "true digit", "predicted", "probability"),
            tuple(
                (
                    str(test["files"][i]),
                    str(true_digits[i]),
                    str(predicted_digits[i]),
                    f"{confidence[i]:.3f}",
                )
                for i in worst
            ),
            caption="The misclassified photos, to look them up in the dataset.",
        ),
    ]
    return blocks


def _discussion(inputs: ReportInputs, digits: list[int]) -> list[Block]:
    test = inputs.evaluation["results"]["test"]
    low, high = test["accuracy_ci"]
    return [
        Heading("6 Discussion"),
        Bullets(
            (
                f"The network reaches {_pct(test['accuracy'])} test accuracy on {_task(digits)}. "
                f"With {test['n']} test photos, the 95% interval ({_pct(low)} to {_pct(high)}) is "
                "the honest precision of that figure.",
                "The reference reports used a course copy of 5,000 28 x 28 images that is not "
                "public; this report uses the public photos, about 205 per digit, so its test "
                "part is smaller and its figures are not directly comparable with theirs.",
                "Every metric was computed by hand and matched scikit-learn's to within 1e-12 on "
                "the same predictions; the model was chosen without looking at the test part.",
                "Next steps: cross-validation to measure the spread across splits"
                + (
                    "."
                    if inputs.model.network.config.conv
                    else ", more digits, and convolutional layers that use the images' spatial "
                    "structure."
                ),
            )
        ),
    ]


def build_report(inputs: ReportInputs) -> list[Block]:
    """The report's blocks, in reading order."""
    digits = [int(d) for d in inputs.evaluation["classes"]]
    source = inputs.source
    dated = (
        f"data of {source['commit_date']} (commit {source['commit'][:10]})"
        if "commit" in source
        else f"data from {source['file']}"
    )
    return [
        Heading(f"Sign-language digits {_task(digits)}: a neural network from scratch", level=1),
        Paragraph(
            f"Milestone report, generated by the signnet pipeline from its artifacts; {dated}. "
            "The task: classify photos of a hand showing a digit in sign language, with a "
            f"{_kind(inputs.model.network.config)} network whose forward pass, backpropagation "
            "and optimizer are written with array operations only, and metrics computed by hand."
        ),
        *_data_section(inputs, digits),
        *_model_section(inputs, digits),
        *_training_section(inputs.history),
        *_results_section(inputs, digits),
        *_photos_section(inputs, digits),
        *_discussion(inputs, digits),
    ]
