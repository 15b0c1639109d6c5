"""The reference reports' configurations, as params overrides on top of params.yaml.

Shared by the benchmarks; the `dvc exp run -S ...` lines of docs/experiments.md are
:meth:`Reference.exp_run` of these (a test keeps them identical).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from signnet.params import Params, exp_run_setting, validate
from signnet.references import CLAIMS, claimed_text, claims_for

REPO = Path(__file__).resolve().parents[1]

# signnet's activation names as MLPClassifier spells them.
SKLEARN_ACTIVATION = {"sigmoid": "logistic", "tanh": "tanh", "relu": "relu"}


@dataclasses.dataclass(frozen=True)
class Reference:
    name: str
    overrides: dict[str, dict]  # section -> {key: value}, over params.yaml
    claimed: str  # the accuracy the reference reported, on its own data

    def params(self, base: Params) -> Params:
        """``base`` with this reference's overrides, validated."""
        raw = base.model_dump()
        return validate(raw | {s: raw[s] | keys for s, keys in self.overrides.items()})

    def exp_run(self) -> str:
        """The ``dvc exp run`` line that runs this configuration from the default params."""
        settings = [
            exp_run_setting(section, key, value)
            for section, keys in self.overrides.items()
            for key, value in keys.items()
        ]
        return " ".join(["dvc exp run", *(f"-S {s}" for s in settings)])


TEN_DIGITS = {"classes": list(range(10))}
# The CNN recipe: four 3x3 convolution blocks of 16/32/64/128 channels with batch normalisation
# and 2x2 max-pooling, dense 128 with dropout 0.3, Adam 2e-3 for 40 epochs, 48 x 48 photos,
# augmentation and a cosine schedule.
CNN = {
    "download": {"image_size": 48},
    "model": {
        "conv": [16, 32, 64, 128],
        "hidden": [128],
        "dropout": 0.3,
        "batch_norm": True,
        "activation": "relu",
        "init": "he",
        "dtype": "float32",
    },
    "train": {
        "optimizer": "adam",
        "lr": 0.002,
        "epochs": 40,
        "augment_shift": 0.1,
        "augment_rotation": 10,
        "augment_scale": 0.1,
        "schedule": "cosine",
    },
}


# What makes the ten-digit CNN robust to the photos people take (docs/benchmarks.md, "The photos
# people take"): each photo standardised on its own, each training photo mirrored, blurred, lit
# and noised anew, wider tilts, and three times the epochs to learn it all.
ROBUST = {
    "split": {"scaling": "photo"},
    "train": {
        "epochs": 120,
        "augment_rotation": 20,
        "augment_mirror": 0.5,
        "augment_blur": 1.0,
        "augment_brightness": 0.4,
        "augment_contrast": 0.3,
        "augment_noise": 4.0,
    },
}


def combined(*overrides: dict[str, dict]) -> dict[str, dict]:
    """Overrides merged section by section, later ones winning."""
    merged: dict[str, dict] = {}
    for override in overrides:
        for section, keys in override.items():
            merged[section] = merged.get(section, {}) | keys
    return merged


# The reference reports' pairs.
PAIRS = {"6 vs 8": [6, 8], "4 vs 5": [4, 5], "0 vs 5": [0, 5]}


def _claimed(classes: list[int]) -> str:
    return claimed_text(claims_for(classes))


def _pair(name: str, overrides: dict) -> Reference:
    classes = PAIRS[name]
    return Reference(name, {"filter": {"classes": classes}} | overrides, _claimed(classes))


REFERENCES = [
    Reference("6 vs 8", {}, _claimed(PAIRS["6 vs 8"])),  # params.yaml as it is
    _pair(
        "4 vs 5", {"model": {"hidden": [32]}, "train": {"epochs": 50, "batch_size": 1, "lr": 0.01}}
    ),
    _pair(
        "0 vs 5",
        {"model": {"hidden": [128]}, "train": {"epochs": 100, "batch_size": 32, "lr": 0.1}},
    ),
    Reference(
        "ten digits",
        {
            "filter": TEN_DIGITS,
            "model": {"hidden": [10], "activation": "relu", "init": "he"},
            "train": {"epochs": 100, "batch_size": 32, "lr": 0.1},
        },
        _claimed(TEN_DIGITS["classes"]),
    ),
    *(
        dataclasses.replace(_pair(name, CNN), name=f"{name}, CNN")
        for name in ("6 vs 8", "4 vs 5", "0 vs 5")
    ),
    Reference(
        "ten digits, CNN",
        combined({"filter": TEN_DIGITS}, CNN, ROBUST),
        _claimed(TEN_DIGITS["classes"]),
    ),
]


# Configurations on data this machine cannot reach (MNIST needs a connection or a mirror): in
# the documentation (docs/pipeline.md), not in the benchmarks' runs.
NEEDS_NETWORK = [
    Reference(
        "ten digits, MNIST",
        {
            "download": {"source": "mnist"},
            **next(r for r in REFERENCES if r.name == "ten digits").overrides,
        },
        claimed_text([c for c in CLAIMS if c.document == "README 004"]),
    )
]
