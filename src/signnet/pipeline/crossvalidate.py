"""The crossvalidate stage's work: stratified k-fold cross-validation of the ``model`` and
``train`` params on a filtered dataset, the folds trained in parallel by joblib.

Each fold is a task: its parts are cut with the split stage's code (:func:`parts_at`: pixels
scaled with the fold's own training statistics), trained with the train stage's code and scored
with the evaluate stage's metrics. Tasks run on joblib's process workers on this machine, or,
given a Dask scheduler's address, on that cluster through joblib's Dask backend. A fold's
products are cut into the same blocks whatever runs it (:mod:`signnet.nn.parallel`), each on one
BLAS thread, so the figures are byte-identical whatever runs them: folds side by side compute on
their share of the cores (one thread each when there are at least as many folds as cores, as on a
Dask worker). Each fold computes the canary where it runs, before training
(:mod:`signnet.canary`), and this process compares it with the committed one: a fold that
computes otherwise (a Dask worker on another kind of machine, or started without signnet's
pins, see :mod:`signnet.cpu`) is a warning.

The interval for the mean accuracy is Student's t interval with Nadeau and Bengio's correction
(Machine Learning 52, 2003): folds share most of their training data, so their accuracies are
correlated and the plain ``std / sqrt(k)`` understates the uncertainty; the corrected variance
of the mean is ``std**2 * (1 / k + n_test / n_train)``.
"""

from __future__ import annotations

from signnet.cpu import pin_failure

import asyncio
import contextlib
import dataclasses
import logging
import math
import os
from collections.abc import Callable, Iterator

import joblib
import numpy as np

from signnet import canary
from signnet.data.stratify import StratifyError, stratified_folds
from signnet.errors import SignnetError
from signnet.metrics import classification_metrics
from signnet.nn import parallel
from signnet.nn.backend import fixed_threads
from signnet.nn.parallel import using_threads
from signnet.params import (
    FOLDS_PER_CORE,
    CrossValidationParams,
    ModelParams,
    ParamError,
    Params,
    TrainParams,
)
from signnet.pipeline.split import parts_at
from signnet.pipeline.train import train_network

log = logging.getLogger(__name__)

# The environment variable that names a Dask scheduler when cv.scheduler is null (Dask's own).
SCHEDULER_VARIABLE = "DASK_SCHEDULER_ADDRESS"
# What each fold reports and the summary covers; accuracy is the headline.
FOLD_FIGURES = ("accuracy", "balanced_accuracy", "log_loss")
# The two-sided coverage of the interval for the mean accuracy, and the interval's names.
CONFIDENCE = 0.95
INTERVAL = tuple(f"accuracy_ci{round(CONFIDENCE * 100)}_{end}" for end in ("low", "high"))
# The DVC metrics (cv.json: ``cv.<name>``) and the summary figure each one is; the rest of the
# summary and every fold's figures are in the stage's other output. Short, so that
# `dvc metrics show` fits a terminal.
HEADLINE = {"accuracy": "accuracy_mean", "accuracy_std": "accuracy_std"}
# Seconds to wait for a Dask scheduler before calling it unreachable.
CONNECT_TIMEOUT = 10


@dataclasses.dataclass(frozen=True)
class Fold:
    """One fold's task: the dataset's indices for training and for testing."""

    number: int  # 1..k
    train: np.ndarray  # int64 (n_train,), in data order
    test: np.ndarray  # int64 (n_test,), in data order


def make_folds(labels: np.ndarray, classes: np.ndarray, k: int, seed: int) -> list[Fold]:
    """The ``k`` stratified folds of ``labels`` (N,) (class indices of the digits ``classes``),
    drawn with ``seed``; :class:`ParamError` naming ``cv.folds`` when a class is too small."""
    try:
        tests = stratified_folds(labels, classes, k, seed)
    except StratifyError as error:
        raise ParamError([("cv.folds", k, f"does not fit: {error}")]) from None
    everything = np.arange(len(labels))
    return [Fold(i, np.setdiff1d(everything, test), test) for i, test in enumerate(tests, start=1)]


def run_fold(
    dataset: dict[str, np.ndarray],
    fold: Fold,
    scaling: str,
    model_params: ModelParams,
    train_params: TrainParams,
    threads: int,
) -> tuple[dict, tuple[dict, str | None]]:
    """Train on the fold's training part, its products on ``threads`` threads, and score its
    test part. Returns a record of the fold's number, sizes, epochs trained and
    :data:`FOLD_FIGURES` (rounded to 6 decimals, as the pipeline's other metrics), and the
    canary as the process that ran the fold computed it, with the failure of its pins, for the
    caller to compare with its own committed canary (for the log, never the record)."""
    canary_here = canary.record(), pin_failure()  # a worker process, here or on a Dask cluster
    train, test, preprocessing = parts_at(dataset, fold.train, fold.test, scaling)
    with fixed_threads(), using_threads(threads):
        result = train_network(  # the test part is scored once, below: no curve
            train, None, preprocessing, model_params, train_params, progress=False
        )
        proba = result.model.predict_proba(test["images"]).astype(np.float64)  # (n_test, K)
    metrics = classification_metrics(test["labels"], proba)
    record = {
        "fold": fold.number,
        "train_images": len(fold.train),
        "test_images": len(fold.test),
        "epochs": len(result.history),
        **{name: round(float(metrics[name]), 6) for name in FOLD_FIGURES},
    }
    return record, canary_here


def spread(values: list[float]) -> dict[str, float]:
    """``mean``, ``std`` (ddof 1: the folds are a sample), ``min`` and ``max`` of fold figures."""
    array = np.asarray(values, dtype=np.float64)
    return {
        "mean": float(array.mean()),
        "std": float(array.std(ddof=1)),
        "min": float(array.min()),
        "max": float(array.max()),
    }


def summarise(records: list[dict]) -> dict[str, float]:
    """Mean, standard deviation (ddof 1), min and max of each of :data:`FOLD_FIGURES` over the
    fold ``records`` (at least two), and the corrected t interval (see the module) for the mean
    accuracy, covering :data:`CONFIDENCE`."""
    from scipy.special import stdtrit  # Student's t quantile; here, not in every worker (0.25 s)

    k = len(records)
    figures: dict[str, float] = {}
    for name in FOLD_FIGURES:
        figures |= {f"{name}_{s}": v for s, v in spread([r[name] for r in records]).items()}
    ratio = np.mean([r["test_images"] for r in records]) / np.mean(
        [r["train_images"] for r in records]
    )
    half = stdtrit(k - 1, (1 + CONFIDENCE) / 2) * figures["accuracy_std"] * math.sqrt(1 / k + ratio)
    figures[INTERVAL[0]] = max(0.0, figures["accuracy_mean"] - half)
    figures[INTERVAL[1]] = min(1.0, figures["accuracy_mean"] + half)
    return {name: round(float(value), 6) for name, value in figures.items()}


def scheduler_address(params: CrossValidationParams) -> tuple[str, str] | None:
    """(where it was given, address) of the Dask scheduler to use, or None for this machine:
    ``cv.scheduler``, else the :data:`SCHEDULER_VARIABLE` environment variable."""
    if params.scheduler is not None:
        return "cv.scheduler", params.scheduler
    if os.environ.get(SCHEDULER_VARIABLE):
        return SCHEDULER_VARIABLE, os.environ[SCHEDULER_VARIABLE]
    return None


def _unusable(source: str, address: str, problem: str) -> SignnetError:
    if source == "cv.scheduler":
        return ParamError([(source, address, problem)])
    return SignnetError(f"environment variable {source} = {address!r} {problem}")


def probe_scheduler(address: str, timeout: float) -> None:
    """Return once a Dask scheduler at ``address`` has answered Dask's ``identity`` request;
    raise ``ValueError`` for a malformed address or an answer that is not a scheduler's, and
    ``OSError`` or ``TimeoutError`` (after ``timeout`` seconds, whatever the address does:
    silent, another protocol, slow) otherwise. Nothing is left running either way, so that the
    error is the last thing printed."""
    from distributed.comm import connect

    async def ask() -> object:
        comm = await connect(address, timeout=timeout)  # Dask's handshake included
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    async def identity() -> None:
        try:
            reply = await ask()
        except (OSError, TimeoutError, ValueError, asyncio.CancelledError):
            raise
        except Exception as error:  # e.g. an HTTP reply read as a frame length of exabytes
            raise ValueError(
                f"what answers there does not speak Dask's protocol ({type(error).__name__})"
            ) from None
        if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
            raise ValueError(f"what answers there is not a Dask scheduler ({str(reply)[:60]})")

    async def within_timeout() -> None:
        await asyncio.wait_for(identity(), timeout)

    asyncio.run(within_timeout())


def local_workers(params: CrossValidationParams, tasks: int) -> int:
    """How many process workers train ``tasks`` folds on this machine (see
    :data:`signnet.params.FOLDS_PER_CORE`)."""
    if params.workers:
        return params.workers
    cores = joblib.cpu_count()
    return tasks if tasks <= FOLDS_PER_CORE * cores else cores


@contextlib.contextmanager
def fold_backend(params: CrossValidationParams, tasks: int) -> Iterator[tuple[str, int]]:
    """Make joblib run ``tasks`` folds where ``cv`` says; yields a description for the log and
    the threads each fold computes on (its share of :func:`signnet.nn.parallel.threads`, every
    core unless ``$SIGNNET_THREADS`` says otherwise; one on Dask).

    Connects to the Dask scheduler (when one is named) before any training, so that a missing
    Dask or an unreachable address is an error naming where the address came from.
    """
    given = scheduler_address(params)
    if given is None:
        workers = local_workers(params, tasks)
        threads = max(1, parallel.threads() // min(workers, tasks))  # the cores, shared
        with joblib.parallel_config(backend="loky", n_jobs=workers):
            yield f"{workers} process worker(s) on this machine, {threads} thread(s) each", threads
        return
    source, address = given
    try:
        from dask.distributed import Client
    except ImportError:
        raise _unusable(source, address, "needs Dask, an extra: pip install -e '.[dask]'") from None
    try:
        probe_scheduler(address, CONNECT_TIMEOUT)
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        reason = str(error) or f"no answer within {CONNECT_TIMEOUT} s"
        here = (
            "leave cv.scheduler null to run here"
            if source == "cv.scheduler"
            else f"unset {SCHEDULER_VARIABLE} to run here (cv.scheduler is null)"
        )
        raise _unusable(
            source,
            address,
            f"cannot be used ({reason}); start a scheduler there (dask scheduler) or {here}",
        ) from None
    with client, client.as_current(), joblib.parallel_config(backend="dask"):
        workers = len(client.scheduler_info()["workers"])
        yield f"the Dask cluster at {address} ({workers} worker(s))", 1


def cross_validate(
    datasets: dict[str, dict[str, np.ndarray]],
    params: Params,
    on_fold: Callable[[str, dict], None] = lambda name, record: None,
) -> dict[str, dict]:
    """Cross-validate ``params.model`` and ``params.train`` on each filtered dataset (see
    :mod:`signnet.pipeline.split`) of ``datasets`` (name -> dataset), as ``params.cv`` says:
    folds drawn with ``split.seed``, pixels scaled by ``split.scaling``. Every dataset's folds go
    to the backend together, as one batch of tasks. Returns, per name, ``{"folds": [record,
    ...], "summary": {...}}`` (see :func:`run_fold`, :func:`summarise`); with ``cv.folds`` 0 or
    1, cross-validation is off and both are empty. ``on_fold(name, record)`` is called as each
    fold's record arrives, in the order the folds finish; the records are in fold order."""
    cv, scaling, seed = params.cv, params.split.scaling, params.split.seed
    if cv.folds < 2:
        return {name: {"folds": [], "summary": {}} for name in datasets}
    tasks = [
        (name, fold)
        for name, dataset in datasets.items()
        for fold in make_folds(dataset["labels"], dataset["classes"], cv.folds, seed)
    ]
    records: dict[str, list[dict]] = {name: [] for name in datasets}
    with fold_backend(cv, len(tasks)) as (where, threads):
        log.info("cross-validating %d fold(s) on %s", len(tasks), where)
        run = joblib.delayed(_numbered)
        results = joblib.Parallel(return_as="generator_unordered")(
            run(i, datasets[name], fold, scaling, params.model, params.train, threads)
            for i, (name, fold) in enumerate(tasks)
        )
        committed = canary.reference()
        for i, (record, (seen, pin)) in results:  # as each fold finishes
            name = tasks[i][0]
            if warning := canary.Verdict(seen, committed, pin).warning():
                log.warning("fold %d of %s: %s", record["fold"], name, warning)
            on_fold(name, record)
            records[name].append(record)
    for folds in records.values():
        folds.sort(key=lambda record: record["fold"])
    return {name: {"folds": folds, "summary": summarise(folds)} for name, folds in records.items()}


def _numbered(index: int, *args: object) -> tuple[int, tuple[dict, tuple]]:
    """``(index, run_fold(*args))``: a fold's result with the number of its task, as the folds
    come back in the order they finish."""
    return index, run_fold(*args)
