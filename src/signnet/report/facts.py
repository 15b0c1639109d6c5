"""Every number, name and condition the milestone report states, computed from the artifacts.

:func:`gather_facts` turns a :class:`ReportInputs` (the earlier stages' artifacts, loaded, and
the run's params) into a :class:`Facts`, a plain frozen data object. The report's prose, tables
and figures (:mod:`signnet.report.content`) only format facts; nothing in them is computed or
typed in. Fractions stay fractions (0.956, not 95.6).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from signnet.crosscheck import TOLERANCE
from signnet.data.stratify import held_out_sizes
from signnet.metrics import Z_95
from signnet.modelfile import TrainedModel
from signnet.nn.optimizers import OPTIMIZERS
from signnet.params import Params, exp_run_setting
from signnet.references import DOCUMENTS, MNIST_DATA, claims_for
from signnet.report.ablation import AblationFacts, ablation
from signnet.report.claims import ComparisonRow, DepartureFacts, comparison
from signnet.report.claims import departures as departures_from
from signnet.report.document import literal
from signnet.report.judgements import (
    OVERCONFIDENT,
    at_chance,
    calibrated,
    costly_changes,
    loss_rose,
    overfits,
)
from signnet.report.network_views import NetworkViews, network_views

# Params that say where or how fast to run, not what is computed: left out of the command that
# reproduces a run (they do not change its bytes).
PLACEMENT_KEYS = {"download": ("mirrors",), "cv": ("workers", "scheduler")}
# The longest line of the reproducing command (it is printed in a box in the PDF).
COMMAND_WIDTH = 95
# The most-confused pairs the discussion names.
CONFUSED_PAIRS = 3


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
    # One test photo under every photo change, uint8 (C, S, S), from data/predictions.npz (None:
    # the source has no photos to change)
    changed_example: np.ndarray | None = None
    # Robustness ablations (benchmarks/results/robustness_<config>.json), searched in order for
    # the variant this run is
    ablations: tuple[dict, ...] = ()


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
    scaling: str  # a key of signnet.data.preprocessing.SCALINGS
    test_fraction: float
    split_seed: int
    rows: tuple[tuple[int, int, int, int], ...]  # (digit, class index, train, test)
    train_images: int  # of the split's training part (the validation part included)
    test_images: int


@dataclasses.dataclass(frozen=True)
class LayerFacts:
    """One layer of the network, in the order computed."""

    spec: dict  # its spec (see signnet.nn.layers)
    output: tuple[int, ...]  # one image's output: (features,) or (height, width, channels)
    parameters: int  # the numbers it learns


@dataclasses.dataclass(frozen=True)
class LimitFacts:
    """What the data lets the test figures say, and what not."""

    signers: int | None  # people whose hands the source shows (None: not stated)
    signer_recorded: bool  # whether each photo says whose hand it is
    brightness: tuple[float, float, float]  # the test photos' mean brightness (0-255): the
    # lowest, the highest and the standard deviation over photos


@dataclasses.dataclass(frozen=True)
class MethodFacts:
    layers: tuple[LayerFacts, ...]
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
    augment_mirror: float
    augment_blur: float
    augment_brightness: float
    augment_contrast: float
    augment_noise: float
    validation_fraction: float
    patience: int
    train_seed: int

    @property
    def augmented(self) -> bool:
        """Whether the training images were augmented at all."""
        return any(value for value, _ in self._augmentations())

    def _augmentations(self) -> list[tuple[float, str]]:
        """Each augmentation setting with its words."""
        return [
            (self.augment_shift, f"shift up to {self.augment_shift:g} of the side"),
            (self.augment_rotation, f"rotation up to {self.augment_rotation:g}°"),
            (self.augment_scale, f"scale up to {self.augment_scale:g} either way"),
            (self.augment_mirror, f"mirrored with probability {self.augment_mirror:g}"),
            (self.augment_blur, f"blur up to sigma {self.augment_blur:g} px"),
            (self.augment_contrast, f"contrast up to {self.augment_contrast:g} either way"),
            (self.augment_brightness, f"brightness up to {self.augment_brightness:g} either way"),
            (self.augment_noise, f"sensor noise of {self.augment_noise:g} grey levels"),
        ]

    def augmentation(self) -> str:
        """The augmentation in words, its active parts only (e.g. "shift up to 0.1 of the side,
        mirrored with probability 0.5")."""
        return ", ".join(text for value, text in self._augmentations() if value)


@dataclasses.dataclass(frozen=True)
class TrainingFacts:
    epochs_run: int
    stopped_early: bool  # fewer epochs than train.epochs (early stopping)
    last: dict  # the last epoch's history record
    lowest_test_loss_epoch: int
    lowest_test_loss: float
    best_test_accuracy: float
    best_test_accuracy_epoch: int
    loss_rose: bool  # the test loss ended well above its lowest (judgements.loss_rose)
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
    overfit: bool  # judgements.overfits: training accuracy above the 95% interval of the
    # cross-validated accuracy (of the test accuracy without cross-validation)
    ece: float  # expected calibration error on the test part (signnet.metrics.reliability)
    calibration_gap: float  # mean confidence minus accuracy (above 0: overconfident)
    calibrated: bool  # judgements.calibrated
    reliability: dict  # {"confidence", "accuracy", "count"} per filled bin of confidence
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
    at_chance: bool  # judgements.at_chance
    examples: tuple[Prediction, ...]  # report.example_photos, evenly spread over the test part
    errors: tuple[Prediction, ...]  # the most confident errors first, report.max_misclassified


@dataclasses.dataclass(frozen=True)
class CVFacts:
    folds: tuple[dict, ...]
    summary: dict
    images: int
    split_inside: bool  # the split's accuracy lies within the folds' range


@dataclasses.dataclass(frozen=True)
class PairsFacts:
    grid: np.ndarray  # (D, D) mean CV accuracy, NaN diagonal
    digits: tuple[int, ...]
    hardest: tuple[dict, ...]  # {"pair", "accuracy_mean", "accuracy_std"}, hardest first
    folds: int
    easiest: dict


@dataclasses.dataclass(frozen=True)
class RobustnessFacts:
    """The test part under each photo change (evaluation.json's ``robustness``)."""

    rows: tuple[dict, ...]  # evaluation.json's rows (signnet.pipeline.robustness); as taken 1st
    worst: dict  # change, accuracy
    mean_accuracy: float  # over the changes, as taken left out
    example: dict  # file, digit, answers: [{change, answer, probability}] per change
    costly: tuple[str, ...]  # the changes that cost accuracy (judgements.costly_changes)
    ablation: AblationFacts | None  # what each robustness setting is worth, where measured for
    # this run's configuration


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
    inside: NetworkViews
    limits: LimitFacts
    robustness: RobustnessFacts | None  # None: the source has no photos to change


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


def _layers(model: TrainedModel) -> tuple[LayerFacts, ...]:
    """Each layer with the shape of its output, from one blank image passed through the
    network as inference passes it."""
    side = model.preprocessing.image_size
    x = model.inputs(np.zeros((1, side, side), dtype=np.uint8))  # (1, S*S)
    layers = []
    for layer in model.network.layers:
        x = layer.forward(x, training=False)
        shape = tuple(int(n) for n in x.shape)  # (1, F) rows or (C, H, W, 1) images
        layers.append(
            LayerFacts(
                spec=layer.spec(),
                output=shape[1:] if len(shape) == 2 else (shape[1], shape[2], shape[0]),
                parameters=sum(int(np.prod(p.shape)) for p in layer.params.values()),
            )
        )
    return tuple(layers)


def _limits(inputs: ReportInputs) -> LimitFacts:
    brightness = inputs.test["images"].reshape(len(inputs.test["images"]), -1).mean(axis=1)
    return LimitFacts(
        signers=inputs.source.get("signers"),
        signer_recorded=bool(inputs.source.get("signer_recorded", False)),
        brightness=(float(brightness.min()), float(brightness.max()), float(brightness.std())),
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
        layers=_layers(inputs.model),
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
        augment_mirror=training["augment_mirror"],
        augment_blur=training["augment_blur"],
        augment_brightness=training["augment_brightness"],
        augment_contrast=training["augment_contrast"],
        augment_noise=training["augment_noise"],
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
        loss_rose=loss_rose(last["test_loss"], lowest["test_loss"]),
        validation="validation_loss" in last,
    )


def _results(evaluation: dict, binary: bool, cv_summary: dict | None) -> ResultFacts:
    """The test and training figures; ``cv_summary`` the cross-validation's (None without)."""
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
        overfit=overfits(
            train["accuracy"],
            cv_summary["accuracy_ci95_high"] if cv_summary else test["accuracy_ci"][1],
        ),
        ece=test["calibration"]["ece"],
        calibration_gap=test["calibration"]["gap"],
        calibrated=calibrated(test["calibration"]["ece"]),
        reliability={k: test["calibration"][k] for k in ("confidence", "accuracy", "count")},
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
        at_chance=at_chance(predicted_classes, test["balanced_accuracy"], k, n),
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


def _robustness(
    record: dict | None, ablations: tuple[dict, ...], params: Params
) -> RobustnessFacts | None:
    if record is None:
        return None
    rows = tuple(record["changes"])
    return RobustnessFacts(
        rows=rows,
        worst=record["worst"],
        mean_accuracy=record["mean_accuracy"],
        example=record["example"],
        costly=costly_changes(list(rows[1:])),
        ablation=ablation(list(ablations), params, [row["change"] for row in rows]),
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
    departures = departures_from(claims, inputs.params, inputs.departures)
    cited = [c.document for c in claims] + [departures.document] * bool(departures.document)
    return Facts(
        digits=tuple(digits),
        binary=binary,
        positive=digits[1] if binary else None,
        data=data,
        method=_method(inputs, sum(row[2] for row in data.rows)),
        training=_training(inputs.history, int(inputs.model.training["epochs"])),
        results=_results(inputs.evaluation, binary, cv and cv.summary),
        diagnosis=_diagnosis(inputs, digits),
        cv=cv,
        comparison=comparison(claims, test, cv and cv.summary, data.origin),
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
        inside=network_views(inputs.model, inputs.test, inputs.probabilities, digits),
        limits=_limits(inputs),
        robustness=_robustness(inputs.evaluation["robustness"], inputs.ablations, inputs.params),
    )
