"""The evaluate stage's robustness measurement (signnet.pipeline.robustness): the test photos
under every change, each change's accuracy and interval, the worst and the mean, the example."""

import io

import numpy as np
import pytest
from PIL import Image

from signnet.data.changes import CHANGES
from signnet.data.images import decode_photo
from signnet.data.photo_range import PhotoRange
from signnet.data.preprocessing import Preprocessing
from signnet.metrics import wilson_interval
from signnet.modelfile import TrainedModel
from signnet.params import DownloadParams
from signnet.pipeline.download import photo_files
from signnet.pipeline.evaluate import headline
from signnet.pipeline.robustness import RobustnessError, measure_robustness, plot_records
from tests.conftest import dense, with_weights


def grey_jpeg(level: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (level, level, level)).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def bright_or_dark_model() -> TrainedModel:
    """Calls a photo brighter than mid-grey an 8 and a darker one a 6 (8 x 8 images)."""
    network = with_weights(dense(64, 2), [(np.full((64, 1), 1.0), np.array([0.0]))])
    preprocessing = Preprocessing("standardize", 8, np.full(64, 127.5), np.full(64, 255.0))
    return TrainedModel(
        network, np.array([6, 8]), preprocessing, PhotoRange((0.0, 255.0), (0.0, 255.0)), {}
    )


@pytest.fixture
def measured():
    # Two dark 6s and two bright 8s; a darker copy of a grey-200 photo (120) reads as a 6.
    levels = {"Dataset/6/a.JPG": 40, "Dataset/8/b.JPG": 200, "Dataset/6/c.JPG": 50}
    levels["Dataset/8/d.JPG"] = 210
    photos = {name: grey_jpeg(level) for name, level in levels.items()}
    files = np.array(list(levels))
    test = {"files": files, "labels": np.array([0, 1, 0, 1])}
    return photos, test, measure_robustness(bright_or_dark_model(), test, photos)


def test_each_change_has_its_accuracy_and_wilson_interval(measured):
    _, _, (record, _) = measured
    rows = {row["change"]: row for row in record["changes"]}
    assert list(rows) == [change.name for change in CHANGES]
    assert rows["as taken"]["accuracy"] == 1.0 and rows["darker"]["correct"] == 2
    assert rows["brighter"]["accuracy"] == 1.0 and rows["mirrored"]["accuracy"] == 1.0
    low, high = wilson_interval(2, 4)
    assert (rows["darker"]["low"], rows["darker"]["high"]) == (low, high)
    assert (rows["darker"]["turned_wrong"], rows["darker"]["turned_right"]) == (2, 0)
    assert rows["darker"]["p_value"] == 0.5  # 2 of 2 altered photos one way: 2 * (1/2)^2
    assert rows["blurred"]["p_value"] == 1.0  # nothing altered
    assert record["worst"] == {"change": "darker", "accuracy": 0.5}
    assert record["mean_accuracy"] == pytest.approx((0.5 + 7 * 1.0) / 8)  # as taken left out
    assert plot_records(record)[1] == {"change": "darker", "accuracy": 0.5}
    assert plot_records(None) == []


def test_the_example_is_a_photo_right_as_taken_that_most_changes_turn_wrong(measured):
    photos, _, (record, images) = measured
    example = record["example"]
    assert example["file"] == "Dataset/8/b.JPG" and example["digit"] == 8
    answers = {a["change"]: a["answer"] for a in example["answers"]}
    assert answers["as taken"] == 8 and answers["darker"] == 6
    assert images.shape == (len(CHANGES), 8, 8) and images.dtype == np.uint8
    np.testing.assert_array_equal(images[0], decode_photo(photos[example["file"]], 8, "b"))


def test_the_headline_gains_the_worst_change_where_measured(measured):
    _, _, (record, _) = measured
    results = {"test": {"accuracy": 0.25, "log_loss": 1.5}}
    assert headline(results, None) == {"test": {"accuracy": 0.25, "log_loss": 1.5}}
    assert headline(results, record)["test"] == {"accuracy": 0.25, "log_loss": 1.5, "worst": 0.5}


def test_a_source_without_photos_has_nothing_to_change(tmp_path):
    params = DownloadParams(source="mnist", image_size=28, mirrors=[], course_file=None)
    assert photo_files(params, tmp_path) is None


def test_with_no_photo_right_as_taken_the_example_says_so():
    photos = {"Dataset/8/b.JPG": grey_jpeg(40)}  # an 8 as dark as a 6: wrong as taken
    test = {"files": np.array(["Dataset/8/b.JPG"]), "labels": np.array([1])}
    record, _ = measure_robustness(bright_or_dark_model(), test, photos)
    assert record["example"]["right_as_taken"] is False


def test_a_test_part_from_other_data_is_named():
    test = {"files": np.array(["Dataset/8/elsewhere.JPG"]), "labels": np.array([1])}
    with pytest.raises(RobustnessError, match="e.g. Dataset/8/elsewhere.JPG: the parts are from"):
        measure_robustness(bright_or_dark_model(), test, {})
