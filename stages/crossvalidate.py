"""crossvalidate stage: stratified k-fold cross-validation of the model and train params.

Usage: python stages/crossvalidate.py FILTERED_NPZ CV_METRICS_JSON CV_FOLDS_JSON
       [--params params.yaml]
"""

import argparse
import logging
from pathlib import Path

from signnet.artifacts import load_npz, save_json
from signnet.params import load_params
from signnet.pipeline.crossvalidate import HEADLINE, cross_validate
from signnet.stagekit import run_stage

log = logging.getLogger("signnet.stages.crossvalidate")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("filtered", type=Path, help="input .npz from the filter stage")
    parser.add_argument("metrics", type=Path, help="output: the CV accuracy (DVC metrics)")
    parser.add_argument("folds", type=Path, help="output: every fold's figures and the summary")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    params = load_params(args.params)
    dataset = load_npz(args.filtered, required=("images", "labels", "digits", "files", "classes"))

    def on_fold(name: str, record: dict) -> None:
        log.info("fold %d/%d: accuracy %.4f", record["fold"], params.cv.folds, record["accuracy"])

    result = cross_validate({"filtered": dataset}, params, on_fold)["filtered"]
    summary = result["summary"]
    save_json(args.metrics, {"cv": {name: summary[f] for name, f in HEADLINE.items() if summary}})
    save_json(args.folds, result)


if __name__ == "__main__":
    run_stage(main)
