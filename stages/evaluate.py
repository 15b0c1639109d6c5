"""evaluate stage: hand-computed metrics on the test and train parts, checked by scikit-learn.

Usage: python stages/evaluate.py MODEL_NPZ TRAIN_NPZ TEST_NPZ METRICS_JSON EVALUATION_JSON
       PREDICTIONS_NPZ CONFUSION_JSON ROC_JSON [--params params.yaml]
"""

import argparse
from pathlib import Path

from signnet.artifacts import load_npz, save_json, save_npz
from signnet.modelfile import load_model
from signnet.params import load_params
from signnet.pipeline.evaluate import confusion_records, evaluate_parts, headline, roc_records
from signnet.pipeline.split import PART_ARRAYS
from signnet.stagekit import run_stage


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("model", "train", "test"):
        parser.add_argument(name, type=Path, help=f"input: the {name} .npz")
    parser.add_argument("metrics", type=Path, help="output: headline metrics (DVC metrics)")
    parser.add_argument("evaluation", type=Path, help="output: every figure and the cross-check")
    parser.add_argument("predictions", type=Path, help="output: test probabilities (n, K)")
    parser.add_argument("confusion", type=Path, help="output: actual/predicted per test sample")
    parser.add_argument("roc", type=Path, help="output: the test ROC curve")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    load_params(args.params)  # no section of its own; a mistake anywhere stops it before work
    model = load_model(args.model)
    parts = {
        "test": load_npz(args.test, required=PART_ARRAYS),
        "train": load_npz(args.train, required=PART_ARRAYS),
    }
    evaluation = evaluate_parts(model, parts)
    results = evaluation["results"]
    test_proba = evaluation["probabilities"]["test"]
    predicted_digits = model.classes[test_proba.argmax(axis=1)]
    save_json(args.metrics, headline(results))
    save_json(
        args.evaluation,
        {
            "classes": model.classes.tolist(),
            "results": results,
            "crosscheck": evaluation["crosscheck"],
        },
    )
    save_npz(args.predictions, {"probabilities": test_proba})
    save_json(args.confusion, confusion_records(parts["test"]["digits"], predicted_digits))
    save_json(args.roc, roc_records(results["test"]))


if __name__ == "__main__":
    run_stage(main)
