import pytest

from signnet.params import (
    SECTIONS,
    ParamError,
    TrainParams,
    load_section,
    parse_section,
    read_params_file,
)
from tests.conftest import REPO


@pytest.mark.parametrize(
    ("section", "raw", "key", "fragment"),
    [
        ("filter", {"classes": [6, 6]}, "filter.classes", "distinct"),
        ("filter", {"classes": [6, 10]}, "filter.classes", "0 to 9"),
        ("filter", {"classes": [-1, 3]}, "filter.classes", "0 to 9"),
        ("filter", {"classes": [6]}, "filter.classes", "2 to 10"),
        ("filter", {"classes": "6,8"}, "filter.classes", "a list of integers"),
        ("filter", {"classes": [6, "8"]}, "filter.classes[1]", "an integer"),
        ("split", {"test_fraction": 0}, "split.test_fraction", "strictly between 0 and 1"),
        ("split", {"test_fraction": 1.0}, "split.test_fraction", "strictly between 0 and 1"),
        ("split", {"test_fraction": "0.2"}, "split.test_fraction", "a number"),
        ("split", {"scaling": "minmax"}, "split.scaling", "one of unit, standardize"),
        ("split", {"seed": 1.5}, "split.seed", "an integer"),
        ("split", {"seed": True}, "split.seed", "an integer"),
        ("download", {"image_size": 7}, "download.image_size", "from 8 to 256"),
        ("download", {"image_size": 257}, "download.image_size", "from 8 to 256"),
        ("download", {"imagesize": 28}, "download.imagesize", "did you mean image_size"),
        ("train", {"learning_rate": 0.1}, "train.learning_rate", "unknown key"),
        ("train", {"lr": 0}, "train.lr", "a positive number"),
        ("model", {"hidden": [64, 0]}, "model.hidden", "positive integers"),
        ("model", {"activation": "softplus"}, "model.activation", "sigmoid, tanh, relu"),
        ("filter", ["classes"], "filter", "a mapping"),
    ],
)
def test_bad_values_are_named_with_their_rule(section, raw, key, fragment):
    with pytest.raises(ParamError) as caught:
        parse_section(section, raw)
    message = str(caught.value)
    assert message.startswith(f"params: {key} = "), message
    assert fragment in message


def test_defaults_are_valid_and_missing_keys_take_them():
    for name in SECTIONS:
        assert parse_section(name, None) == parse_section(name, {})
    assert parse_section("train", {"lr": 1}).lr == 1.0  # an integer is a valid number
    assert parse_section("train", {"epochs": 3}) == TrainParams(epochs=3)


def test_unknown_section_is_rejected(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("trian:\n  lr: 0.1\n")
    with pytest.raises(ParamError, match="did you mean train"):
        read_params_file(path)


def test_params_file_is_read_safely(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("train: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(ValueError, match="not valid YAML"):
        read_params_file(path)


def test_repository_params_file_is_valid():
    for name in SECTIONS:
        load_section(name, REPO / "params.yaml")
