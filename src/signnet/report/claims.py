"""The reference reports against this run, as facts for the report: each claimed figure beside
this run's (with the cross-validated verdict), and the run's departures from the set-up a
reference states, with the evidence benchmarks/departures.py measured for each."""

from __future__ import annotations

import dataclasses
from typing import Any

from signnet.params import Params
from signnet.references import DATA_OF_ORIGIN, Claim


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


def comparison(
    claims: list[Claim], test: dict, cv: dict | None, origin: str
) -> tuple[ComparisonRow, ...]:
    """A row for each figure of ``claims``: the claim, this run's test figure (``test``, the
    evaluation's test results) and, for the accuracy, the cross-validated summary ``cv`` (None
    without cross-validation); ``origin`` is the run's data (see DATA_OF_ORIGIN)."""
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
                    cv_mean=cv["accuracy_mean"] if with_cv else None,
                    cv_low=cv["accuracy_ci95_low"] if with_cv else None,
                    cv_high=cv["accuracy_ci95_high"] if with_cv else None,
                    verdict=verdict(claimed, cv) if with_cv else "",
                )
            )
    return tuple(rows)


def verdict(claimed: float, summary: dict) -> str:
    """Where the cross-validated 95% interval of ``summary`` lies against a claimed accuracy:
    "above" it, "level" (holding it) or "below"."""
    if summary["accuracy_ci95_low"] > claimed:
        return "above"
    return "below" if summary["accuracy_ci95_high"] < claimed else "level"


def setting(params: Params, key: str) -> Any:
    section, name = key.split(".")
    value = getattr(getattr(params, section), name)
    return list(value) if isinstance(value, tuple) else value


def departures(claims: list[Claim], params: Params, measured: dict) -> DepartureFacts:
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
        used = setting(params, key)
        if used != stated:
            evidence = runs.get(key) if configured.get(key) == used else None
            departures.append(Departure(key, stated, used, evidence))
    every_change = all(setting(params, key) == value for key, value in configured.items()) and {
        d.key for d in departures
    } == set(configured)
    return DepartureFacts(
        document=claim.document,
        departures=tuple(departures),
        stated_evidence=runs.get(None),
        all_evidence=runs.get("all") if every_change else None,
        measured_on=claim.name,
    )
