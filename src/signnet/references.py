"""The published results signnet measures itself against, in one place.

Each :class:`Claim` is one reported result: the document it comes from, the digits, the network
and set-up as the document states them, and the figures it reports (fractions, keyed by the
evaluate stage's metric names). The report's comparison table and departures read them, and
the benchmarks run their configurations.

Set-ups are dotted params keys (``train.lr``) with the value the document gives. What a document
leaves unstated is filled from :data:`SHARED_SETUP`, the practice the milestone reports share.
"""

from __future__ import annotations

import dataclasses
import re


def in_text(citation: str) -> str:
    """How the text cites a reference entry: "Kingma and Ba, 2015" of "Kingma, D. P. and Ba, J.
    (2015). ...", "Pedregosa et al., 2011" of "Pedregosa, F. et al. (2011). ...", "Mavi, 2020"
    of "Mavi, A. (2020), ..."; the entry itself when it names no year."""
    found = re.match(r"(.+?)\s*\((\d{4})\)", citation)
    if not found:
        return citation
    authors, year = found[1], found[2]
    names = [part.split(",")[0].strip() for part in authors.split(" and ")]
    tail = " et al." if "et al." in authors else ""
    return f"{' and '.join(names)}{tail}, {year}"


@dataclasses.dataclass(frozen=True)
class Document:
    key: str  # how the report cites it, e.g. "report 000"
    citation: str  # its entry in the report's list of references
    url: str = ""


DOCUMENTS = {
    d.key: d
    for d in (
        Document(
            "report 000",
            "Milestone summary, sign-language digits 6 vs 8, NumPy network from scratch "
            "(course milestone 1, reference document 000).",
        ),
        Document(
            "report 002",
            "Zohar, S. and Zagdon, S. (2024). Basic of Deep Learning, mid-semester project part "
            "1: digits 4 vs 5. Colman (reference document 002).",
        ),
        Document(
            "report 003",
            "Basic of Deep Learning, mid-semester project: digits 0 vs 5. Colman, 2024 "
            "(reference document 003).",
        ),
        Document(
            "README 004",
            "Singh, S. MNIST digit recognition from scratch with NumPy, project README "
            "(reference document 004).",
        ),
        Document(
            "Mavi 2020",
            "Mavi, A. (2020). A new dataset and proposed convolutional neural network "
            "architecture for classification of American Sign Language digits. arXiv:2011.08927.",
            "https://arxiv.org/abs/2011.08927",
        ),
        Document(
            "Vocalize",
            "Mavi, A. Vocalize-Sign-Language, README: a Keras CNN on the Sign Language Digits "
            "Dataset (10 epochs, no augmentation).",
            "https://github.com/ardamavi/Vocalize-Sign-Language",
        ),
        # The methods the report uses.
        Document(
            "Nadeau 2003",
            "Nadeau, C. and Bengio, Y. (2003). Inference for the generalization error. Machine "
            "Learning 52, 239-281.",
            "https://doi.org/10.1023/A:1024068626366",
        ),
        Document(
            "Wilson 1927",
            "Wilson, E. B. (1927). Probable inference, the law of succession, and statistical "
            "inference. Journal of the American Statistical Association 22, 209-212.",
            "https://doi.org/10.1080/01621459.1927.10502953",
        ),
        Document(
            "Pedregosa 2011",
            "Pedregosa, F. et al. (2011). Scikit-learn: machine learning in Python. Journal of "
            "Machine Learning Research 12, 2825-2830.",
            "https://jmlr.org/papers/v12/pedregosa11a.html",
        ),
        Document(
            "Kingma 2015",
            "Kingma, D. P. and Ba, J. (2015). Adam: a method for stochastic optimization. ICLR.",
            "https://arxiv.org/abs/1412.6980",
        ),
        Document(
            "Ioffe 2015",
            "Ioffe, S. and Szegedy, C. (2015). Batch normalization: accelerating deep network "
            "training by reducing internal covariate shift. ICML.",
            "https://arxiv.org/abs/1502.03167",
        ),
        Document(
            "Glorot 2010",
            "Glorot, X. and Bengio, Y. (2010). Understanding the difficulty of training deep "
            "feedforward neural networks. AISTATS.",
            "https://proceedings.mlr.press/v9/glorot10a.html",
        ),
        Document(
            "Guo 2017",
            "Guo, C., Pleiss, G., Sun, Y. and Weinberger, K. Q. (2017). On calibration of "
            "modern neural networks. ICML.",
            "https://proceedings.mlr.press/v70/guo17a.html",
        ),
        Document(
            "Simonyan 2014",
            "Simonyan, K., Vedaldi, A. and Zisserman, A. (2014). Deep inside convolutional "
            "networks: visualising image classification models and saliency maps. ICLR "
            "Workshop.",
            "https://arxiv.org/abs/1312.6034",
        ),
        Document(
            "He 2015",
            "He, K., Zhang, X., Ren, S. and Sun, J. (2015). Delving deep into rectifiers. ICCV.",
            "https://arxiv.org/abs/1502.01852",
        ),
    )
}

# What the milestone reports share where a report does not say otherwise: pixels divided by 255,
# small random normal weights, plain gradient descent at learning rate 0.01, a dense network of
# sigmoid units.
SHARED_SETUP = {
    "split.scaling": "unit",
    "model.conv": [],
    "model.activation": "sigmoid",
    "model.init": "normal",
    "model.init_scale": 0.01,
    "train.optimizer": "sgd",
    "train.lr": 0.01,
    "train.schedule": "constant",
    "train.augment_shift": 0.0,
    "train.augment_rotation": 0.0,
    "train.augment_scale": 0.0,
    "train.augment_mirror": 0.0,
    "train.augment_blur": 0.0,
    "train.augment_brightness": 0.0,
    "train.augment_contrast": 0.0,
    "train.augment_noise": 0.0,
}


@dataclasses.dataclass(frozen=True)
class Claim:
    name: str  # the configuration's name, as the benchmarks call it
    document: str  # a key of DOCUMENTS
    digits: tuple[int, ...]
    network: str  # as the document describes it
    data: str  # what the figures were measured on
    figures: dict[str, float]  # metric name -> reported value (a fraction)
    # Dotted params key -> value as stated (over SHARED_SETUP); None where the document gives
    # no set-up that this project can run as stated.
    stated: dict[str, object] | None

    def setup(self) -> dict[str, object] | None:
        """The set-up as stated, unstated keys from :data:`SHARED_SETUP`; None if not given."""
        return None if self.stated is None else SHARED_SETUP | self.stated


# What each claim was measured on, by the data origin signnet names (see signnet.report.facts).
COURSE_DATA = "the course copy of 5,000 photos of 28 x 28, which is not public"
SIGN_DIGITS_DATA = "the Sign Language Digits photos"
MNIST_DATA = "MNIST"
DATA_OF_ORIGIN = {"dataset": SIGN_DIGITS_DATA, "mnist": MNIST_DATA}

CLAIMS = (
    Claim(
        "6 vs 8",
        "report 000",
        (6, 8),
        "784-64-1, sigmoid, binary cross-entropy",
        COURSE_DATA,
        {"accuracy": 0.956, "precision": 0.948, "recall": 0.962, "f1": 0.955},
        {"model.hidden": [64], "train.epochs": 40, "train.batch_size": 32},
    ),
    Claim(
        "4 vs 5",
        "report 002",
        (4, 5),
        "784-32-1, sigmoid, binary cross-entropy",
        COURSE_DATA,
        # Its confusion matrix [[101, 2], [3, 94]], with 5 (class 1) as the positive class.
        {"accuracy": 0.975, "precision": 94 / 96, "recall": 94 / 97},
        {"model.hidden": [32], "train.epochs": 50, "train.batch_size": 1},
    ),
    Claim(
        "0 vs 5",
        "report 003",
        (0, 5),
        "784-128-1, sigmoid, binary cross-entropy",
        COURSE_DATA,
        {"accuracy": 0.98, "precision": 1.00, "recall": 0.97, "f1": 0.98},
        {"model.hidden": [128], "train.epochs": 100, "train.batch_size": 32},
    ),
    Claim(
        "ten digits",
        "README 004",
        tuple(range(10)),
        "784-10-10, ReLU, softmax",
        MNIST_DATA,
        {"accuracy": 0.85},
        {"model.hidden": [10], "model.activation": "relu"},
    ),
    Claim(
        "ten digits, CNN",
        "Mavi 2020",
        tuple(range(10)),
        "convolutional network",
        SIGN_DIGITS_DATA,
        {"accuracy": 0.98},
        None,
    ),
    Claim(
        "ten digits, CNN",
        "Vocalize",
        tuple(range(10)),
        "Keras convolutional network",
        SIGN_DIGITS_DATA,
        {"accuracy": 0.96},
        None,
    ),
)


def claims_for(digits: list[int] | tuple[int, ...]) -> list[Claim]:
    """The claims on exactly these digits (in this order), in :data:`CLAIMS` order."""
    return [c for c in CLAIMS if c.digits == tuple(digits)]


def claimed_text(claims: list[Claim]) -> str:
    """``95.6% (report 000)``: the claims' accuracies and sources, as tables print them."""
    return ", ".join(f"{100 * c.figures['accuracy']:.3g}% ({c.document})" for c in claims)
