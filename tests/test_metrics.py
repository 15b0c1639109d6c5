import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signnet.crosscheck import CrossCheckError, crosscheck, require_agreement
from signnet.metrics import (
    MetricsError,
    classification_metrics,
    confusion_matrix,
    mcnemar_exact,
    reliability,
    roc_curve,
    wilson_interval,
)


def probabilities(rng, n, k, scale=3.0):
    logits = rng.normal(size=(n, k)) * scale
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


def check(labels, proba):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the hand computations never warn
        result = classification_metrics(labels, proba)
    rows = crosscheck(labels, proba, result)
    require_agreement(rows, "test")
    return result, rows


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 60),
    k=st.sampled_from([2, 3, 10]),
    scale=st.sampled_from([0.01, 1.0, 40.0]),
    ties=st.booleans(),
)
def test_every_figure_matches_scikit_learn(seed, n, k, scale, ties):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, n)
    proba = probabilities(rng, n, k, scale)
    if ties:
        proba = np.round(proba, 1)
        proba /= proba.sum(axis=1, keepdims=True)
    result, rows = check(labels, proba)
    assert all(row["difference"] <= 1e-12 for row in rows)
    assert len(rows) >= 12


def test_binary_figures_by_hand():
    labels = np.array([0, 0, 0, 1, 1, 1, 1])
    predicted_1 = np.array([0.1, 0.2, 0.7, 0.9, 0.8, 0.4, 0.6])
    proba = np.c_[1 - predicted_1, predicted_1]
    result, _ = check(labels, proba)
    assert result["confusion"] == [[2, 1], [1, 3]]
    assert result["precision"] == 3 / 4 and result["recall"] == 3 / 4
    assert result["specificity"] == 2 / 3
    assert result["balanced_accuracy"] == pytest.approx((3 / 4 + 2 / 3) / 2)
    assert result["roc_auc"] == pytest.approx(10 / 12)  # 10 of 12 (pos, neg) pairs ordered


@pytest.mark.parametrize(
    ("labels", "positive_scores", "undefined", "defined"),
    [
        # no positive prediction (all below 0.5): precision is a ratio over nothing
        ([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4], {"precision"}, {"recall": 0.0, "roc_auc": 1.0}),
        # the positive class is absent: recall and the ROC are undefined
        (
            [0, 0, 0, 0],
            [0.1, 0.9, 0.2, 0.3],
            {"recall", "roc_auc", "roc"},
            {"precision": 0.0, "specificity": 0.75},
        ),
        # the negative class is absent: specificity and the ROC are undefined
        ([1, 1, 1], [0.6, 0.7, 0.9], {"specificity", "roc_auc", "roc"}, {"recall": 1.0}),
    ],
)
def test_undefined_figures_are_undefined_as_scikit_learn_says(
    labels, positive_scores, undefined, defined
):
    """Never a number that means something else: a ROC AUC of 0.0 would read as a perfectly
    inverted classifier; scikit-learn gives NaN (zero_division=np.nan, one class for the ROC)."""
    scores = np.array(positive_scores)
    result, rows = check(np.array(labels), np.c_[1 - scores, scores])
    assert {name for name in undefined if result[name] is None} == undefined
    assert {name: result[name] for name in defined} == pytest.approx(defined)
    by_metric = {row["metric"]: row for row in rows}
    if "roc_auc" in undefined:
        assert by_metric["ROC AUC"] == {
            "metric": "ROC AUC",
            "difference": 0.0,
            "hand": None,
            "sklearn": None,
        }
    import json

    json.dumps(result, allow_nan=False)  # undefined is null, never NaN


def test_a_figure_only_one_side_leaves_undefined_is_a_disagreement():
    labels, scores = np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.3, 0.4])
    proba = np.c_[1 - scores, scores]
    result = classification_metrics(labels, proba)
    result["precision"] = 0.0  # the old convention: a number for "no positive prediction"
    with pytest.raises(CrossCheckError, match="precision: hand 0.0, scikit-learn None"):
        require_agreement(crosscheck(labels, proba, result), "test")


def test_metrics_of_an_empty_set_are_an_error():
    with pytest.raises(MetricsError, match="no images: the metrics of an empty set"):
        classification_metrics(np.array([], dtype=int), np.zeros((0, 2)))


def test_ten_classes_with_an_absent_class():
    rng = np.random.default_rng(5)
    labels = rng.integers(0, 9, 50)  # class 9 never occurs
    result, _ = check(labels, probabilities(rng, 50, 10))
    assert result["per_class"]["support"][9] == 0
    assert len(result["confusion"]) == 10


def test_wilson_interval_known_values():
    # 79 of 83 (the default run's test accuracy), worked out from Wilson's formula.
    z = 1.959963984540054
    p, n = 79 / 83, 83
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert wilson_interval(79, 83) == pytest.approx((centre - half, centre + half), rel=1e-14)
    assert wilson_interval(79, 83) == pytest.approx((0.8825, 0.9811), abs=1e-4)
    low, high = wilson_interval(10, 10)
    assert high == pytest.approx(1.0) and low == pytest.approx(0.7225, abs=1e-4)


def test_roc_keeps_ties_and_the_turns_of_the_curve():
    curve = roc_curve(np.array([1, 0, 1, 0]), np.array([0.9, 0.5, 0.5, 0.1]))
    np.testing.assert_allclose(curve["tpr"], [0, 0.5, 1, 1])
    np.testing.assert_allclose(curve["fpr"], [0, 0, 0.5, 1])
    assert np.isinf(curve["thresholds"][0])
    # Points on a straight segment go (as scikit-learn's drop_intermediate): 0.8 lies between
    # 0.9 and 0.7 on the vertical, 0.6 and 0.5 between 0.7 and 0.4 on the horizontal.
    curve = roc_curve(np.array([1, 1, 1, 0, 0, 0]), np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4]))
    np.testing.assert_allclose(curve["thresholds"][1:], [0.9, 0.7, 0.4])
    np.testing.assert_allclose(curve["tpr"], [0, 1 / 3, 1, 1])
    np.testing.assert_allclose(curve["fpr"], [0, 0, 0, 1])


def test_confusion_matrix_rows_are_actual():
    np.testing.assert_array_equal(
        confusion_matrix(np.array([0, 1, 2, 2]), np.array([1, 1, 2, 0]), 3),
        [[0, 1, 0], [0, 1, 0], [1, 0, 1]],
    )


def test_crosscheck_fails_loudly_on_a_wrong_metric():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 30)
    proba = probabilities(rng, 30, 2)
    result = classification_metrics(labels, proba)
    result["recall"] += 1e-9
    result["per_class"]["f1"][0] = 0.5
    rows = crosscheck(labels, proba, result)
    with pytest.raises(CrossCheckError) as caught:
        require_agreement(rows, "test part")
    message = str(caught.value)
    assert message.startswith("test part: 2 metric(s) differ from scikit-learn")
    assert f"recall: hand {result['recall']}, scikit-learn {result['recall'] - 1e-9}" in message
    assert "per-class f1: hand (array)" in message


def test_reliability_bins_by_confidence_and_weighs_each_bins_gap_by_its_samples():
    # Confidences 0.55, 0.6 (bin 0.5-0.6, one right), 0.95 and 1.0 (bin 0.9-1.0, both right),
    # and 0.7 exactly on an edge (bin 0.6-0.7, wrong).
    proba = np.array([[0.45, 0.55], [0.6, 0.4], [0.05, 0.95], [0.0, 1.0], [0.3, 0.7]])
    labels = np.array([1, 1, 1, 1, 0])
    curve = reliability(labels, proba)
    assert curve["count"] == [2, 1, 2]
    np.testing.assert_allclose(curve["confidence"], [0.575, 0.7, 0.975])
    np.testing.assert_allclose(curve["accuracy"], [0.5, 0.0, 1.0])
    expected = (2 * abs(0.5 - 0.575) + 1 * 0.7 + 2 * abs(1 - 0.975)) / 5
    assert curve["ece"] == pytest.approx(expected)
    assert curve["gap"] == pytest.approx(np.mean([0.55, 0.6, 0.95, 1.0, 0.7]) - 3 / 5)


def test_a_calibrated_sample_has_no_calibration_error():
    # In each bin the share answered right equals the confidence.
    proba = np.array([[0.25, 0.75]] * 4 + [[0.0, 1.0]] * 2)
    labels = np.array([1, 1, 1, 0, 1, 1])
    assert reliability(labels, proba)["ece"] == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize(
    ("wrong", "right"), [(0, 0), (6, 0), (0, 6), (5, 1), (30, 12), (12, 30), (100, 99), (1, 0)]
)
def test_the_exact_mcnemar_test_is_scipys_binomial_test_of_the_altered_photos(wrong, right):
    from scipy.stats import binomtest

    expected = 1.0 if wrong + right == 0 else binomtest(wrong, wrong + right, 0.5).pvalue
    assert mcnemar_exact(wrong, right) == pytest.approx(expected, rel=1e-12)
