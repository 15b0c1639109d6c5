"""The report's judgements: each rule decides as its threshold says, on both sides of it."""

import numpy as np
import pytest

from signnet.report.judgements import (
    CALIBRATED_ECE,
    STRUCTURED,
    at_chance,
    calibrated,
    loss_rose,
    neighbour_correlation,
    no_effect,
    overfits,
    structured,
)


def test_overfitting_is_a_training_accuracy_above_the_test_interval():
    assert overfits(1.0, 0.981)  # the default run: 100% against a 88.3%-98.1% interval
    assert not overfits(0.97, 0.981)


def test_calibration_and_the_loss_s_rise_follow_their_thresholds():
    assert calibrated(CALIBRATED_ECE) and not calibrated(CALIBRATED_ECE + 1e-9)
    assert loss_rose(0.13, 0.1) and not loss_rose(0.12, 0.1)


def test_at_chance_is_one_class_answered_or_guessing():
    assert at_chance(1, 0.9, 2, 100)
    assert at_chance(2, 0.505, 2, 100) and not at_chance(2, 0.52, 2, 100)


def test_a_change_has_no_effect_within_the_folds_spread():
    stated = {"accuracy_mean": 0.501, "accuracy_std": 0.007}
    assert no_effect({"accuracy_mean": 0.501, "accuracy_std": 0.007}, stated)
    assert not no_effect({"accuracy_mean": 0.824, "accuracy_std": 0.028}, stated)


def test_noise_has_no_structure_and_smooth_images_have():
    rng = np.random.default_rng(0)
    noise = rng.normal(size=(64, 28, 28))
    assert abs(neighbour_correlation(noise)) < 0.05 and not structured(neighbour_correlation(noise))
    rows, columns = np.mgrid[0:28, 0:28]
    blobs = np.stack([np.exp(-((rows - c) ** 2 + (columns - 14) ** 2) / 40) for c in range(8, 20)])
    assert neighbour_correlation(blobs) > STRUCTURED and structured(neighbour_correlation(blobs))
    assert neighbour_correlation(np.zeros((2, 3, 3))) == pytest.approx(0.0)


def test_a_change_costs_accuracy_when_it_turns_photos_wrong_beyond_chance_holm_corrected():
    from signnet.metrics import mcnemar_exact
    from signnet.report.judgements import costly_changes

    def row(name, wrong, right):
        return {"change": name, "turned_wrong": wrong, "turned_right": right}

    rows = [row("a", 10, 0), row("b", 6, 0), row("c", 0, 6)]
    rows = [r | {"p_value": mcnemar_exact(r["turned_wrong"], r["turned_right"])} for r in rows]
    # a: p = 2 / 1024 < 0.05 / 3; b: p = 2 / 64, above 0.05 / 2: Holm stops there.
    assert costly_changes(rows) == ("a",)
    assert costly_changes(rows[1:2]) == ("b",)  # alone, 2 / 64 < 0.05
    assert costly_changes(rows[2:]) == ()  # it helps: significant, but no cost
