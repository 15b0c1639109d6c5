"""pairs_map stage: draw the all-pairs difficulty map and name the hardest pairs.

Usage: python stages/pairs_map.py PAIRS_JSON MAP_PNG HARDEST_JSON
"""

import argparse
from pathlib import Path

from signnet.artifacts import load_json, save_json, write_bytes
from signnet.pipeline.pairs import difficulty_map, hardest, pair_digits
from signnet.report.figures import pair_difficulty_map
from signnet.stagekit import run_stage


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", type=Path, help="input: the pairs stage's output")
    parser.add_argument("map", type=Path, help="output: the map, PNG")
    parser.add_argument("hardest", type=Path, help="output: the hardest pairs, hardest first")
    args = parser.parse_args(argv)
    summaries = {name: result["summary"] for name, result in load_json(args.pairs).items()}
    grid, digits = difficulty_map(summaries)
    worst = hardest(summaries)
    outlined = {row["pair"]: pair_digits(row["pair"]) for row in worst}
    write_bytes(args.map, pair_difficulty_map(grid, digits, outlined))
    save_json(args.hardest, worst)


if __name__ == "__main__":
    run_stage(main)
