"""The params schema: YAML 1.2 as DVC reads it, strict types, messages, one source of truth."""

import copy
import re
import subprocess
import sys
import typing

import pytest
from dvc.utils.serialize import parse_yaml

from signnet.data.preprocessing import SCALINGS
from signnet.data.sources import SOURCES
from signnet.errors import SignnetError
from signnet.nn.activations import ACTIVATIONS
from signnet.nn.architecture import DTYPES
from signnet.nn.backend import DEVICES
from signnet.nn.initialisers import INITIALISERS
from signnet.nn.optimizers import OPTIMIZERS
from signnet.nn.schedules import SCHEDULES
from signnet.params import (
    ParamError,
    Params,
    key_title,
    load_params,
    read_yaml,
    reference_table,
    validate,
)
from tests.conftest import REPO, repo_params

GOOD = read_yaml(REPO / "params.yaml")


def with_changes(**changes):
    """params.yaml's values with ``section__key=value`` changes (``...`` deletes the key)."""
    raw = copy.deepcopy(GOOD)
    for name, value in changes.items():
        section, key = name.split("__")
        if value is ...:
            del raw[section][key]
        else:
            raw[section][key] = value
    return raw


def problems(raw):
    with pytest.raises(ParamError) as caught:
        validate(raw)
    return str(caught.value).splitlines()


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        (
            {"filter__classes": [6, 6]},
            "filter.classes = [6, 6] is not allowed: a list of 2 to 10 "
            "integers from 0 to 9, all distinct",
        ),
        (
            {"filter__classes": [6, 10]},
            "filter.classes = [6, 10] is not allowed: a list of 2 to 10",
        ),
        ({"filter__classes": [6]}, "filter.classes = [6] is not allowed"),
        ({"filter__classes": [6, "8"]}, "filter.classes = [6, '8'] is not allowed"),
        ({"filter__classes": "6,8"}, "filter.classes = '6,8' is not allowed"),
        (
            {"split__test_fraction": 0},
            "split.test_fraction = 0 is not allowed: a number strictly between 0 and 1",
        ),
        ({"split__test_fraction": "0.2"}, "split.test_fraction = '0.2' is not allowed: a number"),
        (
            {"split__scaling": "minmax"},
            "split.scaling = 'minmax' is not allowed: one of unit, standardize",
        ),
        ({"split__seed": 1.5}, "split.seed = 1.5 is not allowed: an integer from 0 to 9223372"),
        ({"split__seed": True}, "split.seed = True is not allowed: an integer from 0 to 9223372"),
        ({"split__seed": 2**64}, f"split.seed = {2**64} is not allowed: an integer from 0 to"),
        ({"train__seed": -1}, "train.seed = -1 is not allowed: an integer from 0 to"),
        ({"train__epochs": 10**9}, "train.epochs = 1000000000 is not allowed: an integer from 1"),
        ({"cv__folds": 1000}, "cv.folds = 1000 is not allowed: an integer from 0 to 100"),
        ({"cv__workers": 0}, "cv.workers = 0 is not allowed: null or an integer from 1 to 256"),
        (
            {"model__init_scale": 1e300},
            "model.init_scale = 1e+300 is not allowed: a number in (0, 10]",
        ),
        (
            {"model__conv": [10**6]},
            "model.conv = [1000000] is not allowed: a list of 0 to 32 integers from 1 to 65536",
        ),
        ({"train__lr": True}, "train.lr = True is not allowed: a positive number"),
        ({"train__lr": 0}, "train.lr = 0 is not allowed: a positive number"),
        ({"train__lr": float("inf")}, "train.lr = inf is not allowed: a positive number"),
        ({"train__momentum": 1}, "train.momentum = 1 is not allowed: a number in [0, 1)"),
        (
            {"download__image_size": 257},
            "download.image_size = 257 is not allowed: an integer from 8 to 256",
        ),
        (
            {"download__imagesize": 28},
            "download.imagesize = 28 is not allowed: unknown key (did you mean image_size?)",
        ),
        ({"train__learning_rate": 0.1}, "train.learning_rate = 0.1 is not allowed: unknown key"),
        ({"train__lr": ...}, "train.lr is missing: set it in params.yaml (a positive number)"),
        (
            {"model__hidden": [64, 0]},
            "model.hidden = [64, 0] is not allowed: a list of 0 to 32 integers from 1 to 65536",
        ),
        (
            {"model__activation": "softplus"},
            "model.activation = 'softplus' is not allowed: one of sigmoid, tanh, relu",
        ),
        ({"download__course_file": 3}, "download.course_file = 3 is not allowed: null or a string"),
        (
            {"report__course": "ML\n101"},
            "report.course = 'ML\\n101' is not allowed: a string, at most 100 printable characters",
        ),
        ({"report__milestone": "x" * 101}, "report.milestone = 'xxxxxxxx"),
        ({"report__authors": ["Ada", ""]}, "report.authors = ['Ada', ''] is not allowed"),
        ({"report__authors": "Ada"}, "report.authors = 'Ada' is not allowed: a list of 0 to 10"),
    ],
)
def test_each_problem_names_key_value_and_what_is_allowed(changes, line):
    (message,) = problems(with_changes(**changes))
    assert message.startswith("params: " + line), message


def test_every_problem_in_the_file_is_reported_at_once():
    raw = with_changes(train__lr="fast", model__dtype="float16", report__example_photos=0)
    raw["trian"] = {}
    raw.pop("split")
    found = problems(raw)
    assert [line.split(" ")[1] for line in found] == [
        "split",
        "model.dtype",
        "train.lr",
        "report.example_photos",
        "trian",
    ]
    assert found[-1].startswith(
        "params: trian = {} is not allowed: unknown section (did you mean train?); known: "
    )
    assert "params: split is missing: set it in params.yaml (a mapping of keys to values)" in found


def test_a_section_that_is_not_a_mapping():
    (line,) = problems({**GOOD, "model": [64]})
    assert line == "params: model = [64] is not allowed: a mapping of keys to values"


TRICKY_YAML = """\
a: 1e-5
b: 1.0e+6
c: .5
d: 1e6
e: -2E-3
f: yes
g: on
h: true
i: 0x1F
j: 1_000
"""


def test_the_file_is_read_as_dvc_reads_it(tmp_path):
    path = tmp_path / "doc.yaml"
    path.write_text(TRICKY_YAML)
    ours = read_yaml(path)
    assert ours == parse_yaml(TRICKY_YAML, str(path))  # DVC's own params parser
    assert ours["a"] == 1e-5 and ours["b"] == 1e6 and ours["c"] == 0.5 and ours["d"] == 1e6
    assert ours["f"] == "yes" and ours["g"] == "on" and ours["h"] is True  # YAML 1.2


@pytest.mark.parametrize(("text", "value"), [("1e-5", 1e-5), ("1.0e+6", 1e6), (".5", 0.5)])
def test_numbers_in_any_yaml_form_are_numbers(tmp_path, text, value):
    path = tmp_path / "params.yaml"
    path.write_text((REPO / "params.yaml").read_text().replace("lr: 0.1", f"lr: {text}"))
    assert load_params(path).train.lr == value


def test_an_integer_is_a_number_but_a_boolean_is_not():
    assert validate(with_changes(train__lr=1)).train.lr == 1.0
    assert problems(with_changes(train__epochs=True)) == [
        "params: train.epochs = True is not allowed: an integer from 1 to 100000"
    ]


def test_unsafe_yaml_and_missing_files_are_refused(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("train: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(ValueError, match="params.yaml is not valid YAML"):
        load_params(path)
    with pytest.raises(ValueError, match="nothing.yaml: no such file; expected a params file"):
        load_params(tmp_path / "nothing.yaml")


def test_yaml_anchors_and_aliases_are_refused_before_anything_is_built(tmp_path):
    """A "billion laughs": 1.9 KB of nested aliases stands for 10**9 strings."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level, name in enumerate("bcdefghi"):
        previous = "abcdefgh"[level]
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SignnetError, match=r"laughs.yaml has a YAML anchor &a \(line 1\): params"):
        load_params(path)
    path.write_text((REPO / "params.yaml").read_text().replace("lr: 0.1", "lr: &rate 0.1"))
    with pytest.raises(SignnetError, match=r"anchor &rate \(line \d+\): .* write each value out"):
        load_params(path)


def test_yaml_nested_too_deep_is_refused_before_anything_is_built(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 50_000 + "]" * 50_000 + "\n")  # the builder would recurse
    with pytest.raises(SignnetError, match="nests lists or mappings 17 deep at line 1; params"):
        load_params(path)


def test_an_error_shows_a_long_value_cut_with_its_length():
    [line] = problems(with_changes(report__course="x" * 5000))
    assert line.startswith("params: report.course = 'xxx") and "... (5,002 characters)" in line
    assert len(line) < 400


def test_a_params_path_that_is_not_a_yaml_file_is_named(tmp_path):
    import os

    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "binary.yaml").write_bytes(b"\x7fELF\x02\x01\x01\x00\xd0\xff")
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    cases = {
        tmp_path: "is a directory; expected a params file (YAML)",
        fifo: "is a FIFO (named pipe); expected a params file",
        tmp_path / "zero.yaml": "is a character device; expected a params file",
        tmp_path / "empty.yaml": "empty.yaml is empty; it needs a section per stage",
        tmp_path / "binary.yaml": "binary.yaml is not UTF-8 text (byte 8 is 0xd0)",
    }
    for path, message in cases.items():
        with pytest.raises(SignnetError, match=re.escape(message)):
            load_params(path)


def test_the_repository_file_is_valid_and_the_code_has_no_defaults():
    params = load_params(REPO / "params.yaml")  # params.yaml's values, checked by the schema
    assert params.split.scaling == "standardize" and params.train.lr == 0.1
    for section in Params.model_fields.values():
        for name, field in section.annotation.model_fields.items():
            assert field.is_required(), f"{name} has a default in code; params.yaml holds it"


def test_choices_are_the_implementing_tables():
    """Sources, scalings and devices are taken from their tables; the network's component names
    are written in params.py (importing signnet.nn's registries would make the data stages
    depend on the network's code) and must be the registries' keys, in their order."""
    declared = {
        ("download", "source"): SOURCES,
        ("split", "scaling"): SCALINGS,
        ("model", "activation"): ACTIVATIONS,
        ("model", "init"): INITIALISERS,
        ("model", "dtype"): DTYPES,
        ("train", "optimizer"): OPTIMIZERS,
        ("train", "device"): DEVICES,
        ("train", "schedule"): SCHEDULES,
    }
    literal = [
        (section_name, name)
        for section_name, section in Params.model_fields.items()
        for name, field in section.annotation.model_fields.items()
        if typing.get_origin(field.annotation) is typing.Literal
    ]
    assert sorted(literal) == sorted(declared)
    for (section, name), table in declared.items():
        field = Params.model_fields[section].annotation.model_fields[name]
        assert typing.get_args(field.annotation) == tuple(table)


def test_the_documented_table_is_the_schemas():
    page = (REPO / "docs" / "parameters.md").read_text()
    assert reference_table(load_params(REPO / "params.yaml")) in page, (
        "docs/parameters.md's table is stale: run python tools/doc_tables.py"
    )


def test_params_loads_none_of_the_network_s_implementations():
    code = (
        "import sys, signnet.params; "
        "print(sorted(m for m in sys.modules if m.startswith('signnet.nn')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert (
        loaded.stdout.strip() == "['signnet.nn', 'signnet.nn.architecture', 'signnet.nn.backend']"
    )


def test_the_network_library_loads_neither_params_nor_yaml():
    code = (
        "import pkgutil, importlib, sys, signnet.nn as nn\n"
        "for m in pkgutil.iter_modules(nn.__path__):\n"
        "    importlib.import_module('signnet.nn.' + m.name)\n"
        "bad = sorted(n for n in sys.modules if re.match(r'(signnet\\.(params|artifacts|pipeline"
        "|report|stagekit))|yaml|ruamel', n))\n"
        "print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import re\n" + code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
    sources = "".join(p.read_text() for p in (REPO / "src/signnet/nn").glob("*.py"))
    assert not re.search(r"\b(train|model|split|download)\.\w+ =", sources)  # no params keys


def test_convolution_blocks_must_fit_the_image_size_before_any_work():
    with pytest.raises(ParamError) as caught:
        repo_params(download={"image_size": 8}, model={"conv": [16, 32, 64, 128]})
    assert str(caught.value) == (
        "params: model.conv = [16, 32, 64, 128] does not fit download.image_size = 8: 4 "
        "convolution blocks need images of side at least 16; use fewer blocks or a larger "
        "image_size"
    )
    repo_params(download={"image_size": 16}, model={"conv": [16, 32, 64, 128]})  # fits


def test_a_key_s_name_in_prose_is_its_schema_title():
    assert key_title("split.scaling") == "pixel scaling"
    assert key_title("train.augment_rotation") == "augmentation: rotation"
    assert key_title("model.dtype") == "model.dtype"  # untitled: the key itself


def test_params_yaml_is_committed_in_the_form_dvc_writes(tmp_path):
    """``dvc exp run -S`` and ``dvc exp apply`` rewrite params.yaml through DVC's YAML writer: the
    committed file must come back unchanged, so that an experiment's diff is its one key."""
    from dvc.utils.hydra import apply_overrides

    committed = (REPO / "params.yaml").read_text()
    copy = tmp_path / "params.yaml"
    copy.write_text(committed)
    apply_overrides(str(copy), ["train.lr=0.1", "filter.classes=[6,8]", "report.course=''"])
    assert copy.read_text() == committed, "params.yaml is not in the form DVC writes"
    apply_overrides(str(copy), ["train.lr=0.05"])
    changed = [
        (old, new)
        for old, new in zip(committed.splitlines(), copy.read_text().splitlines(), strict=True)
        if old != new
    ]
    assert changed == [("  lr: 0.1", "  lr: 0.05")]


def test_a_network_too_large_for_this_machine_is_refused_with_the_memory_it_needs(monkeypatch):
    import signnet.params as params_module

    monkeypatch.setattr(params_module, "machine_memory", lambda: 1 << 30)
    [line] = problems(with_changes(model__hidden=[8192, 8192]))
    assert line.startswith("params: model.hidden = [8192, 8192] needs about 2.7 GiB to train (")
    assert "73,555,969 weights in float64: 2.7 GiB; a batch of 32" in line
    assert "this machine has 1.0 GiB: use fewer or narrower layers" in line
    assert validate(with_changes(model__hidden=[64])).model.hidden == [64]  # the default fits
    monkeypatch.setattr(params_module, "machine_memory", lambda: None)  # unknown: not checked
    assert validate(with_changes(model__hidden=[8192, 8192]))


@pytest.mark.parametrize(
    "settings",
    [
        {"hidden": (16, 8)},
        {"conv": (4, 8), "hidden": (12,), "batch_norm": True},
        {"conv": (3,), "hidden": ()},
    ],
)
def test_the_parameter_count_is_the_networks(settings):
    import numpy as np

    from signnet.nn.model import Network
    from tests.conftest import network_config

    config = network_config(256, 3, **settings)
    network = Network.initialise(config, 0, np)
    held = sum(array.size for layer in network.parameters() for array in layer.values())
    assert config.parameter_count() == held
