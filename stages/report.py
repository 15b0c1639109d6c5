"""report stage: the milestone report (Markdown and PDF, figures as PNG) from the artifacts.

Usage: python stages/report.py SOURCE_JSON TEST_NPZ MODEL_NPZ HISTORY_JSON EVALUATION_JSON
       PREDICTIONS_NPZ CV_FOLDS_JSON DEPARTURES_JSON REPORT_MD REPORT_PDF FIGURE_DIR
       [--ablation ABLATION_JSON ...] [--pairs PAIRS_JSON] [--params params.yaml]
With --ablation (benchmarks/robustness_ablation.py's results, any number) the robustness section
sets the run beside the ablation's variants where the run is one of them; with --pairs (the
all-pairs pipeline's results) the report includes the all-pairs map.
"""

import argparse
import logging
from pathlib import Path

from signnet.artifacts import load_json, load_npz
from signnet.codeprint import code_fingerprint
from signnet.modelfile import load_model
from signnet.params import load_params
from signnet.pipeline.split import PART_ARRAYS
from signnet.report.ablation import load_ablation
from signnet.report.content import build_report
from signnet.report.facts import ReportInputs, gather_facts
from signnet.report.summary import headline, title_warning
from signnet.report.write import report_date, write_report
from signnet.stagekit import run_stage

INPUTS = (
    "source",
    "test",
    "model",
    "history",
    "evaluation",
    "predictions",
    "cross_validation",
    "departures",
)
REPO = Path(__file__).resolve().parents[1]
# The folders whose code the report fingerprints: every stage's code (dvc.yaml lists them as the
# report stage's deps, so that a change re-renders the report).
CODE = ("src/signnet", "stages")
log = logging.getLogger("signnet.stage")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in INPUTS:
        parser.add_argument(name, type=Path, help=f"input: {name}")
    parser.add_argument("markdown", type=Path, help="output: report.md")
    parser.add_argument("pdf", type=Path, help="output: report.pdf")
    parser.add_argument("figures", type=Path, help="output: folder of PNG figures")
    parser.add_argument(
        "--ablation",
        type=Path,
        action="append",
        default=[],
        help="input: a robustness ablation (robustness_<config>.json); may be repeated",
    )
    parser.add_argument("--pairs", type=Path, help="input: the all-pairs results (pairs.json)")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args(argv)
    params = load_params(args.params)
    if warning := title_warning(params.report):
        log.warning("%s", warning)
    source = load_json(args.source)
    evaluation = load_json(args.evaluation)
    # The example photo under every change, where the evaluate stage measured robustness.
    measured = ("changed_example",) if evaluation.get("robustness") else ()
    predictions = load_npz(args.predictions, required=("probabilities", *measured))
    inputs = ReportInputs(
        source=source,
        test=load_npz(args.test, required=PART_ARRAYS),
        model=load_model(args.model),
        history=load_json(args.history),
        evaluation=evaluation,
        probabilities=predictions["probabilities"],
        cross_validation=load_json(args.cross_validation),
        departures=load_json(args.departures),
        params=params,
        code_fingerprint=code_fingerprint(REPO, [Path(c) for c in CODE]),
        pairs=load_json(args.pairs) if args.pairs else None,
        changed_example=predictions.get("changed_example"),
        ablations=tuple(load_ablation(path) for path in args.ablation),
    )
    facts = gather_facts(inputs)
    write_report(
        build_report(inputs, facts), args.markdown, args.pdf, args.figures, report_date(source)
    )
    # The pipeline's last words: what was reached and where to read about it.
    print(headline(facts))
    print(f"report: {args.pdf} (and {args.markdown})")


if __name__ == "__main__":
    run_stage(main)
