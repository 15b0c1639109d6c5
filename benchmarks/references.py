"""The reference reports' configurations, as params overrides on top of params.yaml.

Shared by the benchmarks; the README's `dvc exp run -S ...` lines set the same keys.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from signnet.params import ModelParams, Params, TrainParams, validate

REPO = Path(__file__).resolve().parents[1]

# signnet's activation names as MLPClassifier spells them.
SKLEARN_ACTIVATION = {"sigmoid": "logistic", "tanh": "tanh", "relu": "relu"}


@dataclasses.dataclass(frozen=True)
class Reference:
    name: str
    classes: list[int]
    model: dict
    train: dict
    claimed: str  # the accuracy the reference reported, on its own data

    def sections(self, params: Params) -> tuple[ModelParams, TrainParams]:
        """(model, train) params: those of ``params`` with this reference's overrides, validated."""
        raw = params.model_dump()
        checked = validate(
            raw | {"model": raw["model"] | self.model, "train": raw["train"] | self.train}
        )
        return checked.model, checked.train


REFERENCES = [
    Reference("6 vs 8", [6, 8], {}, {}, "95.6% (report 000)"),
    Reference(
        "4 vs 5",
        [4, 5],
        {"hidden": [32]},
        {"epochs": 50, "batch_size": 1, "lr": 0.01},
        "97.5% (report 002)",
    ),
    Reference(
        "0 vs 5",
        [0, 5],
        {"hidden": [128]},
        {"epochs": 100, "batch_size": 32, "lr": 0.1},
        "98% (report 003)",
    ),
    Reference(
        "ten digits",
        list(range(10)),
        {"hidden": [10], "activation": "relu", "init": "he"},
        {"epochs": 100, "batch_size": 32, "lr": 0.1},
        "about 85%, on MNIST (README 004)",
    ),
]
