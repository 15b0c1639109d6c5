"""The method section: the architecture, the maths of this run's network (forward, backward,
update, metrics; every equation of a component from signnet.nn) and Algorithm 1."""

from __future__ import annotations

from signnet.nn.activations import ACTIVATIONS
from signnet.nn.batchnorm import MOMENTUM as BN_MOMENTUM
from signnet.nn.batchnorm import BatchNorm
from signnet.nn.conv import Conv2D, MaxPool2D
from signnet.nn.initialisers import INITIALISERS
from signnet.nn.optimizers import OPTIMIZERS
from signnet.nn.schedules import SCHEDULES
from signnet.report.document import (
    Algorithm,
    Block,
    Equation,
    Heading,
    Paragraph,
    Table,
)
from signnet.report.facts import Facts
from signnet.report.sections.wording import batching, network_kind, plural


def _architecture(f: Facts) -> Table:
    m = f.method
    blocks = [f"{c} x ({m.kernel_size}x{m.kernel_size} conv, 2x2 max-pool)" for c in m.conv]
    dense = [f"{n} neurons" for n in m.hidden]
    hidden = ", ".join(blocks + dense) or "none"
    if m.batch_norm and (m.conv or m.hidden):
        hidden += ", each batch-normalised"
    if m.dropout and m.hidden:
        hidden += f", dropout {m.dropout:g}"
    output = "sigmoid" if f.binary else "softmax"
    hidden_activation = ACTIVATIONS[m.activation].display if m.hidden_layers else "none"
    return Table(
        ("Input layer", "Hidden layers", "Output layer", "Activation", "Loss"),
        (
            (
                f"{m.image_side} x {m.image_side} image"
                if m.conv
                else f"{f.data.features} neurons",
                hidden,
                f"{plural(m.outputs, 'neuron')}",
                f"{hidden_activation} (hidden), {output} (output)",
                "binary cross-entropy" if f.binary else "categorical cross-entropy",
            ),
        ),
        caption=f"Architecture, as the reference reports present it; {m.n_parameters:,} "
        "trainable parameters.",
        numeric=False,
        label="architecture",
    )


def _forward(f: Facts) -> list[Block]:
    m = f.method
    g, g_prime = ACTIVATIONS[m.activation].equations
    rows = (
        f" of {f.data.features} pixel values. "
        if not m.conv
        else f" of {m.image_side} x {m.image_side} images. "
    )
    if not m.hidden_layers:
        regression = "logistic regression" if f.binary else "softmax regression"
        return [
            Paragraph(
                "**Forward pass.** A batch is a matrix with one row per image: $X$ has $m$ rows"
                + rows
                + f"There is no hidden layer ({regression}): one dense layer multiplies $X$ by "
                "its weights and adds its bias (a row, added to every row) to give the logits:"
            ),
            Equation(r"Z = X\,W + b"),
            *_output(f),
        ]
    blocks: list[Block] = [
        Paragraph(
            "**Forward pass.** A batch is a matrix with one row per image: $X$ has $m$ rows"
            + rows
            + f"Hidden units apply the {ACTIVATIONS[m.activation].display} $g$ elementwise:"
        ),
        Equation(g + r",\qquad " + g_prime),
    ]
    if m.conv:
        blocks += [
            Paragraph(
                f"Each of the {len(m.conv)} convolution blocks slides {m.kernel_size} x "
                f"{m.kernel_size} kernels $K$ with stride 1 and zero padding that keeps the size, "
                "adds a bias per channel, applies $g$, and keeps the maximum of each 2 x 2 window:"
            ),
            Equation(
                Conv2D.equation
                + (r",\qquad A = g(\mathrm{BN}(Z))" if m.batch_norm else r",\qquad A = g(Z)")
                + r",\qquad "
                + MaxPool2D.equation
            ),
            Paragraph(
                "The last block's output is flattened into one row per image for the dense layers."
            ),
        ]
    dropout = (
        f" During training, after each hidden dense layer, every unit is kept with probability "
        f"{1 - m.dropout:g} and scaled by $1/{1 - m.dropout:g}$ (inverted dropout), so inference "
        "uses the weights as they are."
        if m.dropout and m.hidden
        else ""
    )
    blocks += [
        Paragraph(
            "Each dense layer $l$ multiplies by its weights and adds its bias (a row, added to "
            "every row); hidden layers then apply $g$, the last layer gives the logits $z$."
            + dropout
        ),
        Equation(r"Z^{[l]} = A^{[l-1]}\,W^{[l]} + b^{[l]},\qquad A^{[l]} = g(Z^{[l]})"),
    ]
    if m.batch_norm:
        blocks += [
            Paragraph(
                "Batch normalisation (BN), after each convolution and hidden dense layer and "
                "before $g$, normalises each feature (each channel, for images) with the mean "
                "$\\mu_B$ and variance $\\sigma_B^2$ of the batch's $n$ values of it while "
                "training, then scales and shifts it by the learned $\\gamma$ and $\\beta$; "
                f"running estimates, updated with momentum $m = {BN_MOMENTUM:g}$, take the "
                "batch's place at inference, so a "
                "photo's prediction does not depend on the others scored with it:"
            ),
            *(Equation(tex) for tex in BatchNorm.equations[:2]),
        ]
    return blocks + _output(f)


def _output(f: Facts) -> list[Block]:
    """The output layer and the loss."""
    if f.binary:
        return [
            Paragraph(
                f"The output is one sigmoid unit, the probability of digit {f.positive}; the "
                "loss is the binary cross-entropy averaged over the $m$ images of the batch "
                "(computed from the logits as $\\log \\sigma(z) = -\\log(1 + e^{-z})$, so it "
                "never takes $\\log 0$):"
            ),
            Equation(
                r"\hat{y}_i = \sigma(z_i),\qquad \mathcal{L} = -\dfrac{1}{m}\sum_{i=1}^{m}"
                r"\left[y_i \log \hat{y}_i + (1 - y_i)\log(1 - \hat{y}_i)\right]"
            ),
        ]
    return [
        Paragraph(
            f"The output is a softmax over the {len(f.digits)} logits; the loss is the "
            "categorical cross-entropy averaged over the batch, with one-hot targets $y$ "
            "(computed with the log-sum-exp shift, so it never takes $\\log 0$):"
        ),
        Equation(
            r"\hat{y}_{ik} = \dfrac{e^{z_{ik}}}{\sum_j e^{z_{ij}}},\qquad \mathcal{L} = "
            r"-\dfrac{1}{m}\sum_{i=1}^{m}\sum_{k} y_{ik}\log \hat{y}_{ik}"
        ),
    ]


def _backward(f: Facts) -> list[Block]:
    m = f.method
    if f.binary:
        derivation = [
            Paragraph(
                "**Backward pass.** For one image, the chain rule through the sigmoid gives the "
                "gradient of the loss with respect to the logit:"
            ),
            Equation(
                r"\dfrac{\partial \mathcal{L}}{\partial \hat{y}} = "
                r"\dfrac{\hat{y} - y}{\hat{y}\,(1 - \hat{y})},\qquad "
                r"\dfrac{\partial \hat{y}}{\partial z} = \hat{y}\,(1 - \hat{y})"
                r"\quad\Rightarrow\quad \dfrac{\partial \mathcal{L}}{\partial z} = \hat{y} - y",
                label="output-gradient",
            ),
        ]
    else:
        derivation = [
            Paragraph(
                "**Backward pass.** For one image, the derivative of the softmax and the "
                "one-hot target (whose entries sum to 1) give the gradient with respect to "
                "each logit:"
            ),
            Equation(
                r"\dfrac{\partial \hat{y}_k}{\partial z_j} = \hat{y}_k\,([k = j] - \hat{y}_j)"
                r"\quad\Rightarrow\quad \dfrac{\partial \mathcal{L}}{\partial z_j} = "
                r"-\sum_k \dfrac{y_k}{\hat{y}_k}\,\hat{y}_k\,([k=j] - \hat{y}_j) = \hat{y}_j - y_j",
                label="output-gradient",
            ),
        ]
    if not m.hidden_layers:
        return derivation + [
            Paragraph(
                "Averaged over the batch, {eq:output-gradient} gives the error of the output, "
                "$\\delta = (\\hat{Y} - Y)/m$; the weight gradient multiplies the input by it "
                "and the bias "
                "gradient sums it over the batch:"
            ),
            Equation(
                r"\dfrac{\partial \mathcal{L}}{\partial W} = X^{\top}\,\delta,\qquad "
                r"\dfrac{\partial \mathcal{L}}{\partial b} = \sum_{i=1}^{m}\delta_i"
            ),
        ]
    blocks = derivation + [
        Paragraph(
            "Averaged over the batch, {eq:output-gradient} gives the error of the output layer "
            "$L$, $\\delta^{[L]} = (\\hat{Y} - Y)/m$. Going "
            "back through each dense layer, the weight gradient multiplies the layer's input by "
            "its error, the bias gradient sums the error over the batch, and the error of the "
            "layer before follows through the weights and $g'$:"
        ),
        Equation(
            r"\dfrac{\partial \mathcal{L}}{\partial W^{[l]}} = (A^{[l-1]})^{\top}\,\delta^{[l]},"
            r"\quad \dfrac{\partial \mathcal{L}}{\partial b^{[l]}} = \sum_{i=1}^{m}\delta^{[l]}_i,"
            r"\quad \delta^{[l-1]} = \delta^{[l]}\,(W^{[l]})^{\top} \odot g'(Z^{[l-1]})"
        ),
    ]
    if m.dropout and m.hidden:
        blocks.append(
            Paragraph("Dropout multiplies the error by the forward pass's mask and scale.")
        )
    if m.batch_norm:
        blocks += [
            Paragraph(
                "Batch normalisation passes the error $\\delta$ of its output back through the "
                "batch's statistics as well as through $\\hat{x}$ (bars are means over the "
                "batch):"
            ),
            Equation(BatchNorm.equations[2]),
        ]
    if m.conv:
        blocks += [
            Paragraph(
                "Through a convolution block, max-pooling passes each window's error to the "
                "position of its maximum (the first one on ties), $g'$ multiplies it in, and the "
                "kernel and input gradients are correlations of the error with the input and "
                "with the kernel:"
            ),
            Equation(
                r"\dfrac{\partial \mathcal{L}}{\partial K_{u,v,c',c}} = \sum_{n,i,j} "
                r"X_{n,\,i+u,\,j+v,\,c'}\,\delta_{n,i,j,c},\qquad "
                r"\dfrac{\partial \mathcal{L}}{\partial X_{n,p,q,c'}} = \sum_{u,v,c} "
                r"\delta_{n,\,p-u,\,q-v,\,c}\,K_{u,v,c',c}"
            ),
        ]
    return blocks


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
        f"The rate of epoch $e$ follows a {m.schedule} over the $E = {m.epochs}$ epochs, "
        f"${equation}$, from $\\eta = {m.lr:g}$."
        if equation
        else f"The rate is constant, $\\eta_e = \\eta = {m.lr:g}$."
    )
    bn = ", and each $\\gamma$ and $\\beta$" if m.batch_norm else ""
    return [
        Paragraph(
            f"**Update.** Every parameter $\\theta$ (each $W$ and $b${bn}) takes one step of "
            f"{m.optimizer_text} per batch, at the rate $\\eta_e$ of epoch $e$:"
        ),
        Equation(OPTIMIZERS[m.optimizer].equation, label="update"),
        Paragraph(schedule + decay),
    ]


def _metrics_maths(f: Facts) -> list[Block]:
    if f.binary:
        counts = (
            f"With digit {f.positive} as the positive class and $TP$, $FP$, $TN$, $FN$ the "
            "counts of the confusion matrix:"
        )
        tex = [
            r"\text{accuracy} = \dfrac{TP + TN}{TP + TN + FP + FN},\quad "
            r"\text{precision} = \dfrac{TP}{TP + FP},\quad \text{recall} = \dfrac{TP}{TP + FN}",
            r"F_1 = \dfrac{2\,\text{precision}\cdot\text{recall}}"
            r"{\text{precision} + \text{recall}},\quad "
            r"\text{specificity} = \dfrac{TN}{TN + FP},\quad "
            r"\text{balanced accuracy} = \dfrac{\text{recall} + \text{specificity}}{2}",
        ]
    else:
        counts = (
            "Per digit k, precision, recall and F1 treat k as the positive class; macro "
            "averages weigh the digits equally, weighted averages by their test images $n_k$:"
        )
        tex = [
            r"\text{precision}_k = \dfrac{TP_k}{TP_k + FP_k},\quad "
            r"\text{recall}_k = \dfrac{TP_k}{TP_k + FN_k},\quad "
            r"F_{1,k} = \dfrac{2\,\text{precision}_k\,\text{recall}_k}"
            r"{\text{precision}_k + \text{recall}_k}",
            r"\text{macro} = \dfrac{1}{K}\sum_k \text{metric}_k,\quad "
            r"\text{weighted} = \sum_k \dfrac{n_k}{n}\,\text{metric}_k,\quad "
            r"\text{balanced accuracy} = \dfrac{1}{K}\sum_k \text{recall}_k",
        ]
    return [
        Paragraph(f"**Metrics.** {counts}"),
        *(Equation(t) for t in tex),
        Paragraph(
            "The accuracy's 95% interval is Wilson's score interval for a proportion $\\hat{p}$ "
            f"of $n$ images ($z = {f.results.z:.2f}$), and the cross-validated mean over $k$ "
            "folds gets a $t$ "
            "interval whose variance is widened for the training images that the folds share "
            "(Nadeau and Bengio, 2003):"
        ),
        Equation(
            r"\dfrac{\hat{p} + \frac{z^2}{2n} \pm z\sqrt{\frac{\hat{p}(1-\hat{p})}{n} + "
            r"\frac{z^2}{4n^2}}}{1 + \frac{z^2}{n}},\qquad \bar{a} \pm t_{k-1}\,s\,"
            r"\sqrt{\frac{1}{k} + \frac{n_{\mathrm{test}}}{n_{\mathrm{train}}}}"
        ),
    ]


def _algorithm(f: Facts) -> Algorithm:
    m = f.method
    init = INITIALISERS[m.init].display.format(scale=m.init_scale)
    bn = ", and each $\\gamma$ and $\\beta$" if m.batch_norm else ""
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
    if m.augment_shift or m.augment_rotation or m.augment_scale:
        lines.append(
            (
                2,
                f"augment each image anew: shift ≤ {m.augment_shift:g} of the side, rotate ≤ "
                f"{m.augment_rotation:g}°, scale by ≤ {m.augment_scale:g} either way",
            )
        )
    lines += [
        (
            2,
            "forward pass"
            + (f" with dropout {m.dropout:g}" if m.dropout and m.hidden else "")
            + ": logits $z$ and loss $\\mathcal{L}$",
        ),
        (2, "backward pass: gradients of $\\mathcal{L}$, averaged over the batch"),
        (
            2,
            f"update every $W$ and $b${bn} with {m.optimizer_text} at rate $\\eta_e$ "
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


def section(f: Facts) -> list[Block]:
    return [
        Heading("Method", label="method"),
        Paragraph(
            f"A {network_kind(f)} network ({{tab:architecture}}) trained by backpropagation with "
            f"{f.method.optimizer_text} on {batching(f)}, as {{alg:training}} sets out."
        ),
        _architecture(f),
        *_forward(f),
        *_backward(f),
        *_update(f),
        _algorithm(f),
        *_metrics_maths(f),
    ]
