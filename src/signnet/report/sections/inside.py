"""What the network looks at: its first layer's weights, the saliency map of each digit, and the
test images on the principal components of what its output layer reads.

Each view's figure comes before its paragraph: the PDF floats figures to the tops of pages, and
text after them fills what is left, so no page ends with a gap left by a figure that did not
fit under the section's last paragraph."""

from __future__ import annotations

from signnet.data.preprocessing import SCALINGS
from signnet.report import figures
from signnet.report.document import Block, Figure, Heading, Paragraph
from signnet.report.facts import Facts
from signnet.report.judgements import STRUCTURED
from signnet.report.network_views import CENTRE_CONTRAST, CONTRAST, TOP_SHARE, Hotspot
from signnet.report.sections.wording import pct, plural

# Weight images per row of the mosaic, by the first layer's kind (a filter is small: fewer,
# larger); saliency maps per row.
WEIGHT_COLUMNS = {"dense": 16, "conv2d": 8}
SALIENCY_COLUMNS = 10
# What the map of the last representation shows, by MapFacts.representation.
REPRESENTATIONS = {
    "hidden": "the last hidden layer's {width} activations",
    "conv": "the last convolution block's {width} outputs (there is no hidden dense layer)",
    "input": "the {width} input features themselves (the network has no hidden layer)",
}


def _weights(f: Facts) -> list[Block]:
    """The first layer's weights, drawn only where they show structure; one sentence
    otherwise."""
    first, m = f.inside.first_layer, f.method
    units, h, w = first.images.shape
    what = "unit" if first.kind == "dense" else "filter"
    smooth = (
        f"neighbouring weights of a {what} correlate by {first.smoothness:.2f} on average "
        f"({STRUCTURED:g} or more is taken here as structure)"
    )
    if not first.structured:
        return [
            Paragraph(
                f"The first layer's weights are not drawn: {smooth}, so their images would "
                "look like noise."
            )
        ]
    if first.kind == "dense":
        owner = plural(units, "hidden unit") if m.hidden else f"the output {plural(units, 'unit')}"
        ratio = first.centre_ratio
        text = (
            f"{{fig:weights}} draws the weights of the first layer: {owner}, each with one "
            f"weight per pixel drawn as a {h} x {w} image; {smooth}. The mean weight magnitude "
            f"over the middle half of the rows and columns is {ratio:.2f} times that around it: "
            "the units weigh the "
            + (
                "middle of the picture more than its edges."
                if ratio >= CENTRE_CONTRAST
                else "edges of the picture more than its middle."
                if ratio <= 1 / CENTRE_CONTRAST
                else "middle and the edges of the picture about alike."
            )
        )
    else:
        contrast = first.contrast_filters
        text = (
            f"{{fig:weights}} draws the {units} filters of the first convolution ({h} x {w} "
            f"weights each); {smooth}. "
            + (
                f"{contrast} of them "
                + ("has" if contrast == 1 else "have")
                + f" weights whose sum is less than {pct(CONTRAST, 0)} of their magnitudes' "
                "sum: they respond to contrast (an edge or a spot) more than to brightness."
                if contrast
                else f"Every one has weights whose sum is at least {pct(CONTRAST, 0)} of their "
                "magnitudes' sum: they respond to brightness more than to contrast."
            )
        )
    return [
        Figure(
            "weights.png",
            figures.weight_mosaic(first.images, min(WEIGHT_COLUMNS[first.kind], units)),
            f"The first layer's weights, each {what}'s scaled to its own largest magnitude.",
            label="weights",
        ),
        Paragraph(text),
    ]


def _where(spot: Hotspot, top: int) -> str:
    """Where a map's ``top`` strongest pixels lie: the ninth of the image holding most."""
    return f"{spot.in_region} of the {top} lie in the {spot.region} of the image"


def _per(f: Facts) -> str:
    return f"per {SCALINGS[f.data.scaling].unit} (the network's input)"


def _separation(f: Facts) -> list[Block]:
    """A pair: one signed map of what tells the digits apart, drawn beside the map of the last
    representation (one figure: both are small)."""
    saliency = f.inside.saliency
    side = saliency.maps.shape[1]
    top = f"{pct(TOP_SHARE, 0)} strongest pixels ({saliency.top_pixels} of {side * side})"
    low, high = saliency.hotspots
    text = (
        f"{{fig:inside}}, left, shows what tells {high.digit} from {low.digit}: the gradient of "
        f"the log-odds of {high.digit} with respect to each pixel, {_per(f)}, averaged over all "
        f"{len(f.inside.map.labels)} test images (a saliency map, Simonyan et al., 2014). "
        f"Where it is red, a brighter pixel makes {high.digit} more likely; where blue, "
        f"{low.digit}. Of the {top} for {high.digit}, {_where(high, saliency.top_pixels)} "
        f"(together they carry {pct(high.share, 0)} of its side of the map); for {low.digit}, "
        f"{_where(low, saliency.top_pixels)} ({pct(low.share, 0)})."
    )
    view = f.inside.map
    first, second = view.explained
    return [
        Figure(
            "inside.png",
            figures.separation_and_map(
                saliency.mean_images[0],
                saliency.maps[0],
                f.digits,
                view.coordinates,
                view.labels,
                view.wrong,
                (f"component 1 ({pct(first)})", f"component 2 ({pct(second)})"),
            ),
            f"Left, the mean test image and, over it, what separates {high.digit} from "
            f"{low.digit}: the mean gradient of the log-odds of {high.digit} over the test "
            f"images, scaled to its largest magnitude. Right, {_map_caption(f)}",
            label="inside",
        ),
        Paragraph(text),
        Paragraph(_map_text(f, "{fig:inside}, right,")),
    ]


def _saliency(f: Facts) -> list[Block]:
    saliency = f.inside.saliency
    side = saliency.maps.shape[1]
    top = f"{pct(TOP_SHARE, 0)} most salient pixels ({saliency.top_pixels} of {side * side})"
    spots = saliency.hotspots
    ranked = sorted(spots, key=lambda s: (-s.share, s.digit))
    shared = (
        f"; {plural(saliency.shared_top, 'pixel')} "
        + ("is" if saliency.shared_top == 1 else "are")
        + " among every digit's most salient"
        if saliency.shared_top
        else ""
    )
    text = (
        "{fig:saliency} shows, for each digit, how strongly each pixel moves the digit's score, "
        f"its logit: the magnitude of the score's gradient {_per(f)}, averaged over the digit's "
        "test images (a saliency map, Simonyan et al., 2014), over their mean image. "
        f"Of each digit's {top}, the most concentrated are those of {ranked[0].digit}: they "
        f"carry {pct(ranked[0].share, 0)} of its saliency, and "
        f"{_where(ranked[0], saliency.top_pixels)}; the most spread are those of "
        f"{ranked[-1].digit} ({pct(ranked[-1].share, 0)}){shared}."
    )
    return [
        Figure(
            "saliency.png",
            figures.saliency_maps(
                saliency.mean_images,
                saliency.maps,
                [f"digit {d}" for d in f.digits],
                SALIENCY_COLUMNS,
            ),
            "Mean saliency of each digit on its test images (bright: the pixels that move its "
            "score most), over its mean test image; each map scaled to its own maximum.",
            label="saliency",
        ),
        Paragraph(text),
    ]


def _shown(f: Facts) -> str:
    view = f.inside.map
    return REPRESENTATIONS[view.representation].format(width=f"{view.width:,}")


def _map_caption(f: Facts) -> str:
    return (
        f"the test images on the first two principal components of {_shown(f)}, coloured by "
        "digit; circles mark the misclassified."
    )


def _map_text(f: Facts, figure: str) -> str:
    """What the map of the last representation, drawn in ``figure``, shows."""
    view = f.inside.map
    first, second = view.explained
    wrong = int(view.wrong.sum())
    return (
        f"{figure} places the {plural(len(view.labels), 'test image')} by "
        f"{_shown(f)}, projected on their first two principal components (a PCA computed with "
        f"the SVD), which explain {pct(first)} and {pct(second)} of their variance. "
        f"{pct(view.nearest_centre)} of the test images lie nearer the centre of their own "
        "digit than of any other"
        + (
            "."
            if not wrong
            else f"; of the {plural(wrong, 'misclassified image')}, "
            f"{view.wrong_near_predicted} "
            + ("lies" if view.wrong_near_predicted == 1 else "lie")
            + " nearer the centre of the digit the network took "
            + ("it" if wrong == 1 else "them")
            + " for."
        )
    )


def _map(f: Facts) -> list[Block]:
    view = f.inside.map
    first, second = view.explained
    return [
        Figure(
            "map.png",
            figures.activation_map(
                view.coordinates,
                view.labels,
                view.wrong,
                list(f.digits),
                (f"component 1 ({pct(first)})", f"component 2 ({pct(second)})"),
            ),
            _map_caption(f)[0].upper() + _map_caption(f)[1:],
            label="map",
        ),
        Paragraph(_map_text(f, "{fig:map}")),
    ]


def section(f: Facts) -> list[Block]:
    """The weights, the saliency maps and the map of the last representation, each with what
    the data says of it."""
    return [
        Heading("What the network looks at", label="inside"),
        *_weights(f),
        *(_separation(f) if f.inside.saliency.signed else _saliency(f) + _map(f)),
    ]
