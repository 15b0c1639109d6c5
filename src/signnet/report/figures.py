"""The report's figures as PNG bytes, drawn with Matplotlib's object API and Agg (no pyplot,
so no global state).

Each figure is drawn at the size it is printed in the PDF (at most the text width, 6.85
inches), so its fonts print at their point size, never under 8 pt. PNGs carry no timestamp and
no software tag, so equal inputs give byte-identical files.
"""

from __future__ import annotations

import io

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import NullFormatter

DPI = 150
TEXT_WIDTH = 6.85  # inches: the PDF's text width (signnet.report.pdf sets the margins from it)
SMALLEST = 8  # pt


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def training_curves(history: list[dict], marked_epoch: int) -> bytes:
    """Loss and accuracy per epoch, train and test, side by side, with a dotted line at
    ``marked_epoch`` (the lowest test loss); the legend sits above the plots, off the data."""
    epochs = [r["epoch"] for r in history]
    figure = Figure(figsize=(TEXT_WIDTH, 2.2), layout="constrained")
    loss_axis, accuracy_axis = figure.subplots(1, 2)
    for axis, metric, label in (
        (loss_axis, "loss", "loss (cross-entropy, log scale)"),
        (accuracy_axis, "accuracy", "accuracy"),
    ):
        for part, style in (("train", "-"), ("test", "--")):
            axis.plot(epochs, [r[f"{part}_{metric}"] for r in history], style, label=part)
        axis.axvline(marked_epoch, color="grey", linestyle=":", label="lowest test loss")
        axis.set_xlabel("epoch")
        axis.set_ylabel(label)
        axis.grid(alpha=0.3)
    loss_axis.set_yscale("log")  # a small training loss stays visible beside the test loss
    loss_axis.yaxis.set_minor_formatter(NullFormatter())  # labels at the powers of ten only
    figure.legend(*loss_axis.get_legend_handles_labels(), loc="outside upper center", ncols=3)
    return _png(figure)


def _confusion(figure, axis, confusion: np.ndarray, digits: list[int], fontsize: int) -> None:
    """The confusion matrix on ``axis``: actual digits down, predicted across, counts inside."""
    image = axis.imshow(confusion, cmap="Blues")
    ticks = np.arange(len(digits))
    axis.set_xticks(ticks, [str(d) for d in digits])
    axis.set_yticks(ticks, [str(d) for d in digits])
    axis.set_xlabel("predicted digit")
    axis.set_ylabel("actual digit")
    threshold = confusion.max() / 2
    for (row, column), count in np.ndenumerate(confusion):
        colour = "white" if count > threshold else "black"
        axis.text(
            column, row, str(count), ha="center", va="center", color=colour, fontsize=fontsize
        )
    figure.colorbar(image, ax=axis, fraction=0.046, pad=0.04)


def _roc(axis, fpr: list[float], tpr: list[float], auc: float, label: str) -> None:
    axis.plot(fpr, tpr, label=f"{label}\nAUC {auc:.4f}")
    axis.plot([0, 1], [0, 1], ":", color="grey", label="chance")
    axis.set_xlabel("false positive rate")
    axis.set_ylabel("true positive rate")
    axis.set_xlim(-0.01, 1.01)
    axis.set_ylim(-0.01, 1.01)
    axis.set_aspect("equal")
    axis.grid(alpha=0.3)
    axis.legend(loc="lower right", fontsize=SMALLEST)
    axis.set_title("ROC", fontsize=9)


def _reliability(axis, confidence: list[float], accuracy: list[float], count: list[int]) -> None:
    """Each bin of confidence as a point at (mean confidence, share right), its area growing
    with its images, over the diagonal of perfect calibration."""
    sizes = 120 * np.asarray(count) / max(count)
    low = np.floor(10 * min(min(confidence), min(accuracy))) / 10  # the axes' lower end
    axis.plot([low, 1], [low, 1], ":", color="grey")
    axis.plot(confidence, accuracy, "-", color="C1", linewidth=1)
    axis.scatter(confidence, accuracy, s=sizes, color="C1", clip_on=False, zorder=3)
    axis.set_xlabel("confidence")
    axis.set_ylabel("share answered right")
    margin = (1 - low) / 20  # room for the points on the axes' edges
    axis.set_xlim(low - margin, 1 + margin)
    axis.set_ylim(low - margin, 1 + margin)
    axis.set_aspect("equal")
    axis.grid(alpha=0.3)
    axis.set_title("Reliability", fontsize=9)


def quality_panels(
    confusion: np.ndarray,
    digits: list[int],
    roc: tuple[list[float], list[float], float, str] | None,
    reliability: dict,
) -> bytes:
    """One row of panels, a third of the text width each: the confusion matrix (K, K) of
    ``digits``, the ROC curve ``(fpr, tpr, auc, label)`` (when defined) and the reliability
    curve (``confidence``, ``accuracy``, ``count`` per bin)."""
    panels = 2 + (roc is not None)
    # More digits than a few: the matrix gets half as wide again, so its counts fit its cells.
    widths = [1.5 if len(digits) > 5 else 1.0] + [1.0] * (panels - 1)
    figure = Figure(figsize=(TEXT_WIDTH * panels / 3, 2.15), layout="constrained")
    axes = list(np.atleast_1d(figure.subplots(1, panels, width_ratios=widths)))
    _confusion(figure, axes.pop(0), confusion, digits, 9 if len(digits) <= 5 else SMALLEST)
    if roc is not None:
        _roc(axes.pop(0), *roc)
    _reliability(
        axes.pop(0), reliability["confidence"], reliability["accuracy"], reliability["count"]
    )
    return _png(figure)


def pair_difficulty_map(
    grid: np.ndarray, digits: list[int], hardest: dict[str, tuple[int, int]]
) -> bytes:
    """The mean CV accuracy of every pair of digits, ``grid`` (D, D) with a NaN diagonal, as a
    labelled heatmap (percent in each cell; darker is harder); the ``hardest`` pairs (name ->
    its two digits) are outlined and named under the map."""
    size = min(0.9 + 0.3 * len(digits), 3.9)
    figure = Figure(figsize=(size + 1.2, size + 0.6))
    axis = figure.subplots()
    percent = grid * 100
    image = axis.imshow(np.ma.masked_invalid(percent), cmap="magma", vmax=100)
    ticks = np.arange(len(digits))
    axis.set_xticks(ticks, [str(d) for d in digits])
    axis.set_yticks(ticks, [str(d) for d in digits])
    axis.set_ylabel("digit")
    index = {d: i for i, d in enumerate(digits)}
    middle = np.nanmin(percent) + (100 - np.nanmin(percent)) / 2
    for (row, column), value in np.ndenumerate(percent):
        if not np.isnan(value):
            colour = "white" if value < middle else "black"
            axis.text(
                column,
                row,
                f"{value:.1f}",
                ha="center",
                va="center",
                color=colour,
                fontsize=SMALLEST,
            )
    for a, b in hardest.values():
        for row, column in ((index[a], index[b]), (index[b], index[a])):
            axis.add_patch(
                Rectangle(
                    (column - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="#00b4d8", linewidth=2
                )
            )
    axis.set_title("Mean CV accuracy (%) of each pair")
    axis.set_xlabel("digit\n\nhardest: " + ", ".join(hardest))
    figure.colorbar(image, ax=axis, fraction=0.046, pad=0.04)
    figure.tight_layout()
    return _png(figure)


def photo_grid(
    images: list[np.ndarray | None], titles: list[str], columns: int, wrong: list[bool]
) -> bytes:
    """Grayscale photos (S, S) in a grid of ``columns`` across the text width, each under its
    title (lines of SMALLEST pt); wrong ones titled in red; a None leaves its cell empty (to
    start a group of photos on a new row).

    One axes fills the figure, in inches from its top left corner; each photo is an image placed
    in it at its cell (no axes and no layout engine per photo: dozens of photos cost little).
    """
    rows = -(-len(images) // columns)
    cell = TEXT_WIDTH / columns  # inches per column
    photo = 0.74 * cell  # inches per photo side
    lines = max(title.count("\n") + 1 for title in titles)
    title_room = (lines * 1.25 * SMALLEST + 4) / 72  # inches above each photo
    height = rows * (title_room + photo) + 0.05
    figure = Figure(figsize=(TEXT_WIDTH, height))
    axis = figure.add_axes((0, 0, 1, 1), xlim=(0, TEXT_WIDTH), ylim=(height, 0))
    axis.axis("off")
    for i, (image, title, is_wrong) in enumerate(zip(images, titles, wrong, strict=True)):
        if image is None:
            continue
        top = (i // columns) * (title_room + photo) + title_room
        left = (i % columns) * cell + (cell - photo) / 2
        extent = (left, left + photo, top + photo, top)
        axis.imshow(image, cmap="gray", vmin=0, vmax=255, extent=extent, aspect="auto")
        axis.text(
            left + photo / 2,
            top - 0.03,
            title,
            ha="center",
            va="bottom",
            fontsize=SMALLEST,
            linespacing=1.1,
            color="firebrick" if is_wrong else "black",
            parse_math=False,  # file names are text: a "$" is no maths
        )
    return _png(figure)


def weight_mosaic(weights: np.ndarray, columns: int) -> bytes:
    """Weight images (units, h, w) in a grid of ``columns`` across the text width, each scaled
    to its own largest magnitude on a diverging map (red positive, blue negative, white 0): one
    mosaic, one image, however many units."""
    units, h, w = weights.shape
    rows = -(-units // columns)
    gap = max(1, h // 8)
    mosaic = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), np.nan)
    for i, image in enumerate(weights):
        top, left = (i // columns) * (h + gap), (i % columns) * (w + gap)
        largest = np.abs(image).max()
        mosaic[top : top + h, left : left + w] = image / largest if largest > 0 else image
    width = min(TEXT_WIDTH, 0.6 * columns)  # inches
    figure = Figure(
        figsize=(width, width * mosaic.shape[0] / mosaic.shape[1] + 0.3), layout="constrained"
    )
    axis = figure.subplots()
    axis.imshow(mosaic, cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
    axis.axis("off")
    axis.set_title("red: positive weight, blue: negative, white: 0", fontsize=SMALLEST)
    return _png(figure)


def _heat(axis, image: np.ndarray, saliency: np.ndarray) -> None:
    """``image`` (S, S) in grey under ``saliency`` (S, S) in colour, scaled to its maximum and
    transparent where low."""
    axis.imshow(image, cmap="gray", vmin=0, vmax=255)
    largest = saliency.max()
    scaled = np.round(saliency / largest, 3) if largest > 0 else saliency  # see _separation
    colours = matplotlib.colormaps["inferno"](scaled)
    colours[..., 3] = 0.85 * scaled  # opaque where the saliency is high
    axis.imshow(colours)
    axis.axis("off")


def saliency_maps(
    mean_images: np.ndarray, saliency: np.ndarray, titles: list[str], columns: int
) -> bytes:
    """For each class, its mean image (K, S, S) under its saliency map (K, S, S), titled,
    ``columns`` across (fewer for fewer classes)."""
    k = len(saliency)
    cell = TEXT_WIDTH / columns  # inches per map, titled
    columns = min(columns, k)
    rows = -(-k // columns)
    figure = Figure(figsize=(cell * columns, rows * (cell + 0.15)), layout="constrained")
    axes = np.atleast_1d(figure.subplots(rows, columns, squeeze=False).ravel())
    for axis in axes[k:]:
        axis.axis("off")
    for axis, image, heat, title in zip(axes, mean_images, saliency, titles, strict=False):
        _heat(axis, image, heat)
        axis.set_title(title, fontsize=SMALLEST, pad=2)
    return _png(figure)


def _separation(figure, mean_image: np.ndarray, signed: np.ndarray, digits: tuple[int, int]):
    """Into ``figure`` (a figure or subfigure): the mean image (S, S) alone, and beside it the
    ``signed`` map (S, S) over it, red where positive (for ``digits[1]``), blue where negative,
    transparent near 0."""
    photo, heat = figure.subplots(1, 2)
    photo.imshow(mean_image, cmap="gray", vmin=0, vmax=255)
    photo.set_title("mean test image", fontsize=SMALLEST)
    photo.axis("off")
    heat.imshow(mean_image, cmap="gray", vmin=0, vmax=255)
    largest = np.abs(signed).max()
    # Rounded to a thousandth of the largest: a model whose last bits differ (another BLAS
    # kernel) draws the same pixels, where near-zero values would otherwise flip sign.
    scaled = np.round(signed / largest, 3) if largest > 0 else signed
    colours = matplotlib.colormaps["RdBu_r"]((scaled + 1) / 2)
    colours[..., 3] = 0.9 * np.abs(scaled)
    heat.imshow(colours)
    heat.set_title(f"red: for {digits[1]}, blue: for {digits[0]}", fontsize=SMALLEST)
    heat.axis("off")


def _activations(
    figure,
    coordinates: np.ndarray,
    labels: np.ndarray,
    wrong: np.ndarray,
    digits: list[int],
    axis_labels: tuple[str, str],
) -> None:
    """Into ``figure``: points (N, 2) coloured by class index ``labels`` (N,), misclassified
    ones (``wrong``, bool (N,)) circled in black; one legend entry per digit."""
    axis = figure.subplots()
    colours = matplotlib.colormaps["tab10"]
    for c, digit in enumerate(digits):
        mine = labels == c
        axis.scatter(*coordinates[mine].T, s=14, color=colours(c % 10), label=str(digit))
    axis.scatter(
        *coordinates[wrong].T,
        s=70,
        facecolors="none",
        edgecolors="black",
        linewidths=1.2,
        label="misclassified",
    )
    axis.set_xlabel(axis_labels[0])
    axis.set_ylabel(axis_labels[1])
    axis.grid(alpha=0.3)
    figure.legend(loc="outside right center", fontsize=SMALLEST, title="digit")


def activation_map(
    coordinates: np.ndarray,
    labels: np.ndarray,
    wrong: np.ndarray,
    digits: list[int],
    axis_labels: tuple[str, str],
) -> bytes:
    """The map of :func:`_activations` alone."""
    figure = Figure(figsize=(4.4, 2.2), layout="constrained")
    _activations(figure, coordinates, labels, wrong, digits, axis_labels)
    return _png(figure)


def separation_and_map(
    mean_image: np.ndarray,
    signed: np.ndarray,
    digits: tuple[int, int],
    coordinates: np.ndarray,
    labels: np.ndarray,
    wrong: np.ndarray,
    axis_labels: tuple[str, str],
) -> bytes:
    """A pair's two small views side by side: left what separates the digits
    (:func:`_separation`), right the map of :func:`_activations`."""
    figure = Figure(figsize=(TEXT_WIDTH, 2.0), layout="constrained")
    left, right = figure.subfigures(1, 2, width_ratios=(0.45, 0.55))
    _separation(left, mean_image, signed, digits)
    _activations(right, coordinates, labels, wrong, list(digits), axis_labels)
    return _png(figure)


def explanation(
    image: np.ndarray,
    saliency: np.ndarray,
    digits: list[int],
    probabilities: np.ndarray,
    title: str,
) -> bytes:
    """One photo as the network sees it (S, S), the same under the saliency map (S, S) of the
    most probable digit, and the probability (K,) of each digit, side by side under ``title``."""
    figure = Figure(figsize=(TEXT_WIDTH, 2.6), layout="constrained")
    photo, heat, bars = figure.subplots(1, 3, width_ratios=(1, 1, 1.3))
    photo.imshow(image, cmap="gray", vmin=0, vmax=255)
    photo.set_title("as the network sees it", fontsize=SMALLEST)
    _heat(heat, image, saliency)
    heat.set_title(f"saliency of {digits[int(np.argmax(probabilities))]}", fontsize=SMALLEST)
    photo.axis("off")
    positions = np.arange(len(digits))
    best = int(np.argmax(probabilities))
    bars.barh(
        positions, probabilities, color=["firebrick" if i == best else "grey" for i in positions]
    )
    bars.set_yticks(positions, [str(d) for d in digits])
    bars.invert_yaxis()
    bars.set_xlim(0, 1)
    bars.set_xlabel("probability")
    bars.set_ylabel("digit")
    figure.suptitle(title, fontsize=SMALLEST + 1, parse_math=False)  # a photo's name: text
    return _png(figure)
