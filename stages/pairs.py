"""pairs stage: cross-validate the model and train params on every pair of digits.

Usage: python stages/pairs.py IMAGES_NPZ PAIRS_JSON [--params params.yaml]
"""

import argparse
import logging
from pathlib import Path

from signnet.artifacts import load_npz, save_json
from signnet.params import ParamError, load_params
from signnet.pipeline.crossvalidate import cross_validate
from signnet.pipeline.pairs import pair_datasets
from signnet.stagekit import run_stage

log = logging.getLogger("signnet.stages.pairs")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", type=Path, help="input .npz from the download stage")
    parser.add_argument("pairs", type=Path, help="output: each pair's folds and CV summary")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    params = load_params(args.params)
    if params.cv.folds < 2:
        raise ParamError([("cv.folds", params.cv.folds, "is off: the map needs 2 folds or more")])
    datasets = pair_datasets(load_npz(args.images, required=("images", "digits", "files")))

    def on_fold(name: str, record: dict) -> None:
        log.info("%s, fold %d: accuracy %.4f", name, record["fold"], record["accuracy"])

    results = cross_validate(datasets, params, on_fold)
    save_json(args.pairs, results)


if __name__ == "__main__":
    run_stage(main)
