"""Every entry of every registry of signnet.nn goes through every later stage: a tiny network
using it trains for an epoch, its model file is saved and loaded, it predicts, and the report's
facts and Markdown are built from it. A new component can never again pass training and crash a
later stage (or be missing from params)."""

import typing

import numpy as np
import pytest

from signnet.modelfile import load_model, save_model
from signnet.nn.activations import ACTIVATIONS
from signnet.nn.initialisers import INITIALISERS
from signnet.nn.layers import LAYERS
from signnet.nn.model import Network  # noqa: F401  (registers every layer kind)
from signnet.nn.optimizers import OPTIMIZERS
from signnet.nn.schedules import SCHEDULES
from signnet.params import ModelParams, TrainParams
from signnet.report.content import build_report
from signnet.report.facts import gather_facts
from signnet.report.markdown import render_markdown
from tests.test_report import report_inputs, text_of

CONV = {"conv": [2], "hidden": [3]}
# For each layer kind, model params whose network has a layer of that kind.
LAYER_CASES = {
    "dense": {},
    "activation": {},
    "dropout": {"dropout": 0.25},
    "reshape": CONV,
    "conv2d": CONV,
    "max_pool2d": CONV,
    "batch_norm": {"batch_norm": True, **CONV},
}
CASES = [
    *(("activation", name, {"activation": name}, {}) for name in ACTIVATIONS),
    *(("initialiser", name, {"init": name}, {}) for name in INITIALISERS),
    *(("optimizer", name, {}, {"optimizer": name}) for name in OPTIMIZERS),
    *(("schedule", name, {}, {"schedule": name}) for name in SCHEDULES),
    *(("layer", kind, LAYER_CASES.get(kind, {}), {}) for kind in LAYERS),
]


def test_every_layer_kind_has_a_case():
    assert set(LAYER_CASES) == set(LAYERS), "add model params that use the new layer kind"


@pytest.mark.parametrize(
    ("registry", "name", "model", "train"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_every_component_trains_saves_loads_predicts_and_is_reported(
    tmp_path, registry, name, model, train
):
    inputs = report_inputs((6, 8), epochs=1, model=model, train_recipe=train)
    network = inputs.model.network
    if registry == "layer":
        assert name in {spec["kind"] for spec in network.specs()}
    save_model(tmp_path / "model.npz", inputs.model)
    loaded = load_model(tmp_path / "model.npz")
    assert loaded.network.specs() == network.specs()
    images = inputs.test["images"]
    proba = loaded.predict_proba(images)
    np.testing.assert_array_equal(proba, inputs.model.predict_proba(images))
    assert proba.shape == (len(images), 2) and np.allclose(proba.sum(axis=1), 1.0)

    facts = gather_facts(inputs)
    blocks = build_report(inputs)
    markdown = render_markdown(blocks, "figures")
    assert facts.method.activation == network.config.activation
    assert "## 3 Method" in markdown and "$$" in markdown
    text = text_of(blocks)
    if registry == "activation":
        assert ACTIVATIONS[name].display in text
        assert ACTIVATIONS[name].equations[0] in markdown
    if registry == "optimizer":
        assert OPTIMIZERS[name].equation in markdown
    if registry == "initialiser":
        assert INITIALISERS[name].display.format(scale=0.01) in text
    if registry == "layer":
        _the_method_section_describes_the_network_as_it_is(blocks, markdown, network)


def _the_method_section_describes_the_network_as_it_is(blocks, markdown, network):
    """Every layer in the architecture table by its own summary, in the order computed; every
    kind of layer the network has with its own maths, and none it has not: a new layer cannot
    make the report false."""
    table = next(b for b in blocks if getattr(b, "label", "") == "architecture")
    summaries = [LAYERS[spec["kind"]].summary(spec) for spec in network.specs()]
    described = "; ".join(row[1] for row in table.rows[1:])
    position = 0
    for summary in summaries[1:] if network.specs()[0]["kind"] == "reshape" else summaries:
        position = described.index(summary, position) + len(summary)
    method = markdown[markdown.index("## 3 Method") : markdown.index("## 4 ")]
    kinds = {spec["kind"] for spec in network.specs()}
    for kind, layer in LAYERS.items():
        specs = [spec for spec in network.specs() if spec["kind"] == kind]
        for spec in specs or [SAMPLE_SPECS[kind]]:
            sentence, equations = layer.maths(spec)
            said = sentence in method and all(tex in method for tex in equations)
            assert said == (kind in kinds), (kind, said)


# A spec of each layer kind, to show that what a network lacks is not described.
SAMPLE_SPECS = {
    "dense": {"kind": "dense", "inputs": 4, "units": 3},
    "activation": {"kind": "activation", "name": "tanh"},
    "dropout": {"kind": "dropout", "rate": 0.25},
    "reshape": {"kind": "reshape", "shape": [-1]},
    "conv2d": {"kind": "conv2d", "channels_in": 1, "channels": 2, "kernel_size": 3},
    "max_pool2d": {"kind": "max_pool2d"},
    "batch_norm": {"kind": "batch_norm", "features": 2, "images": False},
}


@pytest.mark.parametrize(
    ("field", "registry"),
    [
        (ModelParams.model_fields["activation"], ACTIVATIONS),
        (ModelParams.model_fields["init"], INITIALISERS),
        (TrainParams.model_fields["optimizer"], OPTIMIZERS),
        (TrainParams.model_fields["schedule"], SCHEDULES),
    ],
)
def test_params_offer_exactly_the_registered_components(field, registry):
    assert typing.get_args(field.annotation) == tuple(registry)
