"""Every number, name and condition the milestone report states, computed from the artifacts.

:func:`gather_facts` turns a :class:`ReportInputs` (the earlier stages' artifacts, loaded, and
the run's params) into a :class:`Facts`, a plain frozen data object. The report's prose, tables
and figures (:mod:`signnet.report.content`) only format facts; nothing in them is computed or
typed in. Fractions stay fractions (0.956, not 95.6).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from signnet.crosscheck import TOLERANCE
from signnet.data.stratify import held_out_sizes
from signnet.metrics import Z_95
from signnet.modelfile import TrainedModel
from signnet.nn.backend import to_numpy
from signnet.nn.explain import (
    class_score_gradients,
    first_layer_images,
    mean_saliency,
    principal_components,
)
from signnet.nn.optimizers import OPTIMIZERS
from signnet.params import Params, exp_run_setting
from signnet.references import DATA_OF_ORIGIN, DOCUMENTS, MNIST_DATA, Claim, claims_for
from signnet.report.document import literal

# An error the network gave at least this probability is "overconfident".
OVERCONFIDENT = 0.99
# The test loss "rose" when its last value is this much above its lowest (relative).
LOSS_RISE = 0.2
# Training accuracy more than this above the test accuracy is overfitting (absolute).
OVERFIT_GAP = 0.05
# Params that say where or how fast to run, not what is computed: left out of the command that
# reproduces a run (they do not change its bytes).
PLACEMENT_KEYS = {"download": ("mirrors",), "cv": ("workers", "scheduler")}
# The longest line of the reproducing command (it is printed in a box in the PDF).
COMMAND_WIDTH = 90
# The most-confused pairs the discussion names.
CONFUSED_PAIRS = 3
# A class's most salient pixels: this share of the image's pixels.
TOP_SHARE = 0.05
# A convolution filter whose weights sum to less than this share of their magnitudes' sum
# responds to contrast (edges, spots), not to brightness.
CONTRAST = 0.25
# The ninths of an image, by third down (top, middle, bottom) and across (left, centre, right).
REGIONS = (
    ("top left", "top centre", "top right"),
    ("middle left", "centre", "middle right"),
    ("bottom left", "bottom centre", "bottom right"),
)
# The first layer's weights differ between the image's centre and border when the mean
# magnitude of one is this many times the other's.
CENTRE_CONTRAST = 1.2


@dataclasses.dataclass
class ReportInputs:
    """Everything the report reads: the earlier stages' artifacts, loaded, and the params."""

    source: dict  # data/source.json
    test: dict[str, np.ndarray]  # data/test.npz
    model: TrainedModel  # models/model.npz
    history: list[dict]  # models/history.json
    evaluation: dict  # reports/evaluation.json
    probabilities: np.ndarray  # (n_test, K), from data/predictions.npz
    cross_validation: dict  # reports/cv_folds.json: {"folds": [record, ...], "summary": {...}}
    departures: dict  # benchmarks/results/departures.json
    params: Params  # params.yaml, validated
    code_fingerprint: str  # sha256 of the pipeline's code (see signnet.codeprint)
    pairs: dict | None = None  # the all-pairs pipeline's pairs.json, when it exists


@dataclasses.dataclass(frozen=True)
class DataFacts:
    origin: str  # "dataset" (the photos), "mnist" or "course file"
    name: str  # the dataset's name, or the course file's name as literal text
    repository: str  # URL of the dataset or of MNIST's files ("" for a course file)
    commit: str
    commit_date: str
    license: str
    citation: str
    fingerprint: str  # sha256 of the dataset manifest, or of the course file
    source_images: int  # images in the whole source
    per_digit_low: int  # fewest / most images of one digit in the source
    per_digit_high: int
    photos: bool  # True: decoded from photos (EXIF orientation, grayscale, resize)
    image_size: int
    features: int
    scaling: str  # "standardize" or "unit"
    test_fraction: float
    split_seed: int
    rows: tuple[tuple[int, int, int, int], ...]  # (digit, class index, train, test)
    train_images: int  # of the split's training part (the validation part included)
    test_images: int


@dataclasses.dataclass(frozen=True)
class MethodFacts:
    conv: tuple[int, ...]  # channels of each 3x3-style convolution block
    kernel_size: int
    image_side: int
    hidden: tuple[int, ...]
    dropout: float
    batch_norm: bool
    hidden_layers: bool  # any convolution block or hidden dense layer (else: regression)
    activation: str  # a key of signnet.nn.activations.ACTIVATIONS
    outputs: int  # 1 for a pair (sigmoid), K otherwise (softmax)
    n_parameters: int
    init: str
    init_scale: float
    dtype: str
    device: str
    optimizer: str  # a key of signnet.nn.optimizers.OPTIMIZERS
    optimizer_text: str  # the optimizer with its settings, in prose
    lr: float
    momentum: float
    beta1: float
    beta2: float
    weight_decay: float
    schedule: str
    epochs: int
    batch_size: int
    batches_per_epoch: int
    train_images: int
    augment_shift: float
    augment_rotation: float
    augment_scale: float
    validation_fraction: float
    patience: int
    train_seed: int


@dataclasses.dataclass(frozen=True)
class TrainingFacts:
    epochs_run: int
    stopped_early: bool  # fewer epochs than train.epochs (early stopping)
    last: dict  # the last epoch's history record
    lowest_test_loss_epoch: int
    lowest_test_loss: float
    best_test_accuracy: float
    best_test_accuracy_epoch: int
    loss_rose: bool  # the test loss ended LOSS_RISE above its lowest
    gap: float  # last training accuracy minus last test accuracy
    overfit: bool  # the gap is above OVERFIT_GAP
    validation: bool


@dataclasses.dataclass(frozen=True)
class ResultFacts:
    n: int
    correct: int
    accuracy: float
    accuracy_low: float
    accuracy_high: float
    balanced_accuracy: float
    log_loss: float
    roc_auc: float | None  # None: undefined (the test part holds one class)
    headline: tuple[tuple[str, float | None], ...]  # (metric, value): precision, recall, f1...
    train_accuracy: float
    train_low: float
    train_high: float
    train_log_loss: float
    train_n: int
    crosscheck_figures: int
    crosscheck_worst: float
    tolerance: float
    z: float  # the normal quantile of the accuracy's interval


@dataclasses.dataclass(frozen=True)
class Confusion:
    actual: int
    predicted: int
    count: int
    share: float  # of the actual digit's test photos


@dataclasses.dataclass(frozen=True)
class Prediction:
    """The network's answer for one test image."""

    index: int  # in the test part
    file: str
    actual: int  # digit
    predicted: int  # digit
    probability: float  # that the network gives its prediction

    @property
    def wrong(self) -> bool:
        return self.actual != self.predicted


@dataclasses.dataclass(frozen=True)
class DiagnosisFacts:
    """What the discussion reads: errors, confusions, chance."""

    wrong: int
    overconfident: int  # errors with probability >= OVERCONFIDENT
    lowest_error_confidence: float  # nan without errors
    confusions: tuple[Confusion, ...]  # most frequent first
    majority_share: float  # the largest class's share of the test part
    predicted_classes: int  # how many classes the network ever predicts on the test part
    at_chance: bool  # balanced accuracy within one photo of 1 / K, or one class predicted
    examples: tuple[Prediction, ...]  # report.example_photos, evenly spread over the test part
    errors: tuple[Prediction, ...]  # the most confident errors first, report.max_misclassified


@dataclasses.dataclass(frozen=True)
class CVFacts:
    folds: tuple[dict, ...]
    summary: dict
    images: int
    split_inside: bool  # the split's accuracy lies within the folds' range


@dataclasses.dataclass(frozen=True)
class ComparisonRow:
    document: str
    network: str
    data: str
    same_data: bool  # measured on the data this run read (with a split of its own)
    metric: str
    claimed: float
    split: float
    cv_mean: float | None
    cv_low: float | None
    cv_high: float | None
    # the CV interval against the claim: "above" (all of it), "level" (the claim within it),
    # "below" (all of it); "" without cross-validation or for another metric
    verdict: str


@dataclasses.dataclass(frozen=True)
class Departure:
    key: str  # dotted params key
    stated: Any
    used: Any
    evidence: dict | None  # the CV summary of the stated set-up with only this key changed


@dataclasses.dataclass(frozen=True)
class DepartureFacts:
    document: str  # the reference whose set-up the run is compared with ("" if none)
    departures: tuple[Departure, ...]
    stated_evidence: dict | None  # the set-up as stated: {"summary", "chance_folds", "folds"}
    all_evidence: dict | None  # every change together (signnet's configuration)
    measured_on: str  # the configuration the evidence was measured for


@dataclasses.dataclass(frozen=True)
class PairsFacts:
    grid: np.ndarray  # (D, D) mean CV accuracy, NaN diagonal
    digits: tuple[int, ...]
    hardest: tuple[dict, ...]  # {"pair", "accuracy_mean", "accuracy_std"}, hardest first
    folds: int
    easiest: dict


@dataclasses.dataclass(frozen=True)
class Hotspot:
    """Where one class's most salient pixels lie (rows and columns from 1 at the top left)."""

    digit: int
    row: float  # the mean row and column of its TOP_SHARE most salient pixels
    column: float
    region: str  # the ninth of the image (thirds across and down) the mean lies in
    share: float  # of the class's saliency those pixels carry


@dataclasses.dataclass(frozen=True)
class FirstLayerFacts:
    """The first layer's weights as images."""

    kind: str  # the layer's: "dense" or "conv2d"
    images: np.ndarray  # (units, h, w): each unit's or filter's weights
    centre_ratio: float  # dense: mean |weight| in the middle half of rows and columns / the rest's
    contrast_filters: int  # conv: filters whose weights' sum is under CONTRAST of their |sum|


@dataclasses.dataclass(frozen=True)
class SaliencyFacts:
    """Each class's mean saliency on its test images (see :mod:`signnet.nn.explain`)."""

    maps: np.ndarray  # (K, S, S): mean |d class score / d input pixel| over the class's images
    mean_images: np.ndarray  # (K, S, S): the class's mean test image
    top_pixels: int  # the TOP_SHARE of the pixels counted as a class's most salient
    hotspots: tuple[Hotspot, ...]  # per class, in class order
    shared_top: int  # pixels in every class's most salient set


@dataclasses.dataclass(frozen=True)
class MapFacts:
    """The test images on the first two principal components of what the output layer reads."""

    representation: str  # "hidden", "conv" or "input" (see Network.last_hidden)
    width: int  # its values per image
    coordinates: np.ndarray  # (N, 2)
    explained: tuple[float, float]  # the variance share of each component
    labels: np.ndarray  # (N,) class index of each test image
    wrong: np.ndarray  # (N,) bool: misclassified
    nearest_centre: float  # share of test images nearest their own class's centre in the map
    wrong_near_predicted: int  # misclassified images nearer the predicted class's centre


@dataclasses.dataclass(frozen=True)
class InsideFacts:
    """What the network looks at, on the test part."""

    first_layer: FirstLayerFacts
    saliency: SaliencyFacts
    map: MapFacts


@dataclasses.dataclass(frozen=True)
class Facts:
    digits: tuple[int, ...]
    binary: bool
    positive: int | None  # the positive digit of a pair
    data: DataFacts
    method: MethodFacts
    training: TrainingFacts
    results: ResultFacts
    diagnosis: DiagnosisFacts
    cv: CVFacts | None
    comparison: tuple[ComparisonRow, ...]
    departures: DepartureFacts
    documents: tuple[str, ...]  # the reference documents the report cites, keys of DOCUMENTS
    command: str  # the dvc exp run line that reproduces this run from any params.yaml
    code_fingerprint: str
    authors: tuple[str, ...]  # the title block's (report.authors), as literal text
    title_details: tuple[str, ...]  # the title block's other lines: course, milestone, if set,
    # as literal text (signnet.report.document.literal)
    pairs: PairsFacts | None
    inside: InsideFacts


def _data(inputs: ReportInputs, digits: list[int]) -> DataFacts:
    source, results = inputs.source, inputs.evaluation["results"]
    course = source["kind"] == "course file"
    per_digit = [int(v) for v in source.get("images_per_digit", {}).values()] or [0]
    preprocessing = inputs.model.preprocessing
    origin = {"course file": "course file", "MNIST": "mnist"}.get(source["kind"], "dataset")
    return DataFacts(
        origin=origin,
        name=literal(source["file"]) if course else source["kind"],
        repository=source.get("repository", source.get("url", "")),
        commit=source.get("commit", ""),
        commit_date=source.get("commit_date", ""),
        license=source.get("license", ""),
        citation=source.get("citation", ""),
        fingerprint=source["sha256"] if course else source["fingerprint"],
        source_images=int(source["images"]),
        per_digit_low=min(per_digit),
        per_digit_high=max(per_digit),
        photos=origin == "dataset",
        image_size=preprocessing.image_size,
        features=preprocessing.image_size**2,
        scaling=preprocessing.scaling,
        test_fraction=float(inputs.test["test_fraction"]),
        split_seed=int(inputs.test["seed"]),
        rows=tuple(
            (d, k, int(tr), int(te))
            for k, (d, tr, te) in enumerate(
                zip(
                    digits,
                    results["train"]["per_class"]["support"],
                    results["test"]["per_class"]["support"],
                    strict=True,
                )
            )
        ),
        train_images=int(sum(results["train"]["per_class"]["support"])),
        test_images=int(sum(results["test"]["per_class"]["support"])),
    )


def _method(inputs: ReportInputs, train_images: int) -> MethodFacts:
    config, training = inputs.model.network.config, inputs.model.training
    n_parameters = sum(
        int(np.prod(p.shape)) for layer in inputs.model.network.parameters() for p in layer.values()
    )
    optimizer = OPTIMIZERS[training["optimizer"]]  # as the model was trained
    batch = int(training["batch_size"])
    # The train stage holds the validation part out of each class with the one formula.
    sizes = inputs.evaluation["results"]["train"]["per_class"]["support"]
    fitted = train_images - int(held_out_sizes(sizes, training["validation_fraction"]).sum())
    return MethodFacts(
        conv=tuple(config.conv),
        kernel_size=config.kernel_size,
        image_side=config.image_side,
        hidden=tuple(config.hidden),
        dropout=config.dropout,
        batch_norm=config.batch_norm,
        hidden_layers=bool(config.conv or config.hidden),
        activation=config.activation,
        outputs=config.widths[-1],
        n_parameters=n_parameters,
        init=config.init,
        init_scale=config.init_scale,
        dtype=config.dtype,
        device=training["computed_on"],
        optimizer=training["optimizer"],
        optimizer_text=optimizer(**optimizer.settings_from(training)).display(),
        lr=training["lr"],
        momentum=training["momentum"],
        beta1=training["beta1"],
        beta2=training["beta2"],
        weight_decay=training["weight_decay"],
        schedule=training["schedule"],
        epochs=int(training["epochs"]),
        batch_size=batch,
        batches_per_epoch=-(-fitted // batch),
        train_images=fitted,
        augment_shift=training["augment_shift"],
        augment_rotation=training["augment_rotation"],
        augment_scale=training["augment_scale"],
        validation_fraction=training["validation_fraction"],
        patience=int(training["patience"]),
        train_seed=int(training["seed"]),
    )


def _training(history: list[dict], epochs: int) -> TrainingFacts:
    last = history[-1]
    lowest = min(history, key=lambda r: (r["test_loss"], r["epoch"]))
    best = max(history, key=lambda r: (r["test_accuracy"], -r["epoch"]))
    return TrainingFacts(
        epochs_run=len(history),
        stopped_early=len(history) < epochs,
        last=last,
        lowest_test_loss_epoch=lowest["epoch"],
        lowest_test_loss=lowest["test_loss"],
        best_test_accuracy=best["test_accuracy"],
        best_test_accuracy_epoch=best["epoch"],
        loss_rose=last["test_loss"] > (1 + LOSS_RISE) * lowest["test_loss"],
        gap=last["train_accuracy"] - last["test_accuracy"],
        overfit=last["train_accuracy"] - last["test_accuracy"] > OVERFIT_GAP,
        validation="validation_loss" in last,
    )


def _results(evaluation: dict, binary: bool) -> ResultFacts:
    test, train = evaluation["results"]["test"], evaluation["results"]["train"]
    rows = [row for part in evaluation["crosscheck"].values() for row in part]
    if binary:
        headline = tuple((m, test[m]) for m in ("precision", "recall", "f1", "specificity"))
    else:
        headline = tuple((f"macro {m}", test["macro"][m]) for m in ("precision", "recall", "f1"))
    return ResultFacts(
        n=test["n"],
        correct=round(test["accuracy"] * test["n"]),
        accuracy=test["accuracy"],
        accuracy_low=test["accuracy_ci"][0],
        accuracy_high=test["accuracy_ci"][1],
        balanced_accuracy=test["balanced_accuracy"],
        log_loss=test["log_loss"],
        roc_auc=test["roc_auc"],
        headline=headline,
        train_accuracy=train["accuracy"],
        train_low=train["accuracy_ci"][0],
        train_high=train["accuracy_ci"][1],
        train_log_loss=train["log_loss"],
        train_n=train["n"],
        crosscheck_figures=len(rows),
        crosscheck_worst=max(row["difference"] for row in rows),
        tolerance=TOLERANCE,
        z=Z_95,
    )


def _diagnosis(inputs: ReportInputs, digits: list[int]) -> DiagnosisFacts:
    test = inputs.evaluation["results"]["test"]
    confusion = np.array(test["confusion"])
    proba, labels = inputs.probabilities, inputs.test["labels"]
    predicted = proba.argmax(axis=1)
    confidence = proba[np.arange(len(predicted)), predicted]
    wrong = np.flatnonzero(predicted != labels)

    def answer(i: int) -> Prediction:
        return Prediction(
            int(i),
            str(inputs.test["files"][i]),
            int(inputs.test["digits"][i]),
            digits[predicted[i]],
            float(confidence[i]),
        )

    # An even spread over the test part (its order is the dataset's), always the same images.
    report = inputs.params.report
    spread = np.linspace(0, len(predicted) - 1, min(report.example_photos, len(predicted)))
    surest = wrong[np.argsort(-confidence[wrong], kind="stable")][: report.max_misclassified]
    off = [
        Confusion(digits[a], digits[p], int(confusion[a, p]), confusion[a, p] / confusion[a].sum())
        for a in range(len(digits))
        for p in range(len(digits))
        if a != p and confusion[a, p] > 0
    ]
    off.sort(key=lambda c: (-c.count, c.actual, c.predicted))
    n, k = int(confusion.sum()), len(digits)
    predicted_classes = int(np.count_nonzero(confusion.sum(axis=0)))
    return DiagnosisFacts(
        wrong=len(wrong),
        overconfident=int((confidence[wrong] >= OVERCONFIDENT).sum()),
        lowest_error_confidence=float(confidence[wrong].min()) if len(wrong) else float("nan"),
        confusions=tuple(off[:CONFUSED_PAIRS]),
        majority_share=float(confusion.sum(axis=1).max() / n),
        predicted_classes=predicted_classes,
        at_chance=predicted_classes == 1 or test["balanced_accuracy"] <= 1 / k + 1 / n,
        examples=tuple(answer(i) for i in np.unique(spread.round().astype(int))),
        errors=tuple(answer(i) for i in surest),
    )


def _cv(result: dict, split_accuracy: float) -> CVFacts | None:
    folds, summary = result["folds"], result["summary"]
    if not folds:
        return None
    return CVFacts(
        folds=tuple(folds),
        summary=summary,
        images=sum(r["test_images"] for r in folds),
        split_inside=summary["accuracy_min"] <= split_accuracy <= summary["accuracy_max"],
    )


def _comparison(
    claims: list[Claim], test: dict, cv: CVFacts | None, origin: str
) -> tuple[ComparisonRow, ...]:
    rows = []
    for claim in claims:
        for metric, claimed in claim.figures.items():
            with_cv = cv is not None and metric == "accuracy"
            rows.append(
                ComparisonRow(
                    document=claim.document,
                    network=claim.network,
                    data=claim.data,
                    same_data=claim.data == DATA_OF_ORIGIN.get(origin),
                    metric=metric,
                    claimed=claimed,
                    split=test[metric],
                    cv_mean=cv.summary["accuracy_mean"] if with_cv else None,
                    cv_low=cv.summary["accuracy_ci95_low"] if with_cv else None,
                    cv_high=cv.summary["accuracy_ci95_high"] if with_cv else None,
                    verdict=_verdict(claimed, cv.summary) if with_cv else "",
                )
            )
    return tuple(rows)


def _verdict(claimed: float, summary: dict) -> str:
    if summary["accuracy_ci95_low"] > claimed:
        return "above"
    return "below" if summary["accuracy_ci95_high"] < claimed else "level"


def _value(params: Params, key: str) -> Any:
    section, name = key.split(".")
    value = getattr(getattr(params, section), name)
    return list(value) if isinstance(value, tuple) else value


def _departures(claims: list[Claim], params: Params, measured: dict) -> DepartureFacts:
    """The run's settings against the first claim with a stated set-up, with the evidence the
    departures benchmark measured for that claim where the run uses the measured value."""
    runnable = [c for c in claims if c.setup() is not None]
    if not runnable:
        return DepartureFacts("", (), None, None, "")
    claim = runnable[0]
    record = next((r for r in measured.get("results", []) if r["claim"] == claim.name), None)
    runs = {r["change"]: r for r in record["runs"]} if record else {}
    configured = record["configured"] if record else {}
    departures = []
    for key, stated in claim.setup().items():
        used = _value(params, key)
        if used != stated:
            evidence = runs.get(key) if configured.get(key) == used else None
            departures.append(Departure(key, stated, used, evidence))
    every_change = all(_value(params, key) == value for key, value in configured.items()) and {
        d.key for d in departures
    } == set(configured)
    return DepartureFacts(
        document=claim.document,
        departures=tuple(departures),
        stated_evidence=runs.get(None),
        all_evidence=runs.get("all") if every_change else None,
        measured_on=claim.name,
    )


def _pairs(pairs: dict | None) -> PairsFacts | None:
    if not pairs:
        return None
    # Imported here: the pairs module is only needed when the all-pairs results exist.
    from signnet.pipeline.pairs import HARDEST, difficulty_map, hardest

    summaries = {name: result["summary"] for name, result in pairs.items()}
    grid, digits = difficulty_map(summaries)
    ranked = hardest(summaries, len(summaries))  # every pair, hardest first
    return PairsFacts(
        grid=grid,
        digits=tuple(digits),
        hardest=tuple(ranked[:HARDEST]),
        folds=len(next(iter(pairs.values()))["folds"]),
        easiest=ranked[-1],
    )


def most_salient(saliency: np.ndarray, top: int) -> np.ndarray:
    """The flat indices of the ``top`` largest values of ``saliency`` (S, S), largest first."""
    return np.argsort(-saliency.ravel(), kind="stable")[:top]


def hotspot(digit: int, saliency: np.ndarray, top: int) -> Hotspot:
    """Where the ``top`` largest values of ``saliency`` (S, S) lie."""
    side = saliency.shape[0]
    chosen = most_salient(saliency, top)
    rows, columns = np.divmod(chosen, side)
    row, column = rows.mean(), columns.mean()
    total = saliency.sum()
    return Hotspot(
        digit=digit,
        row=float(row) + 1,
        column=float(column) + 1,
        region=REGIONS[min(int(3 * row / side), 2)][min(int(3 * column / side), 2)],
        share=float(saliency.ravel()[chosen].sum() / total) if total > 0 else 0.0,
    )


def _first_layer(model: TrainedModel) -> FirstLayerFacts:
    images = first_layer_images(model.network)  # (units, h, w)
    kind = model.network.trainable()[0].kind
    centre_ratio, contrast = float("nan"), 0
    if kind == "dense":
        side = images.shape[1]
        half = slice(side // 4, side - side // 4)
        centre = np.zeros((side, side), dtype=bool)
        centre[half, half] = True
        magnitude = np.abs(images).mean(axis=0)  # (S, S)
        centre_ratio = float(magnitude[centre].mean() / magnitude[~centre].mean())
    else:
        sums = np.abs(images.sum(axis=(1, 2)))
        contrast = int((sums < CONTRAST * np.abs(images).sum(axis=(1, 2))).sum())
    return FirstLayerFacts(kind, images, centre_ratio, contrast)


def _saliency(model: TrainedModel, x: np.ndarray, test: dict, digits: list[int]) -> SaliencyFacts:
    images, labels = test["images"], test["labels"]
    k, side = len(digits), images.shape[1]
    gradients = class_score_gradients(model.network, x, labels)  # (N, S*S)
    maps = mean_saliency(gradients, labels, k).reshape(k, side, side)
    top = max(1, round(TOP_SHARE * side * side))
    tops = [set(most_salient(maps[c], top).tolist()) for c in range(k)]
    return SaliencyFacts(
        maps=maps,
        mean_images=np.stack(
            [
                images[labels == c].mean(axis=0) if (labels == c).any() else np.zeros((side, side))
                for c in range(k)
            ]
        ),
        top_pixels=top,
        hotspots=tuple(hotspot(d, maps[c], top) for c, d in enumerate(digits)),
        shared_top=len(set.intersection(*tops)),
    )


def _map(model: TrainedModel, x: np.ndarray, labels: np.ndarray, predicted: np.ndarray) -> MapFacts:
    config = model.network.config
    hidden = to_numpy(model.network.last_hidden(x))  # (N, widths[-2])
    coordinates, explained = principal_components(hidden, 2)
    if coordinates.shape[1] < 2:  # one value per image: the map's second axis is flat
        coordinates = np.pad(coordinates, ((0, 0), (0, 2 - coordinates.shape[1])))
        explained = np.pad(explained, (0, 2 - len(explained)))
    present = [c for c in range(config.n_classes) if (labels == c).any()]
    centres = np.stack([coordinates[labels == c].mean(axis=0) for c in present])  # (K', 2)
    distances = np.linalg.norm(coordinates[:, None, :] - centres[None], axis=2)  # (N, K')
    index = {c: i for i, c in enumerate(present)}
    wrong = predicted != labels
    return MapFacts(
        representation="hidden" if config.hidden else "conv" if config.conv else "input",
        width=hidden.shape[1],
        coordinates=coordinates,
        explained=(float(explained[0]), float(explained[1])),
        labels=labels,
        wrong=wrong,
        nearest_centre=float((np.asarray(present)[distances.argmin(axis=1)] == labels).mean()),
        wrong_near_predicted=sum(
            1
            for i in np.flatnonzero(wrong)
            if predicted[i] in index
            and distances[i, index[predicted[i]]] < distances[i, index[labels[i]]]
        ),
    )


def _inside(inputs: ReportInputs, digits: list[int]) -> InsideFacts:
    x = inputs.model.inputs(inputs.test["images"])  # (N, S*S), as the network takes them
    return InsideFacts(
        first_layer=_first_layer(inputs.model),
        saliency=_saliency(inputs.model, x, inputs.test, digits),
        map=_map(inputs.model, x, inputs.test["labels"], inputs.probabilities.argmax(axis=1)),
    )


def reproduce_command(params: Params) -> str:
    """``dvc exp run -S key=value ...``: every setting that decides the run's bytes, in
    params.yaml's order, as shell lines of at most :data:`COMMAND_WIDTH` characters."""
    settings = [
        exp_run_setting(section, key, value)
        for section, keys in params.model_dump(mode="json").items()
        for key, value in keys.items()
        if key not in PLACEMENT_KEYS.get(section, ())
    ]
    lines = ["dvc exp run"]
    for setting in settings:
        option = f"-S {setting}"
        if len(lines[-1]) + len(option) + 3 > COMMAND_WIDTH:
            lines.append("")
        lines[-1] = f"{lines[-1]} {option}".strip()
    return " \\\n  ".join(lines)


def gather_facts(inputs: ReportInputs) -> Facts:
    """Every fact the report states, from ``inputs``."""
    digits = [int(d) for d in inputs.evaluation["classes"]]
    binary = len(digits) == 2
    test = inputs.evaluation["results"]["test"]
    data = _data(inputs, digits)
    cv = _cv(inputs.cross_validation, test["accuracy"])
    # MNIST runs compare with the claims on MNIST only; photo runs with every claim on the task.
    claims = [c for c in claims_for(digits) if data.origin != "mnist" or c.data == MNIST_DATA]
    departures = _departures(claims, inputs.params, inputs.departures)
    cited = [c.document for c in claims] + [departures.document] * bool(departures.document)
    return Facts(
        digits=tuple(digits),
        binary=binary,
        positive=digits[1] if binary else None,
        data=data,
        method=_method(inputs, sum(row[2] for row in data.rows)),
        training=_training(inputs.history, int(inputs.model.training["epochs"])),
        results=_results(inputs.evaluation, binary),
        diagnosis=_diagnosis(inputs, digits),
        cv=cv,
        comparison=_comparison(claims, test, cv, data.origin),
        departures=departures,
        documents=tuple(k for k in DOCUMENTS if k in cited),
        command=reproduce_command(inputs.params),
        code_fingerprint=inputs.code_fingerprint,
        authors=tuple(literal(a) for a in inputs.params.report.authors),
        title_details=tuple(
            literal(line)
            for line in (inputs.params.report.course, inputs.params.report.milestone)
            if line
        ),
        pairs=_pairs(inputs.pairs),
        inside=_inside(inputs, digits),
    )
