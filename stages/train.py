"""train stage: train the from-scratch network; write the model, its history and its timing.

Usage: python stages/train.py TRAIN_NPZ TEST_NPZ MODEL_NPZ HISTORY_JSON TRAINING_JSON
       [--params params.yaml]
"""

import argparse
from pathlib import Path

from signnet.artifacts import load_npz, save_json
from signnet.modelfile import save_model
from signnet.params import load_section
from signnet.stagekit import run_stage
from signnet.train import train_network

SPLIT_ARRAYS = ("x", "labels", "images", "classes", "offset", "scale")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train", type=Path, help="input .npz from the split stage")
    parser.add_argument("test", type=Path, help="input .npz from the split stage")
    parser.add_argument("model", type=Path, help="output: the self-describing model file")
    parser.add_argument("history", type=Path, help="output: per-epoch loss and accuracy (plots)")
    parser.add_argument("training", type=Path, help="output: wall time and device (metrics)")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    model_params = load_section("model", args.params)
    train_params = load_section("train", args.params)
    train = load_npz(args.train, required=SPLIT_ARRAYS)
    test = load_npz(args.test, required=SPLIT_ARRAYS)
    result = train_network(train, test, model_params, train_params)
    samples = len(train["labels"]) * train_params.epochs
    save_model(args.model, result.model)
    save_json(args.history, result.history)
    save_json(
        args.training,
        {
            "seconds": round(result.seconds, 3),
            "samples_per_second": round(samples / result.seconds),
            "device": result.device,
        },
    )


if __name__ == "__main__":
    run_stage(main)
