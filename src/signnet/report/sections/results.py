"""The results section: the headline, the confusion matrix, the classification report, the
cross-validation, the comparison with each reference's claims and the all-pairs map."""

from __future__ import annotations

import numpy as np

from signnet.metrics import CALIBRATION_BINS
from signnet.pipeline.pairs import pair_digits
from signnet.report import figures
from signnet.report.document import (
    Block,
    Figure,
    Heading,
    Paragraph,
    Table,
)
from signnet.report.facts import Facts, ReportInputs
from signnet.report.sections.wording import listing, num, pct, task_name


def _classification_report(result: dict, digits: tuple[int, ...]) -> Table:
    per_class = result["per_class"]
    rows = [
        (
            f"digit {d}",
            num(per_class["precision"][k], 2),
            num(per_class["recall"][k], 2),
            num(per_class["f1"][k], 2),
            str(per_class["support"][k]),
        )
        for k, d in enumerate(digits)
    ]
    n = result["n"]
    rows.append(("accuracy", "", "", num(result["accuracy"], 2), str(n)))
    for average in ("macro", "weighted"):
        a = result[average]
        rows.append(
            (
                f"{average} avg",
                num(a["precision"], 2),
                num(a["recall"], 2),
                num(a["f1"], 2),
                str(n),
            )
        )
    return Table(
        ("", "precision", "recall", "f1-score", "support"),
        tuple(rows),
        caption="Classification report on the test part, laid out as scikit-learn's.",
        label="classification",
    )


def _cv_blocks(f: Facts) -> list[Block]:
    cv = f.cv
    if cv is None:
        return [Paragraph("Cross-validation was off for this run (fewer than two folds).")]
    s = cv.summary
    accuracies = listing([pct(r["accuracy"]) for r in cv.folds])
    return [
        Paragraph(
            f"**Cross-validation.** Stratified {len(cv.folds)}-fold cross-validation trains the "
            f"same network and recipe on each fold of all {cv.images:,} images (pixels scaled "
            f"with each fold's own training statistics); the folds' test accuracies are "
            f"{accuracies}: {pct(s['accuracy_mean'])} ± {pct(s['accuracy_std'])} (standard "
            f"deviation over folds, ddof 1), balanced accuracy {pct(s['balanced_accuracy_mean'])}"
            f" ± {pct(s['balanced_accuracy_std'])}, log-loss {num(s['log_loss_mean'])} ± "
            f"{num(s['log_loss_std'])}. The 95% interval for the mean accuracy is "
            f"{pct(s['accuracy_ci95_low'])} to {pct(s['accuracy_ci95_high'])}, and the single "
            f"split's accuracy lies {'within' if cv.split_inside else 'outside'} the folds' range"
            + (
                "."
                if s["accuracy_ci95_low"] <= f.results.accuracy <= s["accuracy_ci95_high"]
                else f" and {'below' if f.results.accuracy < s['accuracy_ci95_low'] else 'above'}"
                " that interval: this split's figure owes part of its distance to the draw of its "
                "test photos and of its training run, and the cross-validated mean, over all "
                f"{cv.images:,} images, is the figure to quote."
            )
        ),
    ]


def _claims_caveat(f: Facts) -> str:
    """What the references' claims can tell about this run, given the data each used."""
    same = sorted({c.document for c in f.comparison if c.same_data})
    other = sorted({c.data for c in f.comparison if not c.same_data})
    parts = []
    if same:
        parts.append(
            f"{listing(same)} measured on the same data with splits of their own, so a claim and "
            "this run's figure differ by the split's chance as well"
        )
    if other:
        parts.append(
            f"{'the other' if same else 'the'} claims were measured on other data (named "
            "under {tab:comparison}), so they frame this run's figures but do not test them"
        )
    if other and f.data.origin == "course file":
        parts.append(
            f"this run reads a course-format file ({f.data.name}): if it is the course copy, "
            "its split is still its own"
        )
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def _comparison(f: Facts) -> list[Block]:
    if not f.comparison:
        return [
            Paragraph(
                f"No reference report states a result for {task_name(f)}, so there is no claim to "
                "compare with."
            )
        ]
    rows = tuple((c.document, c.metric, pct(c.claimed), pct(c.split)) for c in f.comparison)
    measured_on = {c.document: f"{c.document}: {c.network}, on {c.data}" for c in f.comparison}
    verdicts = {
        v: [f"{c.document} ({pct(c.claimed)})" for c in f.comparison if c.verdict == v]
        for v in ("above", "level", "below")
    }
    verdict = ""
    if any(verdicts.values()):
        beaten, level, below = verdicts["above"], verdicts["level"], verdicts["below"]
        parts = []
        if beaten:
            parts.append(f"lies wholly above the accuracy claimed by {listing(beaten)}")
        if level:
            parts.append(f"holds the accuracy claimed by {listing(level)}")
        if below:
            parts.append(f"lies wholly below the accuracy claimed by {listing(below)}")
        verdict = " The cross-validated 95% interval " + "; it ".join(parts) + "."
    return [
        Paragraph(
            "**Against the references.** {tab:comparison} sets each figure a reference claimed "
            f"beside this split's. {_claims_caveat(f)}{verdict}"
        ),
        Table(
            ("Reference", "metric", "claimed", "this split"),
            rows,
            caption="Each reference's claim for this task beside this run's test part. Claimed "
            "with " + "; ".join(measured_on.values()) + ".",
            numeric=False,
            label="comparison",
        ),
    ]


def _pairs(f: Facts) -> list[Block]:
    p = f.pairs
    if p is None:
        return [
            Paragraph(
                "The all-pairs difficulty map (every pair of digits cross-validated with this "
                "recipe) is drawn by the second pipeline (cd pairs && dvc repro); its copy "
                "of this report, pairs/report.pdf, includes it."
            )
        ]
    hardest = [f"{h['pair']} ({pct(h['accuracy_mean'])})" for h in p.hardest]
    return [
        Figure(
            "pairs.png",
            figures.pair_difficulty_map(
                p.grid,
                list(p.digits),
                {h["pair"]: pair_digits(h["pair"]) for h in p.hardest},
            ),
            "Mean cross-validated accuracy of every pair of digits with this run's recipe; the "
            "hardest pairs are outlined.",
            label="pairs",
        ),
        Paragraph(
            f"**All pairs.** {{fig:pairs}} shows every pair of the digits, each cross-validated "
            f"over {p.folds} folds with this recipe. The hardest pairs are {listing(hardest)}; "
            f"the easiest, {p.easiest['pair']}, reaches {pct(p.easiest['accuracy_mean'])}."
        ),
    ]


def _quality(f: Facts, test: dict) -> Figure:
    """The confusion matrix, the ROC curve (where the test part holds both classes: it is
    undefined otherwise) and the reliability curve, side by side."""
    roc = (
        None
        if test["roc"] is None
        else (
            test["roc"]["fpr"],
            test["roc"]["tpr"],
            test["roc_auc"],
            f"digit {f.positive} positive" if f.binary else "micro-average,\none-vs-rest",
        )
    )
    panels = ["the confusion matrix (rows: actual digit; columns: predicted)"]
    panels += ["the ROC curve"] if roc else []
    panels.append(
        f"the reliability curve: the test images in {CALIBRATION_BINS} bins of the probability "
        "the network gives its answer, each bin's share answered right against its mean "
        "probability (area: the bin's images; dotted: perfect calibration)"
    )
    return Figure(
        "quality.png",
        figures.quality_panels(
            np.array(test["confusion"]), list(f.digits), roc, f.results.reliability
        ),
        "On the test part, from left to right: " + "; ".join(panels) + ".",
        label="quality",
    )


def section(f: Facts, inputs: ReportInputs) -> list[Block]:
    r = f.results
    test = inputs.evaluation["results"]["test"]
    headline = ", ".join(f"{name} {pct(value)}" for name, value in r.headline)
    # The figure before the text that refers to it: the PDF floats it to the top of this page
    # when it fits in what the page has left here, and the text fills the rest.
    return [
        Heading("Results", label="results"),
        _quality(f, test),
        Paragraph(
            f"On the test part the network classifies {r.correct} of the {r.n} images "
            f"correctly: accuracy {pct(r.accuracy)} (95% Wilson interval {pct(r.accuracy_low)} "
            f"to {pct(r.accuracy_high)}), balanced accuracy {pct(r.balanced_accuracy)}, "
            f"{headline}, log-loss {num(r.log_loss)}, ROC AUC {num(r.roc_auc)}"
            + (" (the test part holds one class)" if r.roc_auc is None else "")
            + ("" if f.binary or r.roc_auc is None else " (micro-averaged over the digits)")
            + f", expected calibration error {num(r.ece, 3)}. Every figure computed "
            "by hand was checked against scikit-learn's (Appendix A). "
            + "{fig:quality} shows the confusion matrix, the ROC curve and the calibration"
            + ("" if f.binary else "; {tab:classification} breaks the figures down by digit")
            + "; {tab:parts} sets the training part beside the test part."
        ),
        # A pair's per-digit figures are the headline's (the positive digit's precision, recall
        # and F1; the other's recall is the specificity): no table repeats them.
        *([] if f.binary else [_classification_report(test, f.digits)]),
        Table(
            ("Part", "images", "accuracy", "95% interval", "log-loss"),
            (
                (
                    "train",
                    str(r.train_n),
                    pct(r.train_accuracy),
                    f"{pct(r.train_low)} to {pct(r.train_high)}",
                    num(r.train_log_loss),
                ),
                (
                    "test",
                    str(r.n),
                    pct(r.accuracy),
                    f"{pct(r.accuracy_low)} to {pct(r.accuracy_high)}",
                    num(r.log_loss),
                ),
            ),
            caption="Training and test parts side by side, scored by the final weights"
            + (
                " as at inference (no dropout, no augmentation)."
                if f.method.dropout or f.method.augmented
                else "."
            ),
            label="parts",
        ),
        *_cv_blocks(f),
        *_comparison(f),
        *_pairs(f),
    ]
