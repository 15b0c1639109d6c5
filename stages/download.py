"""download stage: the verified photos, decoded to uint8 (N, S, S) with digits and file names.

Usage: python stages/download.py IMAGES_NPZ SOURCE_JSON [--params params.yaml]
"""

import argparse
from pathlib import Path

from signnet.artifacts import save_json, save_npz
from signnet.params import load_params
from signnet.pipeline.download import load_photos
from signnet.stagekit import run_stage


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", type=Path, help="output .npz: images, digits, files")
    parser.add_argument("source", type=Path, help="output .json: what the data is")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    params = load_params(args.params).download
    arrays, source = load_photos(params, root=Path.cwd())
    save_npz(args.images, arrays)
    save_json(args.source, source)


if __name__ == "__main__":
    run_stage(main)
