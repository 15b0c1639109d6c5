"""The milestone report's content: blocks (see :mod:`signnet.report.document`) that format the
facts of :mod:`signnet.report.facts`.

Nothing here computes a figure or types in a fact about the run: every number, name and
condition comes from :class:`~signnet.report.facts.Facts`; the prose only chooses words for them.
Sections follow what a grader of the reference reports looks for: introduction, data, method
(with the maths of this run's network and Algorithm 1), hyperparameters with evidence, training,
results against each reference, predictions, discussion, conclusion, references,
reproducibility and the scikit-learn cross-check as an appendix.
"""

from __future__ import annotations

import numpy as np

from signnet.pipeline.pairs import pair_digits
from signnet.references import DOCUMENTS
from signnet.report import figures
from signnet.report.document import (
    Algorithm,
    Block,
    Bullets,
    Code,
    Equation,
    Figure,
    Heading,
    Paragraph,
    Table,
    number_blocks,
)
from signnet.report.facts import OVERCONFIDENT, Facts, Prediction, ReportInputs, gather_facts

PHOTO_COLUMNS = 6
ACTIVATION_NAMES = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU"}
INIT_TEXT = {
    "xavier": "Xavier/Glorot uniform weights (Glorot and Bengio, 2010)",
    "he": "He normal weights (He et al., 2015)",
    "normal": "normal weights with standard deviation {scale:g}",
}
OPTIMIZER_NAMES = {"sgd": "plain gradient descent", "momentum": "momentum", "adam": "Adam"}
KEY_NAMES = {
    "split.scaling": "pixel scaling",
    "model.conv": "convolution blocks",
    "model.hidden": "hidden layers",
    "model.activation": "hidden activation",
    "model.init": "initialisation",
    "model.init_scale": "initial weight scale",
    "train.optimizer": "optimizer",
    "train.lr": "learning rate",
    "train.epochs": "epochs",
    "train.batch_size": "batch size",
    "train.schedule": "learning-rate schedule",
    "train.augment_shift": "augmentation: shift",
    "train.augment_rotation": "augmentation: rotation",
    "train.augment_scale": "augmentation: scale",
}


def _pct(value: float, digits: int = 1) -> str:
    return f"{100 * value:.{digits}f}%"


def _num(value: float) -> str:
    return f"{value:.4f}"


def _plural(n: int, word: str, plural: str = "") -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def _list(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}"


def _task(f: Facts) -> str:
    if f.binary:
        return f"{f.digits[0]} vs {f.digits[1]}"
    if f.digits == tuple(range(10)):
        return "all ten digits"
    return "digits " + _list([str(d) for d in f.digits])


def _kind(f: Facts) -> str:
    return "convolutional" if f.method.conv else "fully connected"


def _batching(f: Facts) -> str:
    m = f.method
    if m.batch_size == 1:
        return "per-sample gradient descent (one image per step)"
    if m.batch_size >= m.train_images:
        return "full-batch gradient descent (all training images in one step)"
    return f"mini-batches of {m.batch_size} ({m.batches_per_epoch} steps per epoch)"


def _optimizer(f: Facts) -> str:
    m = f.method
    return {
        "sgd": "plain gradient descent",
        "momentum": f"gradient descent with momentum {m.momentum:g}",
        "adam": f"Adam (β1 {m.beta1:g}, β2 {m.beta2:g})",
    }[m.optimizer]


def _value_text(key: str, value) -> str:
    if key == "split.scaling":
        return {"unit": "divide by 255", "standardize": "standardise per pixel"}[value]
    if isinstance(value, list):
        return "none" if not value else " / ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# --- front matter, data -------------------------------------------------------------------


def _introduction(f: Facts) -> list[Block]:
    r, cv = f.results, f.cv
    cv_text = (
        f" Cross-validated over {len(cv.folds)} folds, the same recipe reaches "
        f"{_pct(cv.summary['accuracy_mean'])} ± {_pct(cv.summary['accuracy_std'])}."
        if cv
        else ""
    )
    classes = (
        f"two classes, with digit {f.positive} as the positive class"
        if f.binary
        else f"{len(f.digits)} classes"
    )
    mnist = f.data.origin == "mnist"
    subject = "Handwritten digits (MNIST)" if mnist else "Sign-language digits"
    shows = "handwritten" if mnist else "a hand signing"
    return [
        Heading(f"{subject}, {_task(f)}: a {_kind(f)} network from scratch", level=1),
        Paragraph(
            f"**Summary.** A {_kind(f)} network written with array operations only classifies "
            f"images of {shows} {_task(f)}. On the held-out test part it labels "
            f"{r.correct} of {r.n} images correctly ({_pct(r.accuracy)}; 95% interval "
            f"{_pct(r.accuracy_low)} to {_pct(r.accuracy_high)}).{cv_text} This report is "
            "generated by the signnet pipeline from its artifacts; every figure in it is "
            "computed from them."
        ),
        Heading("1 Introduction and problem"),
        Paragraph(
            f"The task is supervised image classification with {classes}: given a grayscale "
            + (
                "image of a handwritten digit"
                if mnist
                else "image of a hand showing a digit in sign language"
            )
            + ", predict the digit. The network's "
            "forward pass, backpropagation and optimizer are the project's own code (NumPy; the "
            "same code runs on CuPy arrays on a GPU), and every metric is computed by hand and "
            "checked against scikit-learn. Beyond the reference reports, the test figures come "
            "with confidence intervals and a cross-validated estimate, the departures from the "
            "references' set-up come with measured evidence, and the run can be reproduced "
            "byte for byte (Section 10)."
        ),
    ]


def _data(f: Facts) -> list[Block]:
    d = f.data
    if d.origin == "mnist":
        origin = (
            f"The images are MNIST ({d.citation}), its four IDX files from "
            f"[{d.repository}]({d.repository}), each checked against its published MD5 "
            f"(content fingerprint {d.fingerprint[:16]}...): {d.source_images:,} handwritten "
            f"digits, {d.per_digit_low:,} to {d.per_digit_high:,} per digit, the training and "
            "test files merged."
        )
        preparation = (
            f"Its images are used at {d.image_size} x {d.image_size} pixels ({d.features} "
            "inputs; resized as photos are where that is not 28 x 28)."
        )
    elif d.origin == "course file":
        origin = (
            f"The images come from the course-format file {d.name} (sha256 "
            f"{d.fingerprint[:16]}...), {d.source_images:,} images in all."
        )
        preparation = (
            f"Its images are used at {d.image_size} x {d.image_size} pixels ({d.features} "
            "inputs; images of another size are resized as photos are, Lanczos)."
        )
    else:
        origin = (
            f"The photos are the {d.name} ({d.citation}), [{d.repository}]({d.repository}), "
            f"commit {d.commit[:10]} of {d.commit_date}, under the {d.license}: "
            f"{d.source_images:,} RGB photos of one hand, {d.per_digit_low} to "
            f"{d.per_digit_high} per digit. Their content fingerprint (sha256 of the sorted "
            f"per-file manifest, {d.fingerprint[:16]}...) was verified before use."
        )
        preparation = (
            "Each photo is turned upright by its EXIF orientation, converted to 8-bit grayscale "
            f"and resized to {d.image_size} x {d.image_size} pixels (Lanczos), "
            f"{d.features} inputs."
        )
    scaling = (
        "each pixel is standardised to zero mean and unit variance with that pixel's mean and "
        "standard deviation over the training part only (a constant pixel keeps scale 1)"
        if d.scaling == "standardize"
        else "pixel values are divided by 255 into [0, 1]"
    )
    rows = tuple((str(dg), str(k), str(tr + te), str(tr), str(te)) for dg, k, tr, te in d.rows)
    train, test = sum(r[2] for r in d.rows), sum(r[3] for r in d.rows)
    return [
        Heading("2 Data"),
        Paragraph(origin),
        Paragraph(
            f"{preparation} Then {scaling}. The split is stratified and seeded (seed "
            f"{d.split_seed}): from each digit, {_pct(d.test_fraction, 0)} of the images "
            "(rounded) form the test part, which is used for nothing but the figures of "
            "Section 6 ({tab:classes})."
        ),
        Table(
            ("digit", "class index", "images", "train", "test"),
            (*rows, ("all", "", str(train + test), str(train), str(test))),
            caption="Images per digit and part.",
            label="classes",
        ),
    ]


# --- method: architecture, maths, algorithm ----------------------------------------------


def _architecture(f: Facts) -> Table:
    m = f.method
    blocks = [f"{c} x ({m.kernel_size}x{m.kernel_size} conv, 2x2 max-pool)" for c in m.conv]
    dense = [f"{n} neurons" for n in m.hidden]
    hidden = ", ".join(blocks + dense) or "none"
    if m.dropout and m.hidden:
        hidden += f", dropout {m.dropout:g}"
    output = "sigmoid" if f.binary else "softmax"
    return Table(
        ("Input layer", "Hidden layers", "Output layer", "Activation", "Loss"),
        (
            (
                f"{m.image_side} x {m.image_side} image"
                if m.conv
                else f"{f.data.features} neurons",
                hidden,
                f"{_plural(m.outputs, 'neuron')}",
                f"{ACTIVATION_NAMES[m.activation]} (hidden), {output} (output)",
                "binary cross-entropy" if f.binary else "categorical cross-entropy",
            ),
        ),
        caption=f"Architecture, as the reference reports present it; {m.n_parameters:,} "
        "trainable parameters.",
        numeric=False,
        label="architecture",
    )


ACTIVATION_TEX = {
    "sigmoid": (r"g(z) = \sigma(z) = \dfrac{1}{1 + e^{-z}}", r"g'(z) = \sigma(z)\,(1 - \sigma(z))"),
    "tanh": (r"g(z) = \tanh(z)", r"g'(z) = 1 - \tanh^2(z)"),
    "relu": (r"g(z) = \max(0,\, z)", r"g'(z) = [z > 0]"),
}


def _forward(f: Facts) -> list[Block]:
    m = f.method
    g, g_prime = ACTIVATION_TEX[m.activation]
    blocks: list[Block] = [
        Paragraph(
            "**Forward pass.** A batch is a matrix with one row per image: X has m rows"
            + (
                f" of {f.data.features} pixel values. "
                if not m.conv
                else f" of {m.image_side} x {m.image_side} images. "
            )
            + f"Hidden units apply the {ACTIVATION_NAMES[m.activation]} g elementwise:"
        ),
        Equation(g + r",\qquad " + g_prime),
    ]
    if m.conv:
        blocks += [
            Paragraph(
                f"Each of the {len(m.conv)} convolution blocks slides {m.kernel_size} x "
                f"{m.kernel_size} kernels K with stride 1 and zero padding that keeps the size, "
                "adds a bias per channel, applies g, and keeps the maximum of each 2 x 2 window:"
            ),
            Equation(
                r"Z_{n,i,j,c} = b_c + \sum_{u,v}\sum_{c'} X_{n,\,i+u,\,j+v,\,c'}\,K_{u,v,c',c},"
                r"\qquad P_{n,i,j,c} = \max_{a,b \in \{0,1\}} g(Z)_{n,\,2i+a,\,2j+b,\,c}"
            ),
            Paragraph(
                "The last block's output is flattened into one row per image for the dense layers."
            ),
        ]
    dropout = (
        f" During training, after each hidden dense layer, every unit is kept with probability "
        f"{1 - m.dropout:g} and scaled by 1/{1 - m.dropout:g} (inverted dropout), so inference "
        "uses the weights as they are."
        if m.dropout and m.hidden
        else ""
    )
    blocks += [
        Paragraph(
            "Each dense layer l multiplies by its weights and adds its bias (a row, added to "
            "every row); hidden layers then apply g, the last layer gives the logits z." + dropout
        ),
        Equation(r"Z^{[l]} = A^{[l-1]}\,W^{[l]} + b^{[l]},\qquad A^{[l]} = g(Z^{[l]})"),
    ]
    if f.binary:
        blocks += [
            Paragraph(
                f"The output is one sigmoid unit, the probability of digit {f.positive}; the "
                "loss is the binary cross-entropy averaged over the m images of the batch "
                "(computed from the logits as log σ(z) = -log(1 + exp(-z)), so it never takes "
                "log 0):"
            ),
            Equation(
                r"\hat{y}_i = \sigma(z_i),\qquad \mathcal{L} = -\dfrac{1}{m}\sum_{i=1}^{m}"
                r"\left[y_i \log \hat{y}_i + (1 - y_i)\log(1 - \hat{y}_i)\right]"
            ),
        ]
    else:
        blocks += [
            Paragraph(
                f"The output is a softmax over the {len(f.digits)} logits; the loss is the "
                "categorical cross-entropy averaged over the batch, with one-hot targets y "
                "(computed with the log-sum-exp shift, so it never takes log 0):"
            ),
            Equation(
                r"\hat{y}_{ik} = \dfrac{e^{z_{ik}}}{\sum_j e^{z_{ij}}},\qquad \mathcal{L} = "
                r"-\dfrac{1}{m}\sum_{i=1}^{m}\sum_{k} y_{ik}\log \hat{y}_{ik}"
            ),
        ]
    return blocks


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
                r"\dfrac{\hat{y} - y}{\hat{y}\,(1 - \hat{y})},\qquad"
                r"\dfrac{\partial \hat{y}}{\partial z} = \hat{y}\,(1 - \hat{y})"
                r"\quad\Rightarrow\quad \dfrac{\partial \mathcal{L}}{\partial z} = \hat{y} - y"
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
                r"-\sum_k \dfrac{y_k}{\hat{y}_k}\,\hat{y}_k\,([k=j] - \hat{y}_j) = \hat{y}_j - y_j"
            ),
        ]
    blocks = derivation + [
        Paragraph(
            "Averaged over the batch, the error of the output layer L is δ = (Ŷ - Y)/m. Going "
            "back through each dense layer, the weight gradient multiplies the layer's input by "
            "its error, the bias gradient sums the error over the batch, and the error of the "
            "layer before follows through the weights and g':"
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
    if m.conv:
        blocks += [
            Paragraph(
                "Through a convolution block, max-pooling passes each window's error to the "
                "position of its maximum (the first one on ties), g' multiplies it in, and the "
                "kernel and input gradients are correlations of the error with the input and "
                "with the kernel:"
            ),
            Equation(
                r"\dfrac{\partial \mathcal{L}}{\partial K_{u,v,c',c}} = \sum_{n,i,j} "
                r"X_{n,\,i+u,\,j+v,\,c'}\,\delta_{n,i,j,c},\qquad"
                r"\dfrac{\partial \mathcal{L}}{\partial X_{n,p,q,c'}} = \sum_{u,v,c} "
                r"\delta_{n,\,p-u,\,q-v,\,c}\,K_{u,v,c',c}"
            ),
        ]
    return blocks


def _update(f: Facts) -> list[Block]:
    m = f.method
    decay = (
        f" Weight decay adds λW to each weight matrix's gradient (λ = {m.weight_decay:g}; "
        "biases are not decayed)."
        if m.weight_decay
        else ""
    )
    schedule = (
        f" The rate follows a cosine over the {m.epochs} epochs, "
        f"η_e = η(1 + cos(π(e - 1)/E))/2, from η = {m.lr:g}."
        if m.schedule == "cosine"
        else f" The rate is constant, η = {m.lr:g}."
    )
    if m.optimizer == "sgd":
        tex = r"\theta \leftarrow \theta - \eta_e\,\dfrac{\partial \mathcal{L}}{\partial \theta}"
    elif m.optimizer == "momentum":
        tex = (
            r"v \leftarrow \mu\,v + \dfrac{\partial \mathcal{L}}{\partial \theta},\qquad"
            r"\theta \leftarrow \theta - \eta_e\,v"
        )
    else:
        tex = (
            r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\,g_t,\quad v_t = \beta_2 v_{t-1} + "
            r"(1-\beta_2)\,g_t^2,\quad \theta \leftarrow \theta - \eta_e\,"
            r"\frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}"
        )
    return [
        Paragraph(
            f"**Update.** Every parameter θ (each W and b) takes one step of {_optimizer(f)} per "
            f"batch:{decay}{schedule}"
        ),
        Equation(tex),
    ]


def _metrics_maths(f: Facts) -> list[Block]:
    if f.binary:
        counts = (
            f"With digit {f.positive} as the positive class and TP, FP, TN, FN the counts of "
            "the confusion matrix:"
        )
        tex = [
            r"\mathrm{accuracy} = \dfrac{TP + TN}{TP + TN + FP + FN},\quad"
            r"\mathrm{precision} = \dfrac{TP}{TP + FP},\quad \mathrm{recall} = \dfrac{TP}{TP + FN}",
            r"F_1 = \dfrac{2\,\mathrm{precision}\cdot\mathrm{recall}}"
            r"{\mathrm{precision} + \mathrm{recall}},\quad"
            r"\mathrm{specificity} = \dfrac{TN}{TN + FP},\quad"
            r"\mathrm{balanced\ accuracy} = \dfrac{\mathrm{recall} + \mathrm{specificity}}{2}",
        ]
    else:
        counts = (
            "Per digit k, precision, recall and F1 treat k as the positive class; macro "
            "averages weigh the digits equally, weighted averages by their test images n_k:"
        )
        tex = [
            r"\mathrm{precision}_k = \dfrac{TP_k}{TP_k + FP_k},\quad"
            r"\mathrm{recall}_k = \dfrac{TP_k}{TP_k + FN_k},\quad"
            r"F_{1,k} = \dfrac{2\,\mathrm{precision}_k\,\mathrm{recall}_k}"
            r"{\mathrm{precision}_k + \mathrm{recall}_k}",
            r"\mathrm{macro} = \dfrac{1}{K}\sum_k \mathrm{metric}_k,\quad"
            r"\mathrm{weighted} = \sum_k \dfrac{n_k}{n}\,\mathrm{metric}_k,\quad"
            r"\mathrm{balanced\ accuracy} = \dfrac{1}{K}\sum_k \mathrm{recall}_k",
        ]
    return [
        Paragraph(f"**Metrics.** {counts}"),
        *(Equation(t) for t in tex),
        Paragraph(
            "The accuracy's 95% interval is Wilson's score interval for a proportion p̂ of n "
            f"images (z = {f.results.z:.2f}), and the cross-validated mean over k folds gets a t "
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
    init = INIT_TEXT[m.init].format(scale=m.init_scale)
    lines: list[tuple[int, str]] = [
        (0, f"initialise the weights: {init}; biases zero; seed {m.train_seed}"),
        (0, f"for epoch e = 1 .. {m.epochs}:"),
    ]
    if m.schedule == "cosine":
        lines.append((1, "η_e ← η (1 + cos(π (e - 1) / E)) / 2"))
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
            + ": logits z and loss L",
        ),
        (2, "backward pass: gradients of L, averaged over the batch"),
        (
            2,
            f"update every W and b with {OPTIMIZER_NAMES[m.optimizer]} at rate η_e"
            + (f", weight decay {m.weight_decay:g}" if m.weight_decay else ""),
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
    return Algorithm("Algorithm 1: training, as the train stage runs it", tuple(lines))


def _method(f: Facts) -> list[Block]:
    return [
        Heading("3 Method"),
        Paragraph(
            f"A {_kind(f)} network ({{tab:architecture}}) trained by backpropagation with "
            f"{_optimizer(f)} on {_batching(f)}, as Algorithm 1 sets out."
        ),
        _architecture(f),
        *_forward(f),
        *_backward(f),
        *_update(f),
        _algorithm(f),
        *_metrics_maths(f),
    ]


# --- hyperparameters and evidence ----------------------------------------------------------


def _setup_rows(f: Facts) -> tuple[tuple[str, str], ...]:
    m = f.method
    rows = [
        ("Optimizer", _optimizer(f)),
        ("Learning rate", f"{m.lr:g}" + (", cosine schedule" if m.schedule == "cosine" else "")),
        ("Epochs", str(m.epochs)),
        ("Batches", _batching(f)),
        ("Initialisation", INIT_TEXT[m.init].format(scale=m.init_scale) + ", zero biases"),
        ("L2 weight decay", f"{m.weight_decay:g}"),
        ("Seeds", f"weights and batch order {m.train_seed}; split {f.data.split_seed}"),
        ("Arithmetic", f"{m.dtype} on {m.device}"),
    ]
    if m.augment_shift or m.augment_rotation or m.augment_scale:
        rows.append(
            (
                "Augmentation (per image, per epoch)",
                f"shift up to {m.augment_shift:g} of the side, rotation up to "
                f"{m.augment_rotation:g}°, scale up to {m.augment_scale:g} either way",
            )
        )
    if m.validation_fraction:
        rows.append(
            (
                "Validation part",
                f"{m.validation_fraction:g} of the training part per digit; the weights of the "
                "epoch with the lowest validation loss are kept"
                + (f"; stop after {m.patience} epochs without improvement" if m.patience else ""),
            )
        )
    return tuple(rows)


def _evidence_text(evidence: dict | None) -> str:
    if evidence is None:
        return "not measured for this value"
    s = evidence["summary"]
    text = f"{_pct(s['accuracy_mean'])} ± {_pct(s['accuracy_std'])}"
    if evidence["chance_folds"]:
        text += f" ({evidence['chance_folds']} of {evidence['folds']} folds at chance)"
    return text


def _hyperparameters(f: Facts) -> list[Block]:
    dep = f.departures
    blocks: list[Block] = [
        Heading("4 Hyperparameters and the evidence for them"),
        Paragraph(
            "{tab:setup} lists how the network was trained. Where it departs from the set-up "
            "of the reference report for this task, the evidence for each departure follows, "
            "measured on the Sign Language Digits photos."
            if dep.departures
            else "{tab:setup} lists how the network was trained."
        ),
        Table(
            ("Setting", "Value"),
            _setup_rows(f),
            caption="Training set-up.",
            numeric=False,
            label="setup",
        ),
    ]
    if not dep.document:
        blocks.append(
            Paragraph(
                "No reference report states a set-up for this task, so there is nothing to "
                "depart from."
            )
        )
        return blocks
    if not dep.departures:
        blocks.append(Paragraph(f"The set-up follows {dep.document} as stated, with no departure."))
    stated = dep.stated_evidence
    if stated is not None:
        warning = (
            f" In {stated['chance_folds']} of {stated['folds']} folds the network trained that "
            "way stays at chance, giving every image the same class."
            if stated["chance_folds"]
            else ""
        )
        blocks.append(
            Paragraph(
                f"Measured on the Sign Language Digits photos with {stated['folds']}-fold "
                "cross-validation "
                "(benchmarks/departures.py), the set-up of "
                f"{dep.document} as stated reaches {_evidence_text(stated)}.{warning}"
                + (
                    " Each row of {tab:departures} gives the accuracy of that set-up with only "
                    "the one setting changed to the value this run uses."
                    if dep.departures
                    else ""
                )
            )
        )
    if dep.departures:
        rows = tuple(
            (
                KEY_NAMES.get(d.key, d.key),
                _value_text(d.key, d.stated),
                _value_text(d.key, d.used),
                _evidence_text(d.evidence) if stated is not None else "not measured",
            )
            for d in dep.departures
        )
        if dep.all_evidence is not None:
            rows += (("all of the above", "", "", _evidence_text(dep.all_evidence)),)
        blocks.append(
            Table(
                ("Setting", f"{dep.document}", "this run", "CV accuracy with only this change"),
                rows,
                caption=f"Departures from the set-up of {dep.document} ({dep.measured_on}), "
                "with the evidence for each, measured on the Sign Language Digits photos.",
                numeric=False,
                label="departures",
            )
        )
    return blocks


# --- training, results ---------------------------------------------------------------------


def _training(f: Facts, history: list[dict]) -> list[Block]:
    t = f.training
    last = t.last
    stopped = (
        f" Training stopped early after epoch {t.epochs_run} of {f.method.epochs}."
        if t.epochs_run < f.method.epochs
        else ""
    )
    if t.loss_rose:
        trend = (
            f"The test loss was lowest at epoch {t.lowest_test_loss_epoch} "
            f"({_num(t.lowest_test_loss)}) and then rose to {_num(last['test_loss'])} while the "
            f"training loss kept falling: the network overfits after epoch "
            f"{t.lowest_test_loss_epoch}."
        )
    else:
        trend = (
            f"The test loss reached its lowest, {_num(t.lowest_test_loss)}, at epoch "
            f"{t.lowest_test_loss_epoch} and ended at {_num(last['test_loss'])}."
        )
    return [
        Heading("5 Training"),
        Paragraph(
            f"{{fig:curves}} shows loss and accuracy after every epoch. After the last epoch "
            f"({last['epoch']}) the training loss is {_num(last['train_loss'])} (accuracy "
            f"{_pct(last['train_accuracy'])}) and the test loss {_num(last['test_loss'])} "
            f"(accuracy {_pct(last['test_accuracy'])}). {trend}{stopped} The reported model is "
            f"the one {'kept by the validation part' if t.validation else 'after the last epoch'}"
            ", never one chosen by its test figures."
        ),
        Figure(
            "curves.png",
            figures.training_curves(history, t.lowest_test_loss_epoch),
            "Loss and accuracy per epoch on the training and test parts, each evaluated on the "
            "whole part after the epoch; the dotted line marks the lowest test loss.",
            label="curves",
        ),
    ]


def _classification_report(result: dict, digits: tuple[int, ...]) -> Table:
    per_class = result["per_class"]
    rows = [
        (
            f"digit {d}",
            f"{per_class['precision'][k]:.2f}",
            f"{per_class['recall'][k]:.2f}",
            f"{per_class['f1'][k]:.2f}",
            str(per_class["support"][k]),
        )
        for k, d in enumerate(digits)
    ]
    n = result["n"]
    rows.append(("accuracy", "", "", f"{result['accuracy']:.2f}", str(n)))
    for average in ("macro", "weighted"):
        a = result[average]
        rows.append(
            (
                f"{average} avg",
                f"{a['precision']:.2f}",
                f"{a['recall']:.2f}",
                f"{a['f1']:.2f}",
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
    rows = tuple(
        (
            str(r["fold"]),
            str(r["train_images"]),
            str(r["test_images"]),
            _pct(r["accuracy"]),
            _pct(r["balanced_accuracy"]),
            _num(r["log_loss"]),
        )
        for r in cv.folds
    )
    rows += (
        (
            "mean ± std",
            "",
            "",
            f"{_pct(s['accuracy_mean'])} ± {_pct(s['accuracy_std'])}",
            f"{_pct(s['balanced_accuracy_mean'])} ± {_pct(s['balanced_accuracy_std'])}",
            f"{_num(s['log_loss_mean'])} ± {_num(s['log_loss_std'])}",
        ),
    )
    return [
        Paragraph(
            f"**Cross-validation.** The same network and recipe, trained on each of "
            f"{len(cv.folds)} stratified folds of all {cv.images:,} images (pixels scaled with "
            f"each fold's own training statistics), reaches {_pct(s['accuracy_mean'])} ± "
            f"{_pct(s['accuracy_std'])} ({_pct(s['accuracy_min'])} to "
            f"{_pct(s['accuracy_max'])}; {{tab:folds}}). The 95% interval for the mean is "
            f"{_pct(s['accuracy_ci95_low'])} to {_pct(s['accuracy_ci95_high'])}. The single "
            f"split's {_pct(f.results.accuracy)} lies "
            f"{'within' if cv.split_inside else 'outside'} the folds' range."
        ),
        Table(
            ("Fold", "training images", "test images", "accuracy", "balanced accuracy", "log-loss"),
            rows,
            caption=f"Stratified {len(cv.folds)}-fold cross-validation: each fold's test "
            "figures (standard deviation over folds, ddof 1).",
            label="folds",
        ),
    ]


def _claims_caveat(f: Facts) -> str:
    """What the references' claims can tell about this run, given the data each used."""
    same = sorted({c.document for c in f.comparison if c.same_data})
    other = sorted({c.data for c in f.comparison if not c.same_data})
    parts = []
    if same:
        parts.append(
            f"{_list(same)} measured on the same data with splits of their own, so a claim and "
            "this run's figure differ by the split's chance as well"
        )
    if other:
        parts.append(
            f"{'the other' if same else 'the'} claims were measured on other data "
            f"({_list(other)}), so they frame "
            "this run's figures but do not test them"
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
                f"No reference report states a result for {_task(f)}, so there is no claim to "
                "compare with."
            )
        ]
    rows = tuple(
        (
            c.document,
            c.metric,
            _pct(c.claimed),
            _pct(c.split),
            ""
            if c.cv_mean is None
            else f"{_pct(c.cv_mean)} ({_pct(c.cv_low)} to {_pct(c.cv_high)})",
        )
        for c in f.comparison
    )
    measured_on = {c.document: f"{c.document}: {c.network}, on {c.data}" for c in f.comparison}
    above = [c for c in f.comparison if c.metric == "accuracy" and c.cv_low is not None]
    verdict = ""
    if above:
        beaten = [c.document for c in above if c.cv_low > c.claimed]
        level = [c.document for c in above if c.cv_low <= c.claimed <= c.cv_high]
        below = [c.document for c in above if c.cv_high < c.claimed]
        parts = []
        if beaten:
            parts.append(f"the whole interval lies above the claim of {_list(beaten)}")
        if level:
            parts.append(f"the claim of {_list(level)} lies within it")
        if below:
            parts.append(f"the whole interval lies below the claim of {_list(below)}")
        verdict = " For the cross-validated accuracy, " + "; ".join(parts) + "."
    return [
        Paragraph(
            "**Against the references.** {tab:comparison} sets each figure a reference claimed "
            f"beside this run's. {_claims_caveat(f)}{verdict}"
        ),
        Table(
            ("Reference", "metric", "claimed", "this split", "this run, CV (95% interval)"),
            rows,
            caption="Each reference's claim for this task beside this run (split and "
            "cross-validation). Claimed with " + "; ".join(measured_on.values()) + ".",
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
    hardest = [f"{h['pair']} ({_pct(h['accuracy_mean'])})" for h in p.hardest]
    return [
        Paragraph(
            f"**All pairs.** {{fig:pairs}} shows every pair of the digits, each cross-validated "
            f"over {p.folds} folds with this recipe. The hardest pairs are {_list(hardest)}; "
            f"the easiest, {p.easiest['pair']}, reaches {_pct(p.easiest['accuracy_mean'])}."
        ),
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
    ]


def _results(f: Facts, inputs: ReportInputs) -> list[Block]:
    r = f.results
    test = inputs.evaluation["results"]["test"]
    headline = ", ".join(f"{name} {_pct(value)}" for name, value in r.headline)
    positive = f" Digit {f.positive} is the positive class." if f.binary else ""
    return [
        Heading("6 Results"),
        Paragraph(
            f"On the test part the network classifies {r.correct} of the {r.n} images "
            f"correctly: accuracy {_pct(r.accuracy)} (95% Wilson interval {_pct(r.accuracy_low)} "
            f"to {_pct(r.accuracy_high)}), balanced accuracy {_pct(r.balanced_accuracy)}, "
            f"{headline}, log-loss {_num(r.log_loss)}, ROC AUC {_num(r.roc_auc)}.{positive} "
            f"All {r.crosscheck_figures} figures computed by hand agree with scikit-learn's to "
            f"within {r.crosscheck_worst:.1e} (Appendix A). {{fig:confusion}} and "
            "{tab:classification} break the test figures down by digit; {tab:parts} sets the "
            "training part beside the test part; {fig:roc} shows the ROC curve."
        ),
        Figure(
            "confusion.png",
            figures.confusion_heatmap(np.array(test["confusion"]), list(f.digits)),
            "Confusion matrix on the test part: rows are the actual digit, columns the "
            "predicted one.",
            label="confusion",
        ),
        _classification_report(test, f.digits),
        Table(
            ("Part", "images", "accuracy", "95% interval", "log-loss"),
            (
                (
                    "train",
                    str(r.train_n),
                    _pct(r.train_accuracy),
                    f"{_pct(r.train_low)} to {_pct(r.train_high)}",
                    _num(r.train_log_loss),
                ),
                (
                    "test",
                    str(r.n),
                    _pct(r.accuracy),
                    f"{_pct(r.accuracy_low)} to {_pct(r.accuracy_high)}",
                    _num(r.log_loss),
                ),
            ),
            caption="Training and test part side by side.",
            label="parts",
        ),
        Figure(
            "roc.png",
            figures.roc_figure(
                test["roc"]["fpr"],
                test["roc"]["tpr"],
                test["roc_auc"],
                f"digit {f.positive} positive" if f.binary else "micro-average, one-vs-rest",
            ),
            "ROC curve on the test part, from the predicted probabilities.",
            label="roc",
        ),
        *_cv_blocks(f),
        *_comparison(f),
        *_pairs(f),
    ]


# --- photos, discussion, end matter --------------------------------------------------------


def _short_name(file: str) -> str:
    """A photo's name short enough for a title: ``IMG_1320.JPG`` of ``Dataset/8/IMG_1320.JPG``,
    ``#1670`` of a course file's ``dataset_labels.npz#1670``."""
    name = file.rsplit("/", 1)[-1]
    return "#" + name.rsplit("#", 1)[1] if "#" in name else name


def _titles(answers: tuple[Prediction, ...], with_file: bool) -> list[str]:
    return [
        (f"{_short_name(a.file)}\n" if with_file else "")
        + f"true {a.actual}, pred {a.predicted}\np = {a.probability:.3f}"
        for a in answers
    ]


def _photos(f: Facts, images: np.ndarray) -> list[Block]:
    """The example and misclassified test images (``images``: the test part's, (N, S, S))."""
    dx, size = f.diagnosis, f.data.image_size
    examples, errors = dx.examples, dx.errors
    blocks: list[Block] = [
        Heading("7 Predictions on test images"),
        Paragraph(
            f"{{fig:examples}} shows {len(examples)} test images, evenly spread over the test "
            f"part, as the network sees them ({size} x {size} grayscale)."
            + (
                " Every test image is classified correctly."
                if dx.wrong == 0
                else " {fig:errors} and {tab:errors} show "
                + (
                    "every"
                    if len(errors) == dx.wrong
                    else f"the {len(errors)} most confident of the {dx.wrong}"
                )
                + f" misclassified image{'s' if dx.wrong > 1 else ''}, most confident first, "
                "with their file names in the dataset."
            )
        ),
        Figure(
            "examples.png",
            figures.photo_grid(
                images[[a.index for a in examples]],
                _titles(examples, False),
                PHOTO_COLUMNS,
                [a.wrong for a in examples],
            ),
            "Test images with the true digit, the predicted digit and the probability the "
            "network gives its prediction. Red titles mark errors.",
            label="examples",
        ),
    ]
    if not errors:
        return blocks
    return blocks + [
        Figure(
            "misclassified.png",
            figures.photo_grid(
                images[[a.index for a in errors]],
                _titles(errors, True),
                PHOTO_COLUMNS,
                [True] * len(errors),
            ),
            "Misclassified test images with their file names.",
            label="errors",
        ),
        Table(
            ("file", "true digit", "predicted", "probability"),
            tuple(
                (a.file, str(a.actual), str(a.predicted), f"{a.probability:.3f}") for a in errors
            ),
            caption="The misclassified images, to look them up in the dataset.",
            label="errors",
        ),
    ]


def _discussion(f: Facts) -> list[Block]:
    r, t, dx = f.results, f.training, f.diagnosis
    items = []
    if dx.at_chance:
        items.append(
            f"**Warning: the network is at chance.** It predicts "
            f"{_plural(dx.predicted_classes, 'class', 'classes')} for the {r.n} test images; "
            f"its balanced accuracy is {_pct(r.balanced_accuracy)} against "
            f"{_pct(1 / len(f.digits))} for guessing, and its accuracy "
            f"{_pct(r.accuracy)} against {_pct(dx.majority_share)} for always answering the "
            "largest class. The figures below describe a model that has not learned the task; "
            "raise the learning rate or standardise the pixels (Section 4)."
        )
    if t.loss_rose:
        items.append(
            f"Overfitting: the test loss bottomed out at epoch {t.lowest_test_loss_epoch} "
            f"({_num(t.lowest_test_loss)}) and rose to {_num(t.last['test_loss'])} by epoch "
            f"{t.last['epoch']}, while the training accuracy reached "
            f"{_pct(t.last['train_accuracy'])}. Fewer epochs, a validation part with early "
            "stopping (train.validation_fraction, train.patience), weight decay or "
            "augmentation would address it."
        )
    items.append(
        f"The gap between training and test accuracy is {100 * t.gap:.1f} points "
        f"({_pct(t.last['train_accuracy'])} against {_pct(t.last['test_accuracy'])}): "
        + (
            "the network fits its training images well beyond what carries over."
            if t.gap > 0.05
            else "what the network learned carries over to images it never saw."
        )
    )
    if dx.confusions:
        pairs = [
            f"{c.actual} taken for {c.predicted} ({_plural(c.count, 'image')}, "
            f"{_pct(c.share, 0)} of the {c.actual}s)"
            for c in dx.confusions
        ]
        items.append(f"Most frequent confusions on the test part: {_list(pairs)}.")
    if dx.wrong:
        items.append(
            f"Overconfidence: {dx.overconfident} of the {_plural(dx.wrong, 'error')} were made "
            f"with a probability of at least {OVERCONFIDENT:g}, and the least confident error "
            f"still had {dx.lowest_error_confidence:.3f}. The probabilities are not calibrated: "
            "a high one does not mean the answer is right."
        )
    items.append(
        f"Precision of the figures: with {r.n} test images one image moves the accuracy by "
        f"{100 / r.n:.2f} points and the 95% interval spans "
        f"{100 * (r.accuracy_high - r.accuracy_low):.1f} points"
        + (
            f"; the cross-validated {_pct(f.cv.summary['accuracy_mean'])} over "
            f"{f.cv.images:,} images is the steadier estimate."
            if f.cv
            else "."
        )
    )
    if f.comparison:
        items.append(_claims_caveat(f))
    return [Heading("8 Discussion"), Bullets(tuple(items))]


def _conclusion(f: Facts) -> list[Block]:
    r = f.results
    outcome = (
        "did not learn the task with these settings (Section 8)"
        if f.diagnosis.at_chance
        else f"reaches {_pct(r.accuracy)} on the test part"
        + (f" and {_pct(f.cv.summary['accuracy_mean'])} in cross-validation" if f.cv else "")
    )
    next_steps = []
    if f.diagnosis.at_chance:
        next_steps.append("the departures of Section 4, which the measurements there support")
    if f.training.loss_rose:
        next_steps.append("early stopping on a validation part")
    if not f.method.conv:
        next_steps.append("convolutional layers, which use the images' spatial structure")
    if f.binary:
        next_steps.append("all ten digits")
    return [
        Heading("9 Conclusion"),
        Paragraph(
            f"A {_kind(f)} network written from scratch {outcome}, with every metric checked "
            "against scikit-learn and the whole run reproducible from its parameters."
            + (f" Next steps: {_list(next_steps)}." if next_steps else "")
        ),
    ]


def _references(f: Facts) -> list[Block]:
    keys = list(f.documents)
    method = ["Nadeau 2003", "Wilson 1927", "Pedregosa 2011"]
    if f.method.optimizer == "adam":
        method.append("Kingma 2015")
    if f.method.init in ("xavier", "he"):
        method.append({"xavier": "Glorot 2010", "he": "He 2015"}[f.method.init])
    entries = []
    if f.data.origin in ("dataset", "mnist"):
        entries.append(f"{f.data.citation}. Data: [{f.data.repository}]({f.data.repository}).")
    for key in keys + method:
        document = DOCUMENTS[key]
        link = f" [{document.url}]({document.url})" if document.url else ""
        entries.append(document.citation + link)
    return [Heading("References"), Bullets(tuple(f"[{i}] {e}" for i, e in enumerate(entries, 1)))]


def _reproducibility(f: Facts) -> list[Block]:
    return [
        Heading("10 Reproducibility"),
        Paragraph(
            "This command, run in a clone of the project, reproduces exactly this run whatever "
            "params.yaml holds (it sets every parameter that decides the results; where the "
            "data is found and how many workers run are left as they are). Equal inputs give "
            "byte-identical artifacts, this report included; {tab:fingerprints} identifies the "
            "data and the code the run read."
        ),
        Code(f.command),
        Table(
            ("What", "sha256"),
            (
                (
                    "data ("
                    + ("per-file manifest" if f.data.origin == "dataset" else "file")
                    + ")",
                    f.data.fingerprint,
                ),
                ("pipeline code (src/signnet and stages)", f.code_fingerprint),
            ),
            caption="Fingerprints of what the run read. The machine, library versions and "
            "times are in each stage's log, not here: they do not change these bytes.",
            numeric=False,
            label="fingerprints",
        ),
    ]


def _appendix(inputs: ReportInputs, f: Facts) -> list[Block]:
    crosscheck = inputs.evaluation["crosscheck"]
    parts = list(crosscheck)
    by_part = {p: {row["metric"]: row["difference"] for row in crosscheck[p]} for p in parts}
    metrics = [row["metric"] for row in crosscheck[parts[0]]]
    return [
        Heading("Appendix A: cross-check against scikit-learn"),
        Paragraph(
            "The evaluate stage computes every figure with NumPy by hand, then computes it again "
            "with scikit-learn from the same predictions, and fails if any two differ by more "
            f"than {f.results.tolerance:.0e}. {{tab:crosscheck}} lists the largest absolute "
            "difference of each."
        ),
        Table(
            ("figure", *(f"{part} part" for part in parts)),
            tuple((m, *(f"{by_part[p][m]:.1e}" for p in parts)) for m in metrics),
            caption="Largest absolute difference between the hand-computed figures and "
            "scikit-learn's.",
            label="crosscheck",
        ),
    ]


def headline(f: Facts) -> str:
    """One line with the run's main figures, for the end of the pipeline's output."""
    r = f.results
    cv = (
        f"; cross-validated {_pct(f.cv.summary['accuracy_mean'])} ± "
        f"{_pct(f.cv.summary['accuracy_std'])} over {len(f.cv.folds)} folds"
        if f.cv
        else ""
    )
    warning = (
        " (the network is at chance: see the report's discussion)" if f.diagnosis.at_chance else ""
    )
    return (
        f"{_task(f)}: test accuracy {_pct(r.accuracy)} ({r.correct} of {r.n}; 95% interval "
        f"{_pct(r.accuracy_low)} to {_pct(r.accuracy_high)}){cv}{warning}"
    )


def build_report(inputs: ReportInputs, f: Facts | None = None) -> list[Block]:
    """The report's blocks, in reading order, figures and tables numbered; ``f`` are the facts
    of ``inputs`` when they are at hand."""
    f = gather_facts(inputs) if f is None else f
    return number_blocks(
        [
            *_introduction(f),
            *_data(f),
            *_method(f),
            *_hyperparameters(f),
            *_training(f, inputs.history),
            *_results(f, inputs),
            *_photos(f, inputs.test["images"]),
            *_discussion(f),
            *_conclusion(f),
            *_reproducibility(f),
            *_references(f),
            *_appendix(inputs, f),
        ]
    )
