"""The method section: the network layer by layer, each kind of layer's maths forward and
backward, the output and loss, the update, and Algorithm 1.

Everything said of a component is the component's own description (a layer's ``summary`` and
``maths``, the loss's ``maths``, the optimizer's and the schedule's equations; see
:mod:`signnet.nn.layers`): the section iterates over the model's layer specs, so a layer this
module has never heard of is described as truly as the others."""

from __future__ import annotations

from signnet.nn.initialisers import INITIALISERS
from signnet.nn.layers import LAYERS
from signnet.nn.losses import loss_for
from signnet.nn.optimizers import OPTIMIZERS
from signnet.nn.schedules import SCHEDULES
from signnet.references import DOCUMENTS, in_text
from signnet.report.document import (
    Algorithm,
    Block,
    Equation,
    Heading,
    Paragraph,
    Table,
)
from signnet.report.facts import Facts, LayerFacts
from signnet.report.sections.wording import batching, network_kind


def _shape(shape: tuple[int, ...]) -> str:
    return " x ".join(str(n) for n in shape)


def _rows(layers: tuple[LayerFacts, ...]) -> list[list[LayerFacts]]:
    """The layers in the rows of the network's table: a row ends with an activation (and the
    dropout right after it); reshapes before the first computing layer join the input's row."""
    rows: list[list[LayerFacts]] = [[]]
    for i, layer in enumerate(layers):
        if layer.spec["kind"] == "reshape" and len(rows) == 1:
            rows[0].append(layer)
            continue
        if len(rows) == 1:
            rows.append([])
        rows[-1].append(layer)
        following = layers[i + 1].spec["kind"] if i + 1 < len(layers) else None
        kind = layer.spec["kind"]
        if following and (kind == "dropout" or (kind == "activation" and following != "dropout")):
            rows.append([])
    return rows


def _architecture(f: Facts) -> Table:
    m = f.method
    loss = loss_for(len(f.digits))
    rows = _rows(m.layers)
    inputs = rows[0]
    table = [
        (
            "input",
            f"{m.image_side} x {m.image_side} pixels"
            + (", as an image" if inputs else f", as a row of {f.data.features}"),
            _shape(inputs[-1].output if inputs else (f.data.features,)),
            "",
        )
    ]
    for number, row in enumerate(rows[1:], start=1):
        text = "; ".join(LAYERS[layer.spec["kind"]].summary(layer.spec) for layer in row)
        last = number == len(rows) - 1
        table.append(
            (
                "output" if last else str(number),
                text + (f"; {loss.output}" if last else ""),
                _shape(row[-1].output),
                f"{sum(layer.parameters for layer in row):,}",
            )
        )
    return Table(
        ("", "layers, in the order computed", "output per image", "parameters"),
        tuple(table),
        caption=f"The network, layer by layer, with a {loss.output} output and the {loss.name} "
        f"loss; {m.n_parameters:,} trainable parameters.",
        numeric=False,
        label="architecture",
    )


def _layers(f: Facts) -> list[Block]:
    """Each kind of layer's maths once, in the order the network first uses it; the
    sentences of layers without equations (reshapes) in one paragraph."""
    said: list[tuple[str, tuple[str, ...]]] = []
    for layer in f.method.layers:
        maths = LAYERS[layer.spec["kind"]].maths(layer.spec)
        if maths not in said:
            said.append(maths)
    blocks: list[Block] = []
    for sentence, equations in said:
        if equations:
            blocks += [Paragraph(sentence), *(Equation(tex) for tex in equations)]
    plain = [sentence for sentence, equations in said if not equations]
    if plain:
        blocks.append(Paragraph(" ".join(plain)))
    return blocks


def _output(f: Facts) -> list[Block]:
    sentence, equations = loss_for(len(f.digits)).maths
    which = (
        f" Class 1 is digit {f.positive}, class 0 digit {f.digits[0]}."
        if f.binary
        else f" The classes are the digits {', '.join(map(str, f.digits))}, in that order."
    )
    return [
        Paragraph(which.strip() + " " + sentence),
        *(Equation(tex) for tex in equations[:-1]),
        Equation(equations[-1], label="output-gradient"),
    ]


def _update(f: Facts) -> list[Block]:
    m = f.method
    decay = (
        f" Weight decay adds $\\lambda W$ to each weight matrix's gradient "
        f"($\\lambda = {m.weight_decay:g}$; biases are not decayed)."
        if m.weight_decay
        else ""
    )
    equation = SCHEDULES[m.schedule].equation
    schedule = (
        f"The rate of epoch $e$ follows a {m.schedule} schedule over the $E = {m.epochs}$ "
        f"epochs, ${equation}$, from $\\eta = {m.lr:g}$."
        if equation
        else f"The rate is constant, $\\eta_e = \\eta = {m.lr:g}$."
    )
    citation = OPTIMIZERS[m.optimizer].citation
    cited = f" ({in_text(DOCUMENTS[citation].citation)})" if citation else ""
    return [
        Paragraph(
            f"**Update.** Every trained parameter $\\theta$ takes one step of {m.optimizer_text}"
            f"{cited} per batch, at the rate $\\eta_e$ of epoch $e$:"
        ),
        Equation(OPTIMIZERS[m.optimizer].equation, label="update"),
        Paragraph(schedule + decay),
    ]


def _algorithm(f: Facts) -> Algorithm:
    m = f.method
    init = INITIALISERS[m.init].display.format(scale=m.init_scale)
    lines: list[tuple[int, str]] = [
        (0, f"initialise the weights: {init}; biases zero; seed {m.train_seed}"),
        (0, f"for epoch $e = 1, \\dots, {m.epochs}$:"),
    ]
    equation = SCHEDULES[m.schedule].equation
    if equation:
        lines.append((1, "$" + equation.replace(" = ", r" \leftarrow ", 1) + "$"))
    lines.append((1, f"shuffle the {m.train_images} training images (same seeded generator)"))
    lines.append(
        (1, "for each image:")
        if m.batch_size == 1
        else (1, f"for each batch of {m.batch_size} images (the last may be smaller):")
    )
    if m.augmented:
        lines.append((2, f"augment each image anew: {m.augmentation()}"))
    lines += [
        (2, "forward pass: logits $z$ and loss $\\mathcal{L}$"),
        (2, "backward pass from {eq:output-gradient}, layer by layer to the first"),
        (
            2,
            f"update every trained parameter with {m.optimizer_text} at rate $\\eta_e$ "
            "({eq:update})" + (f", weight decay {m.weight_decay:g}" if m.weight_decay else ""),
        ),
        (1, "stop with an error if a weight or the training loss is not finite"),
        (1, "record loss and accuracy on the training and test parts (never used to choose)"),
    ]
    if m.validation_fraction:
        lines.append(
            (
                1,
                "keep the weights if the validation loss is the lowest so far"
                + (f"; stop after {m.patience} epochs without a lower one" if m.patience else ""),
            )
        )
        lines.append((0, "return the kept weights (lowest validation loss)"))
    else:
        lines.append((0, "return the weights after the last epoch"))
    return Algorithm("Training, as the train stage runs it.", tuple(lines), label="training")


def _metrics(f: Facts) -> Paragraph:
    per_digit = (
        f"precision, recall, F1 and specificity with digit {f.positive} as the positive class"
        if f.binary
        else "precision, recall and F1 per digit, with their macro and weighted averages"
    )
    return Paragraph(
        f"**Metrics.** Accuracy, balanced accuracy, {per_digit}, log-loss and ROC AUC are "
        "computed by hand from the predicted probabilities as scikit-learn defines them "
        "(Pedregosa et al., 2011). A test accuracy's 95% "
        "interval is Wilson's score interval (Wilson, 1927); the cross-validated mean "
        "$\\bar{a}$ of $k$ folds gets a $t$ interval whose variance is widened for the "
        "training images the folds share (Nadeau and Bengio, 2003), "
        "$\\bar{a} \\pm t_{k-1}\\,s\\,\\sqrt{1/k + n_{\\mathrm{test}}/n_{\\mathrm{train}}}$."
    )


def _regression(f: Facts) -> str:
    return "logistic regression" if f.binary else "softmax regression"


def section(f: Facts) -> list[Block]:
    return [
        Heading("Method", label="method"),
        Paragraph(
            f"The network is {network_kind(f)} ({{tab:architecture}}"
            + ("" if f.method.hidden_layers else f"; with no hidden layer, {_regression(f)}")
            + ") and is trained by backpropagation with "
            f"{f.method.optimizer_text} on {batching(f)}, as {{alg:training}} sets out. In the "
            "equations, $X$ is a layer's input and $Y$ its output for a batch of $m$ images, "
            "and $\\delta$ the gradient of the loss with respect to $Y$, which the backward "
            "pass carries from the loss back to the first layer."
        ),
        _architecture(f),
        *_layers(f),
        *_output(f),
        *_update(f),
        _algorithm(f),
        _metrics(f),
    ]
