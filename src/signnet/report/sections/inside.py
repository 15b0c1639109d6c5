"""What the network looks at: its first layer's weights, the saliency map of each digit, and the
test images on the principal components of what its output layer reads.

Each view's figure comes before its paragraph: the PDF floats figures to the tops of pages, and
text after them fills what is left, so no page ends with a gap left by a figure that did not
fit under the section's last paragraph."""

from __future__ import annotations

from signnet.report import figures
from signnet.report.document import Block, Figure, Heading, Paragraph, Table
from signnet.report.facts import CENTRE_CONTRAST, CONTRAST, TOP_SHARE, Facts, Hotspot
from signnet.report.sections.wording import pct, plural

# Weight images per row of the mosaic, by the first layer's kind (a filter is small: fewer,
# larger); saliency maps per row.
WEIGHT_COLUMNS = {"dense": 16, "conv2d": 8}
SALIENCY_COLUMNS = 5
# What the map of the last representation shows, by MapFacts.representation.
REPRESENTATIONS = {
    "hidden": "the last hidden layer's {width} activations",
    "conv": "the last convolution block's {width} outputs (there is no hidden dense layer)",
    "input": "the {width} input features themselves (the network has no hidden layer)",
}


def _weights(f: Facts) -> list[Block]:
    first, m = f.inside.first_layer, f.method
    units, h, w = first.images.shape
    if first.kind == "dense":
        owner = plural(units, "hidden unit") if m.hidden else f"the output {plural(units, 'unit')}"
        ratio = first.centre_ratio
        text = (
            f"{{fig:weights}} draws the weights of the first layer: {owner}, each with one "
            f"weight per pixel drawn as a {h} x {w} image. The mean weight magnitude over the "
            f"middle half of the rows and columns is {ratio:.2f} times that around it: the units "
            "weigh the "
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
            f"weights each). {contrast} of them "
            + ("has" if contrast == 1 else "have")
            + f" weights whose sum is less than {pct(CONTRAST, 0)} of their magnitudes' sum: "
            + (
                "they respond to contrast (an edge or a spot) more than to brightness."
                if contrast
                else "none responds to contrast more than to brightness."
            )
        )
    return [
        Figure(
            "weights.png",
            figures.weight_mosaic(first.images, min(WEIGHT_COLUMNS[first.kind], units)),
            "The first layer's weights, each "
            + ("unit's" if first.kind == "dense" else "filter's")
            + " scaled to its own largest magnitude.",
            label="weights",
        ),
        Paragraph(text),
    ]


def _where(spot: Hotspot) -> str:
    return f"around row {spot.row:.0f}, column {spot.column:.0f} (the {spot.region})"


def _saliency(f: Facts) -> list[Block]:
    saliency = f.inside.saliency
    side = saliency.maps.shape[1]
    top = f"{pct(TOP_SHARE, 0)} most salient pixels ({saliency.top_pixels} of {side * side})"
    score = (
        f"its log-odds (the logit for {f.digits[1]}, its negative for {f.digits[0]})"
        if f.binary
        else "its logit"
    )
    spots = saliency.hotspots
    per = (
        "per standard deviation of the pixel (the network's input is standardised)"
        if f.data.scaling == "standardize"
        else "per unit of the pixel divided by 255 (the network's input)"
    )
    opening = (
        "{fig:saliency} shows, for each digit, how strongly each pixel moves the digit's score, "
        f"{score}: the magnitude of the score's gradient {per}, averaged over the digit's test "
        "images (a saliency map, Simonyan et al., 2014), over their mean image. Rows and "
        "columns count from the top left."
    )
    if f.binary:
        a, b = spots
        text = (
            f"{opening} For {a.digit}, the {top} lie {_where(a)} and carry "
            f"{pct(a.share, 0)} of its saliency; for {b.digit} {_where(b)}, carrying "
            f"{pct(b.share, 0)}. The two sets share {plural(saliency.shared_top, 'pixel')}."
        )
        blocks: list[Block] = [Paragraph(text)]
    else:
        ranked = sorted(spots, key=lambda s: (-s.share, s.digit))
        text = (
            f"{opening} {{tab:saliency}} says where each digit's {top} lie. The most "
            f"concentrated map is that of {ranked[0].digit} (its top pixels carry "
            f"{pct(ranked[0].share, 0)} of its saliency), the most spread "
            f"that of {ranked[-1].digit} ({pct(ranked[-1].share, 0)}); "
            f"{plural(saliency.shared_top, 'pixel')} "
            + ("is" if saliency.shared_top == 1 else "are")
            + " among every digit's most salient."
        )
        blocks = [
            Paragraph(text),
            Table(
                ("digit", "row", "column", "region", "share of saliency"),
                tuple(
                    (str(s.digit), f"{s.row:.1f}", f"{s.column:.1f}", s.region, pct(s.share, 0))
                    for s in spots
                ),
                caption=f"The mean position of each digit's {top} and the share of its "
                "saliency they carry.",
                label="saliency",
            ),
        ]
    titles = [f"{d} ({s.region})" for d, s in zip(f.digits, spots, strict=True)]
    return [
        Figure(
            "saliency.png",
            figures.saliency_maps(saliency.mean_images, saliency.maps, titles, SALIENCY_COLUMNS),
            "Mean saliency of each digit on its test images (bright: the pixels that move its "
            "score most), over its mean test image; each map scaled to its own maximum.",
            label="saliency",
        ),
        *blocks,
    ]


def _map(f: Facts) -> list[Block]:
    view = f.inside.map
    first, second = view.explained
    shown = REPRESENTATIONS[view.representation].format(width=f"{view.width:,}")
    wrong = int(view.wrong.sum())
    text = (
        f"{{fig:map}} places the {plural(len(view.labels), 'test image')} by "
        f"{shown}, projected on their first two principal components (a PCA computed with the "
        f"SVD), which explain {pct(first)} and {pct(second)} of their variance. "
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
            "The test images on the first two principal components of "
            + shown
            + ", coloured by digit; circles mark the misclassified.",
            label="map",
        ),
        Paragraph(text),
    ]


def section(f: Facts) -> list[Block]:
    """The weights, the saliency maps and the map of the last representation, each with what
    the data says of it."""
    intro = (
        "Three views of what the trained network has learned, computed by hand from its weights "
        "and the test part: its first layer, the saliency of each digit, and a map of what its "
        "output layer reads."
    )
    return [
        Heading("What the network looks at", label="inside"),
        Paragraph(intro),
        *_weights(f),
        *_saliency(f),
        *_map(f),
    ]
