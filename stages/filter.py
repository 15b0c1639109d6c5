"""filter stage: keep the digits listed in params, class index = position in the list.

Usage: python stages/filter.py IMAGES_NPZ FILTERED_NPZ [--params params.yaml]
"""

import argparse
from pathlib import Path

from signnet.artifacts import load_npz, save_npz
from signnet.data.subset import select_classes
from signnet.params import load_params
from signnet.stagekit import run_stage


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", type=Path, help="input .npz from the download stage")
    parser.add_argument("filtered", type=Path, help="output .npz")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    params = load_params(args.params).filter
    dataset = load_npz(args.images, required=("images", "digits", "files"))
    save_npz(args.filtered, select_classes(dataset, params.classes))


if __name__ == "__main__":
    run_stage(main)
