"""What each robustness setting is worth to this run, as facts for the report: the variant of a
robustness ablation (benchmarks/robustness_ablation.py: every setting, each left out, none) that
this run is, and the others beside it.

A run is a variant when the settings it computes with (:data:`SECTIONS` of its params) are the
ones the variant was trained with; a run that is none of them gets no evidence, since figures
measured for another configuration would not be this run's.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from signnet.artifacts import ArtifactError, load_json
from signnet.params import Params
from signnet.pipeline.robustness import worst_and_mean

# The params sections that decide what a run computes, up to the test photos: by which a run and
# an ablation's variant are the same.
SECTIONS = ("filter", "split", "model", "train")
# The variants' labels: every setting, none, and each setting left out (WITHOUT + its name).
ALL, NONE, WITHOUT = "all", "none", "without "


@dataclasses.dataclass(frozen=True)
class AblationVariant:
    label: str  # ALL, NONE or WITHOUT + a setting's name
    accuracy: dict[str, float]  # change name (AS_TAKEN's included) -> test accuracy
    worst: float  # the lowest accuracy over the changes (the photos as taken left out)
    worst_change: str

    @property
    def left_out(self) -> str | None:
        """The setting this variant leaves out, or None (every setting or none)."""
        return self.label.removeprefix(WITHOUT) if self.label.startswith(WITHOUT) else None


@dataclasses.dataclass(frozen=True)
class AblationFacts:
    command: str  # the benchmark's command that measured it
    photos: int  # the test photos each accuracy is measured on
    variants: tuple[AblationVariant, ...]  # in the order measured
    this_run: AblationVariant

    def variant(self, label: str) -> AblationVariant:
        return next(v for v in self.variants if v.label == label)

    @property
    def compared(self) -> AblationVariant:
        """The variant this run is set beside: every setting, or none where this run has all."""
        return self.variant(NONE if self.this_run.label == ALL else ALL)


class _Row(BaseModel):
    """One change's result in one variant (more keys may follow)."""

    model_config = ConfigDict(extra="allow")
    run: str
    change: str
    photos: int = Field(gt=0)
    accuracy: float = Field(ge=0, le=1)


class _Record(BaseModel):
    """A robustness_<config>.json as benchmarks/robustness_ablation.py writes it."""

    model_config = ConfigDict(extra="allow")
    config: str
    variants: dict[str, dict[str, dict]] = Field(min_length=1)
    rows: list[_Row]

    @model_validator(mode="after")
    def _every_variant_measured(self) -> _Record:
        for label in self.variants:
            changes = [row.change for row in self.rows if row.run == label]
            if len(changes) < 2:
                raise ValueError(f"variant {label!r} has {len(changes)} change(s) measured")
        if not any(label.startswith(WITHOUT) for label in self.variants) or not {
            ALL,
            NONE,
        } <= set(self.variants):
            raise ValueError(
                f"variants {sorted(self.variants)} lack {ALL!r}, {NONE!r} or one left out"
            )
        return self


def load_ablation(path: str | Path) -> dict:
    """The ablation record at ``path``, checked to hold what :func:`ablation` reads; a record
    that does not gets a message naming the file and what to do."""
    record = load_json(path)
    try:
        _Record.model_validate(record)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "the record"
        raise ArtifactError(
            f"{path}: not a robustness ablation record ({where}: {problem['msg']}); rerun "
            "python benchmarks/robustness_ablation.py CONFIG to write it"
        ) from None
    return record


def settings(params: Params) -> dict:
    """What ``params`` computes with, as JSON values (the form an ablation record keeps)."""
    dumped = params.model_dump(mode="json")
    return {section: dumped[section] for section in SECTIONS}


def ablation(records: list[dict], params: Params, changes: list[str]) -> AblationFacts | None:
    """The first of ``records`` (robustness_<config>.json) with a variant that ``params`` is,
    measured under the same ``changes`` (names, as taken first) as the run, as facts; None
    where the run is no variant of any."""
    run = settings(params)
    for record in records:
        this_run = next((label for label, kept in record["variants"].items() if kept == run), None)
        measured = [row["change"] for row in record["rows"] if row["run"] == this_run]
        if this_run is not None and measured == changes:
            variants = tuple(_variant(record["rows"], label) for label in record["variants"])
            return AblationFacts(
                command=f"benchmarks/robustness_ablation.py {record['config']}",
                photos=record["rows"][0]["photos"],
                variants=variants,
                this_run=next(v for v in variants if v.label == this_run),
            )
    return None


def _variant(rows: list[dict], label: str) -> AblationVariant:
    rows = [row for row in rows if row["run"] == label]
    worst = worst_and_mean(rows)["worst"]
    return AblationVariant(
        label=label,
        accuracy={row["change"]: row["accuracy"] for row in rows},
        worst=worst["accuracy"],
        worst_change=worst["change"],
    )


def costliest(facts: AblationFacts) -> tuple[AblationVariant, int]:
    """The variant leaving out one setting whose worst change is lowest, and the most test
    photos by which leaving out any other setting moves the worst change from every setting's."""
    every = facts.variant(ALL)
    without = sorted((v for v in facts.variants if v.left_out is not None), key=lambda v: v.worst)
    moved = [round(abs(v.worst - every.worst) * facts.photos) for v in without[1:]]
    return without[0], max(moved, default=0)
