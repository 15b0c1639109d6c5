"""The all-pairs difficulty map: the pairs, the symmetric map, the hardest pairs and the figure."""

import numpy as np

from signnet.pipeline.pairs import difficulty_map, hardest, pair_datasets, pair_digits, pair_name
from signnet.report.figures import pair_difficulty_map


def test_every_pair_of_the_digits_present_is_a_filtered_dataset():
    digits = np.array([3, 0, 7, 3, 0, 7, 7])
    dataset = {
        "images": np.arange(7 * 4, dtype=np.uint8).reshape(7, 2, 2),
        "digits": digits,
        "files": np.array([f"f{i}" for i in range(7)]),
    }
    pairs = pair_datasets(dataset)
    assert list(pairs) == ["0 vs 3", "0 vs 7", "3 vs 7"]
    three_seven = pairs["3 vs 7"]
    assert three_seven["classes"].tolist() == [3, 7]
    assert three_seven["labels"].tolist() == [0, 1, 0, 1, 1]  # 7, the larger, is positive
    assert three_seven["files"].tolist() == ["f0", "f2", "f3", "f5", "f6"]
    assert pair_digits(pair_name(3, 7)) == (3, 7)


def summaries(means: dict[str, float]) -> dict[str, dict]:
    return {name: {"accuracy_mean": m, "accuracy_std": 0.01} for name, m in means.items()}


def test_the_map_is_symmetric_with_an_empty_diagonal():
    grid, digits = difficulty_map(summaries({"0 vs 1": 0.9, "0 vs 2": 0.8, "1 vs 2": 0.7}))
    assert digits == [0, 1, 2]
    assert np.isnan(np.diag(grid)).all()
    assert grid[0, 2] == grid[2, 0] == 0.8 and grid[1, 2] == grid[2, 1] == 0.7


def test_the_hardest_pairs_come_lowest_first_ties_by_name():
    worst = hardest(summaries({"0 vs 1": 0.9, "0 vs 2": 0.7, "1 vs 2": 0.7, "1 vs 3": 0.95}), 3)
    assert [row["pair"] for row in worst] == ["0 vs 2", "1 vs 2", "0 vs 1"]
    assert worst[0] == {"pair": "0 vs 2", "accuracy_mean": 0.7, "accuracy_std": 0.01}


def test_the_map_figure_is_a_deterministic_png():
    grid, digits = difficulty_map(summaries({"0 vs 1": 0.9, "0 vs 2": 0.8, "1 vs 2": 0.7}))
    png = pair_difficulty_map(grid, digits, {"1 vs 2": (1, 2)})
    assert png.startswith(b"\x89PNG") and png == pair_difficulty_map(
        grid, digits, {"1 vs 2": (1, 2)}
    )
