"""evaluate stage: hand-computed metrics on the test and train parts, checked by scikit-learn,
and the test photos changed as a person's photo differs (robustness).

Usage: python stages/evaluate.py MODEL_NPZ TRAIN_NPZ TEST_NPZ METRICS_JSON EVALUATION_JSON
       PREDICTIONS_NPZ CONFUSION_JSON ROC_JSON ROBUSTNESS_JSON [--params params.yaml]
"""

import argparse
from pathlib import Path

from signnet.artifacts import load_npz, save_json, save_npz
from signnet.modelfile import load_model
from signnet.params import load_params
from signnet.pipeline.download import photo_files
from signnet.pipeline.evaluate import confusion_records, evaluate_parts, headline, roc_records
from signnet.pipeline.robustness import measure_robustness, plot_records
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
    parser.add_argument("robustness", type=Path, help="output: test accuracy per photo change")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    # download: where the original photos are, for the robustness measurement. A mistake in any
    # section stops the stage before work.
    download = load_params(args.params).download
    model = load_model(args.model)
    parts = {
        "test": load_npz(args.test, required=PART_ARRAYS),
        "train": load_npz(args.train, required=PART_ARRAYS),
    }
    evaluation = evaluate_parts(model, parts)
    results = evaluation["results"]
    test_proba = evaluation["probabilities"]["test"]
    predicted_digits = model.classes[test_proba.argmax(axis=1)]
    photos = photo_files(download, root=Path.cwd())
    robustness, example = (
        (None, None) if photos is None else measure_robustness(model, parts["test"], photos)
    )
    save_json(args.metrics, headline(results, robustness))
    save_json(
        args.evaluation,
        {
            "classes": model.classes.tolist(),
            "results": results,
            "crosscheck": evaluation["crosscheck"],
            "robustness": robustness,
        },
    )
    changed = {} if example is None else {"changed_example": example}  # (C, S, S)
    save_npz(args.predictions, {"probabilities": test_proba} | changed)
    save_json(args.confusion, confusion_records(parts["test"]["digits"], predicted_digits))
    save_json(args.roc, roc_records(results["test"]))
    save_json(args.robustness, plot_records(robustness))


if __name__ == "__main__":
    run_stage(main)
