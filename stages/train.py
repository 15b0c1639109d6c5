"""train stage: train the from-scratch network; write the model and its per-epoch history.

Usage: python stages/train.py TRAIN_NPZ TEST_NPZ PREPROCESSING_NPZ MODEL_NPZ HISTORY_JSON
       [--params params.yaml]
"""

import argparse
from pathlib import Path

from signnet.artifacts import load_npz, save_json
from signnet.data.preprocessing import Preprocessing
from signnet.modelfile import save_model
from signnet.params import load_params
from signnet.pipeline.split import PART_ARRAYS
from signnet.pipeline.train import train_network
from signnet.stagekit import run_stage


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train", type=Path, help="input .npz from the split stage")
    parser.add_argument("test", type=Path, help="input .npz from the split stage")
    parser.add_argument("preprocessing", type=Path, help="input .npz from the split stage")
    parser.add_argument("model", type=Path, help="output: the self-describing model file")
    parser.add_argument("history", type=Path, help="output: per-epoch loss and accuracy (plots)")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    params = load_params(args.params)
    train = load_npz(args.train, required=PART_ARRAYS)
    test = load_npz(args.test, required=PART_ARRAYS)
    preprocessing = Preprocessing.from_arrays(load_npz(args.preprocessing), str(args.preprocessing))
    # The history is written after every epoch (each time whole, atomically), so dvc plots show
    # and DVC's VS Code extension draw the curves as they grow; its last bytes are the full
    # history's, and a failed run leaves none (run_stage removes what the stage wrote).
    result = train_network(
        train,
        test,
        preprocessing,
        params.model,
        params.train,
        on_history=lambda history: save_json(args.history, history),
    )
    save_model(args.model, result.model)
    save_json(args.history, result.history)


if __name__ == "__main__":
    run_stage(main)
