"""split stage: stratified train and test parts, and the preprocessing fitted on the first.

Usage: python stages/split.py FILTERED_NPZ TRAIN_NPZ TEST_NPZ PREPROCESSING_NPZ
       [--params params.yaml]
"""

import argparse
from pathlib import Path

from signnet.artifacts import load_npz, save_npz
from signnet.params import load_params
from signnet.pipeline.split import split_dataset
from signnet.stagekit import run_stage


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("filtered", type=Path, help="input .npz from the filter stage")
    parser.add_argument("train", type=Path, help="output .npz: the training part")
    parser.add_argument("test", type=Path, help="output .npz: the test part")
    parser.add_argument("preprocessing", type=Path, help="output .npz: image size and scaling")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    params = load_params(args.params).split
    dataset = load_npz(args.filtered, required=("images", "digits", "labels", "files", "classes"))
    train, test, preprocessing = split_dataset(
        dataset, params.test_fraction, params.scaling, params.seed
    )
    save_npz(args.train, train)
    save_npz(args.test, test)
    save_npz(args.preprocessing, preprocessing.to_arrays())


if __name__ == "__main__":
    run_stage(main)
