"""The report rendered from small fixtures made here: its sections, maths, numbering, layout and
bytes. What it says about each kind of run: tests/test_report_facts.py."""

import dataclasses
import io
import re
import unicodedata

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from signnet.artifacts import load_json
from signnet.data.preprocessing import Preprocessing
from signnet.modelfile import TrainedModel
from signnet.nn.model import Network
from signnet.params import load_params
from signnet.pipeline.crossvalidate import summarise
from signnet.pipeline.evaluate import evaluate_parts
from signnet.pipeline.robustness import measure_robustness
from signnet.pipeline.train import train_network
from signnet.report.ablation import ALL, NONE, WITHOUT, settings
from signnet.report.content import build_report
from signnet.report.document import Bullets, Equation, Figure, Paragraph, Table, number_blocks
from signnet.report.facts import ReportInputs
from signnet.report.figures import DPI, TEXT_WIDTH
from signnet.report.pdf import BOTTOM, PAGE_HEIGHT, TOP, render_pdf, typeset
from signnet.report.write import report_date, write_report
from tests.conftest import REPO, dense, repo_params

SOURCE = {
    "kind": "Sign Language Digits Dataset",
    "repository": "https://github.com/ardamavi/Sign-Language-Digits-Dataset",
    "commit": "4b09433ef9d5c60602e8805bb54b8aa2428527f8",
    "commit_date": "2021-05-08",
    "fingerprint": "dcb2ae4be3d7735fcdd5afd3ac662c8515803a0ab9c5acce989eb085802de6d1",
    "license": "Apache License 2.0",
    "citation": "Mavi, A. (2020)",
    "images": 60,
}


def part(rng, digits, n, size=8, noise=40):
    """A split part of ``n`` noisy photos whose brightness depends on the class."""
    labels = np.arange(n) % len(digits)
    images = np.clip(
        rng.normal(60 + 120 * labels[:, None, None] / len(digits), noise, (n, size, size)), 0, 255
    ).astype(np.uint8)
    return {
        "labels": labels,
        "digits": np.array(digits)[labels],
        "files": np.array([f"Dataset/{digits[k]}/IMG_{i}.JPG" for i, k in enumerate(labels)]),
        "images": images,
        "classes": np.array(digits),
        "test_fraction": np.array(0.2),
        "seed": np.array(42),
    }


DEPARTURES = load_json(REPO / "benchmarks" / "results" / "departures.json")


def report_inputs(
    digits, epochs=5, model=None, train_recipe=None, report=None, source=SOURCE, noise=40
):
    """A small run's inputs: photos of 8 x 8 pixels, 48 for training and 12 for testing."""
    rng = np.random.default_rng(0)
    train, test = part(rng, digits, 48, noise=noise), part(rng, digits, 12, noise=noise)
    params = repo_params(
        filter={"classes": list(digits)},
        split={"scaling": "unit"},
        model={"hidden": [6], **(model or {})},
        train={"epochs": epochs, "batch_size": 8, "lr": 0.5, **(train_recipe or {})},
        report={"example_photos": 6, "max_misclassified": 4, **(report or {})},
    )
    unit = Preprocessing.fit(train["images"], "unit")
    result = train_network(train, test, unit, params.model, params.train)
    evaluation = evaluate_parts(result.model, {"test": test, "train": train})
    robustness, changed_example, ablations = None, None, ()  # measured where there are photos
    if source["kind"] == SOURCE["kind"]:
        files, images = test["files"], test["images"]
        photos = {str(f): png_bytes(image) for f, image in zip(files, images, strict=True)}
        robustness, changed_example = measure_robustness(result.model, test, photos)
        ablations = (ablation_record(params, robustness["changes"]),)
    return ReportInputs(
        source=source,
        test=test,
        model=result.model,
        history=result.history,
        evaluation={
            "classes": list(digits),
            "results": evaluation["results"],
            "crosscheck": evaluation["crosscheck"],
            "robustness": robustness,
        },
        probabilities=evaluation["probabilities"]["test"],
        cross_validation=FOLDS,
        departures=DEPARTURES,
        params=params,
        code_fingerprint="c0de" * 16,
        changed_example=changed_example,
        ablations=ablations,
    )


# Each variant of ablation_record but "none" (the run itself): every change's accuracy but the
# one named, and that one's.
ABLATION = {
    ALL: (0.9, "rotated", 0.85),
    WITHOUT + "per-photo scaling": (0.89, None, None),
    WITHOUT + "mirroring": (0.9, "mirrored", 0.6),
    WITHOUT + "blur": (0.9, None, None),
    WITHOUT + "light jitter": (0.88, None, None),
    WITHOUT + "noise": (0.9, "noisy", 0.89),
}


def ablation_record(params, rows):
    """A robustness ablation (as benchmarks/robustness_ablation.py writes it) whose variant
    "none" is the run of ``params`` with its robustness ``rows``; the others, trained with another
    seed, read each change as :data:`ABLATION` says (mirroring left out costs the most)."""
    other = settings(params)
    other["train"] = other["train"] | {"seed": other["train"]["seed"] + 1}
    measured = [
        {"run": label, **row, "accuracy": odd if row["change"] == change else accuracy}
        for label, (accuracy, change, odd) in ABLATION.items()
        for row in rows
    ]
    variants = {label: other for label in ABLATION} | {NONE: settings(params)}
    return {
        "config": "fixture",
        "variants": variants,
        "rows": measured + [{"run": NONE, **row} for row in rows],
    }


def png_bytes(image: np.ndarray) -> bytes:
    """A grey image as the PNG file a photo would be."""
    buffer = io.BytesIO()
    Image.fromarray(image, "L").save(buffer, format="PNG")
    return buffer.getvalue()


def _fold(number, accuracy):
    return {
        "fold": number,
        "train_images": 48,
        "test_images": 12,
        "epochs": 5,
        "accuracy": accuracy,
        "balanced_accuracy": accuracy - 0.01,
        "log_loss": 0.25,
    }


# Two folds, as the crossvalidate stage writes them.
FOLD_RECORDS = [_fold(1, 0.75), _fold(2, 0.916667)]
FOLDS = {"folds": FOLD_RECORDS, "summary": summarise(FOLD_RECORDS)}


def render(tmp_path, inputs, name="out"):
    folder = tmp_path / name
    blocks = build_report(inputs)
    write_report(
        blocks,
        folder / "report.md",
        folder / "report.pdf",
        folder / "figures",
        report_date(inputs.source),
    )
    return folder, blocks


def text_of(blocks) -> str:
    """Every sentence and table cell of the report's blocks, one string, as the Markdown report
    has them (references resolved to "Section 4", "Equation (5)")."""
    parts = []
    for block in number_blocks(blocks):
        for field in ("text", "caption"):
            parts.append(getattr(block, field, ""))
        parts += getattr(block, "items", ()) + getattr(block, "entries", ())
        parts += [text for _, text in getattr(block, "lines", ())]
        parts += [c for row in getattr(block, "rows", ()) for c in row]
        parts += getattr(block, "header", ())
    return " ".join(" ".join(parts).split())


def pdf_text(folder) -> str:
    """The PDF's text, maths letters (mathematical italic, script with its variation selector)
    folded to plain ones."""
    reader = PdfReader(folder / "report.pdf")
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return re.sub("[\ufe00-\ufe0f]", "", unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize("digits", [(6, 8), (0, 3, 5)])
def test_report_has_the_sections_a_grader_expects(tmp_path, digits):
    inputs = report_inputs(digits)
    folder, blocks = render(tmp_path, inputs)
    text = pdf_text(folder)
    for heading in (
        "1 Introduction and problem",
        "2 Data",
        "3 Method",
        "Algorithm 1",
        "4 Hyperparameters and the evidence for them",
        "5 Training",
        "6 Results",
        "7 Predictions on test images",
        "8 Photos taken otherwise",
        "9 What the network looks at",
        "10 Discussion",
        "11 Conclusion",
        "References",
        "Appendix A: reproduction and cross-check",
    ):
        assert heading in text, heading
    test = inputs.evaluation["results"]["test"]
    assert f"{100 * test['accuracy']:.1f}%" in text
    assert f"{test['log_loss']:.4f}" in text
    assert "Mavi" in text and "Apache License 2.0" in text and "2021-05-08" in text
    assert "Stratified 2-fold cross-validation" in text and "83.3% ± 11.8%" in text
    markdown = (folder / "report.md").read_text()
    assert "c0de" * 16 in markdown and SOURCE["fingerprint"] in markdown
    for page in PdfReader(folder / "report.pdf").pages:  # A4: 210 x 297 mm
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.1)
        assert float(page.mediabox.height) == pytest.approx(841.89, abs=0.1)
    names = {b.name for b in blocks if isinstance(b, Figure)}
    assert {p.name for p in (folder / "figures").iterdir()} == names
    for name in names:
        assert f"](figures/{name})" in markdown


def test_the_maths_is_typeset_in_both_files(tmp_path):
    inputs = report_inputs((6, 8))
    folder, blocks = render(tmp_path, inputs)
    equations = [b.tex for b in blocks if isinstance(b, Equation)]
    assert any(r"\hat{y}_i - y_i}{m}" in tex for tex in equations)  # the output gradient
    assert any(r"X^{\top}\delta" in tex for tex in equations)  # a dense layer's dW
    markdown = (folder / "report.md").read_text()
    numbered = [b for b in number_blocks(blocks) if isinstance(b, Equation)]
    assert [b.number for b in numbered] == list(range(1, len(numbered) + 1))  # reading order
    for block in numbered:
        assert f"$$\n{block.tex} \\tag{{{block.number}}}\n$$" in markdown
    assert "backward pass from Equation (3)" in text_of(blocks)
    # In the PDF the maths is text: the sigmoid, the chain rule's gradient, every number.
    text = pdf_text(folder)
    assert "σ(z)= 1 1+e−z" in text
    assert "∂L ∂zi =ŷi−yi m" in text
    assert "backward pass from Equation (3)" in text
    assert all(f"({b.number})" in text for b in numbered)
    with PdfReader(folder / "report.pdf") as reader:
        images = sum(len(page.images) for page in reader.pages)
    assert images == sum(isinstance(b, Figure) for b in blocks)  # no equation is an image


def test_figures_and_tables_are_numbered_and_referred_to():
    blocks = build_report(report_inputs((6, 8), epochs=1))
    floats = [b for b in number_blocks(blocks) if isinstance(b, Figure | Table)]
    figures = [b.caption.split(".")[0] for b in floats if isinstance(b, Figure)]
    tables = [b.caption.split(".")[0] for b in floats if isinstance(b, Table)]
    assert figures == [f"Figure {i}" for i in range(1, len(figures) + 1)]
    assert tables == [f"Table {i}" for i in range(1, len(tables) + 1)]
    text = text_of(blocks)
    assert "{fig:" not in text and "{tab:" not in text
    for name in figures + tables:  # every float is referred to from the text
        prose = " ".join(b.text for b in number_blocks(blocks) if isinstance(b, Paragraph))
        assert name in prose, name


def test_an_unknown_reference_fails_loudly():
    with pytest.raises(KeyError, match="no fig labelled 'nowhere'"):
        number_blocks([Paragraph("see {fig:nowhere}")])


def test_links_are_clickable_in_the_pdf(tmp_path):
    folder, _ = render(tmp_path, report_inputs((6, 8), epochs=1))
    links = [
        annotation.get_object()
        for page in PdfReader(folder / "report.pdf").pages
        for annotation in page.get("/Annots", [])
    ]
    uris = {link["/A"]["/URI"] for link in links if "/A" in link}
    destinations = {str(link["/Dest"]) for link in links if "/Dest" in link}
    assert "sec:discussion" in destinations and len(destinations) >= 5  # references too
    assert "https://github.com/ardamavi/Sign-Language-Digits-Dataset" in uris
    assert "https://doi.org/10.1023/A:1024068626366" in uris


def test_no_text_is_set_under_8_points(tmp_path):
    """Text and tables at 8 pt or more (maths sub- and superscripts are smaller, as in any
    typeset maths); figures drawn at their printed size, so their text prints at its size."""
    inputs = report_inputs(tuple(range(10)), epochs=1)
    folder, blocks = render(tmp_path, inputs)
    sizes: dict[str, set[float]] = {}

    def visit(text, cm, tm, font, size):
        if text.strip() and font is not None:
            sizes.setdefault(str(font["/BaseFont"]), set()).add(round(size * tm[0] * cm[0], 2))

    for page in PdfReader(folder / "report.pdf").pages:
        page.extract_text(visitor_text=visit)
    text_faces = {face: s for face, s in sizes.items() if "Math" not in face}
    assert any("NewCM10-Regular" in face for face in text_faces)  # Typst's own faces only
    assert all(face.split("+")[-1].startswith(("NewCM", "DejaVuSansMono")) for face in sizes)
    assert min(min(s) for s in text_faces.values()) >= 8, text_faces
    from PIL import Image

    for block in blocks:
        if isinstance(block, Figure):
            with Image.open(io.BytesIO(block.png)) as image:
                assert image.size[0] / DPI <= TEXT_WIDTH + 0.01, block.name


def page_fills(blocks) -> list[float]:
    """The share of each page's text block that is not left empty (0 to 1): gaps between inked
    rows taller than 10 mm (more than any spacing between lines, paragraphs or floats) count as
    empty, read from the pages as Typst renders them to pixels."""
    from PIL import Image

    fills = []
    for png in typeset(blocks, report_date(SOURCE), format="png", ppi=30):
        pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
        scale = pixels.shape[0] / PAGE_HEIGHT  # pixels per mm
        inked = (pixels[int(TOP * scale) : int((PAGE_HEIGHT - BOTTOM) * scale)] < 200).any(axis=1)
        edges = np.flatnonzero(np.diff(np.concatenate([[1], inked, [1]])))
        gaps = edges[1::2] - edges[::2]  # lengths of the runs of blank rows
        fills.append(1 - gaps[gaps > 10 * scale].sum() / inked.size)
    return fills


# The two configurations the report is read in (the default and the ten-digit CNN line of
# docs/experiments.md, on the fixtures' small images), and the pages each may take, references
# and the appendix included.
LAYOUTS = {
    "default 6 vs 8": ((6, 8), {}, 6),
    "ten-digit CNN": (
        tuple(range(10)),
        {
            "conv": [4, 8],
            "hidden": [16],
            "dropout": 0.3,
            "batch_norm": True,
            "activation": "relu",
            "init": "he",
            "dtype": "float32",
        },
        8,
    ),
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_report_keeps_its_page_budget_and_no_page_but_the_last_is_a_fifth_empty(layout):
    digits, model, budget = LAYOUTS[layout]
    shown = load_params(REPO / "params.yaml").report.example_photos  # as the default run shows
    title = {"authors": ["Ada Lovelace", "Alan Turing"], "course": "CS 4780", "milestone": "M1"}
    inputs = report_inputs(digits, epochs=2, model=model, report={"example_photos": shown} | title)
    fills = page_fills(build_report(inputs))
    assert len(fills) <= budget, fills
    assert min(fills[:-1]) >= 0.8, fills


SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z*])")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_prose_says_each_thing_once_and_no_count_of_zero_as_a_finding(layout):
    digits, model, _ = LAYOUTS[layout]
    blocks = build_report(report_inputs(digits, epochs=2, model=model))
    prose = [b.text for b in number_blocks(blocks) if isinstance(b, Paragraph)]
    prose += [item for b in blocks if isinstance(b, Bullets) for item in b.items]
    sentences = [s.strip() for text in prose for s in SENTENCE.split(text) if len(s) > 30]
    repeated = {s for s in sentences if sentences.count(s) > 1}
    assert not repeated, repeated
    text = text_of(blocks)
    assert "0.0e+00" not in text and "to within 0" not in text
    assert not re.search(r"(^|[.;:(] )0 (of|errors?|images?|pixels?|folds?)\b", text), re.search(
        r"(^|[.;:(] )0 (of|errors?|images?|pixels?|folds?)\b", text
    )
    tables = [row for b in blocks if isinstance(b, Table) for row in b.rows]
    assert not any("not measured" in cell for row in tables for cell in row)


def test_the_all_pairs_map_is_shown_when_it_exists():
    pairs = {
        f"{a} vs {b}": {
            "folds": [{}, {}],
            "summary": {"accuracy_mean": 0.5 + (a + b) / 40, "accuracy_std": 0.01},
        }
        for a in range(4)
        for b in range(a + 1, 4)
    }
    without = build_report(report_inputs((6, 8), epochs=1))
    assert "pairs.png" not in {b.name for b in without if isinstance(b, Figure)}
    assert "(cd pairs && dvc repro)" in text_of(without)
    blocks = build_report(dataclasses.replace(report_inputs((6, 8), epochs=1), pairs=pairs))
    assert "pairs.png" in {b.name for b in blocks if isinstance(b, Figure)}
    assert "The hardest pairs are 0 vs 1 (52.5%), 0 vs 2 (55.0%)" in text_of(blocks)


def test_a_run_without_cross_validation_says_so(tmp_path):
    inputs = dataclasses.replace(
        report_inputs((6, 8), epochs=1), cross_validation={"folds": [], "summary": {}}
    )
    folder, _ = render(tmp_path, inputs)
    assert "Cross-validation was off" in (folder / "report.md").read_text()


def test_misclassified_photos_are_named(tmp_path):
    inputs = report_inputs((6, 8), epochs=1)
    wrong = np.flatnonzero(inputs.probabilities.argmax(axis=1) != inputs.test["labels"])
    assert len(wrong) > 0  # one epoch leaves mistakes to show
    folder, _ = render(tmp_path, inputs)
    text = pdf_text(folder)
    named = [i for i in wrong if str(inputs.test["files"][i]) in text]
    assert len(named) == min(4, len(wrong))  # params.max_misclassified = 4


def test_same_inputs_give_byte_identical_files(tmp_path):
    inputs = report_inputs((6, 8))
    first, _ = render(tmp_path, inputs, "a")
    second, _ = render(tmp_path, inputs, "b")
    for name in ("report.md", "report.pdf", *(p.name for p in (first / "figures").iterdir())):
        path = name if name.startswith("report") else f"figures/{name}"
        assert (first / path).read_bytes() == (second / path).read_bytes(), name


def test_a_figure_taller_than_a_page_is_scaled_to_fit_one():
    tall = Figure("tall.png", _png(100, 1000), "A figure ten times taller than wide.")
    pdf = PdfReader(io.BytesIO(render_pdf([tall, tall], report_date(SOURCE))))
    assert len(pdf.pages) == 2


def _png(width, height):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (width, height), 128).save(buffer, format="PNG")
    return buffer.getvalue()


def test_model_table_matches_the_network():
    inputs = report_inputs((6, 8))
    table = next(b for b in build_report(inputs) if getattr(b, "label", "") == "architecture")
    assert table.rows == (
        ("input", "8 x 8 pixels, as a row of 64", "64", ""),
        ("1", "dense, 6 units; sigmoid", "6", "390"),
        ("output", "dense, 1 unit; sigmoid", "1", "7"),
    )
    assert "397 trainable parameters" in table.caption
    assert isinstance(inputs.model, TrainedModel) and isinstance(inputs.model.network, Network)
    assert inputs.model.network.config == dense(64, 2, (6,))


def test_the_title_block_is_empty_by_default_and_set_from_params(tmp_path):
    default, _ = render(tmp_path, report_inputs((6, 8), epochs=1), "default")
    assert PdfReader(default / "report.pdf").metadata.get("/Author") in (None, "")
    inputs = report_inputs(
        (6, 8),
        epochs=1,
        report={
            "authors": ["Ada Lovelace", "Alan Turing"],
            "course": "CS 4780 Machine Learning, Fall 2026",
            "milestone": "Milestone 1: #1 <of> 3 $ * _",
        },
    )
    folder, _ = render(tmp_path, inputs, "titled")
    reader = PdfReader(folder / "report.pdf")
    assert reader.metadata["/Author"] == "Ada Lovelace, Alan Turing"
    first = pdf_text(folder).split("Summary.")[0]
    assert "Ada Lovelace, Alan Turing CS 4780 Machine Learning, Fall 2026" in first
    assert "Milestone 1: #1 <of> 3 $ * _" in first
    markdown = (folder / "report.md").read_text()
    assert "*Ada Lovelace, Alan Turing*" in markdown and "*CS 4780" in markdown
    # The command that reproduces the run sets the title block too, quoted for shell and Hydra.
    assert """'report.course="CS 4780 Machine Learning, Fall 2026"'""" in markdown


def test_an_equation_wider_than_the_text_is_scaled_into_it():
    from PIL import Image

    wide = r" + ".join(
        rf"\dfrac{{\partial \mathcal{{L}}}}{{\partial w_{{{i}}}}}" for i in range(40)
    )
    png = typeset([Equation(wide)], report_date(SOURCE), format="png", ppi=50)  # one page
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    scale = pixels.shape[1] / 210  # pixels per mm
    inked = np.flatnonzero((pixels < 200).any(axis=0)) / scale
    margin = (210 - TEXT_WIDTH * 25.4) / 2
    assert inked.min() >= margin - 0.5 and inked.max() <= 210 - margin + 0.5, (
        inked.min(),
        inked.max(),
    )


# What a user may type into the title block: Typst code, maths, markup of both writers, quotes,
# backslashes, a reference and right-to-left letters (params refuse the invisible marks).
HOSTILE = {
    "authors": ['$\\text{x"#(6*7)"y}$', '#read("report.typ")', "Ada \u05e2\u05d3\u05d4 Lovelace"],
    "course": '**bold** [link](https://example.org) {sec:data} `tick` <b>x</b> a\\b "q"',
    "milestone": "= heading #1 ~s~ &amp; _u_ $ 1 $ -- x -1 y...z",
}


def test_what_a_user_types_is_shown_as_written_never_run_as_markup(tmp_path):
    from markdown_it import MarkdownIt

    inputs = report_inputs((6, 8), epochs=1, report=HOSTILE)
    folder, _ = render(tmp_path, inputs, "hostile")
    written = [*HOSTILE["authors"], HOSTILE["course"], HOSTILE["milestone"]]
    first = pdf_text(folder).split("Summary.")[0]
    for text in written:
        assert " ".join(text.split()) in first, text
    assert "x42y" not in first and "#import" not in first  # no code ran, no file was read
    assert "\u2212" not in first and "\u2013" not in first  # no minus sign, no en dash
    reader = PdfReader(folder / "report.pdf")
    raw = " ".join(reader.pages[0].extract_text().split())
    assert "y...z" in raw  # three dots, not an ellipsis (pdf_text's NFKC would hide one)
    assert reader.metadata["/Author"] == ", ".join(HOSTILE["authors"])
    html = MarkdownIt("commonmark").render((folder / "report.md").read_text())
    shown = re.sub(r"<[^>]+>", "", html.split("<strong>Summary.</strong>")[0])
    for text in written:
        unescaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert unescaped.replace('"', "&quot;") in shown, text


def test_a_typst_refusal_is_one_line_and_writes_nothing(tmp_path, monkeypatch):
    import typst

    from signnet.report import pdf

    class Refused(typst.TypstError):
        diagnostic = "error: unexpected argument\n  ┌─ report.typ:3:1\n  │"

    def refuse(*args, **kwargs):
        raise Refused("refused")

    monkeypatch.setattr(pdf.typst, "compile", refuse)
    with pytest.raises(pdf.TypesetError) as raised:
        render(tmp_path, report_inputs((6, 8), epochs=1), "refused")
    assert str(raised.value).startswith(
        "Typst could not typeset the report (error: unexpected argument); nothing was written"
    )
    assert not (tmp_path / "refused").exists()  # no report.md, no figures, no PDF


def test_an_empty_title_block_is_a_warning_naming_the_keys_and_how_to_set_them():
    from signnet.report.summary import title_warning

    empty = repo_params().report
    assert title_warning(empty).startswith(
        "report.authors, report.course, report.milestone are empty: the report's title block"
    )
    assert "dvc exp run -S 'report.authors=[\"Your Name\"]'" in title_warning(empty)
    named = repo_params(report={"authors": ["Ada"]}).report
    assert title_warning(named).startswith("report.course, report.milestone are empty")
    whole = repo_params(report={"authors": ["Ada"], "course": "CS", "milestone": "M1"}).report
    assert title_warning(whole) is None


def test_the_cross_check_is_a_sentence_when_exact_and_a_table_only_of_what_differs():
    import copy
    import dataclasses

    from signnet.report.document import Table
    from signnet.report.facts import gather_facts
    from signnet.report.sections import appendix

    inputs = report_inputs((6, 8), epochs=1)
    evaluation = copy.deepcopy(inputs.evaluation)
    rows = [row for part in evaluation["crosscheck"].values() for row in part]
    for row in rows:
        row["difference"] = 0.0
    exact = dataclasses.replace(inputs, evaluation=evaluation)
    blocks = appendix.section(exact, gather_facts(exact))
    assert not any(isinstance(b, Table) for b in blocks)
    assert blocks[-1].text.endswith("every one is identical to scikit-learn's.")
    assert "0.0e+00" not in text_of(build_report(exact))
    rows[0]["difference"] = 2.2e-16
    blocks = appendix.section(exact, gather_facts(exact))
    [table] = [b for b in blocks if isinstance(b, Table)]
    part = next(p for p, part_rows in evaluation["crosscheck"].items() if rows[0] in part_rows)
    assert table.rows == ((part, rows[0]["metric"], "2.2e-16"),)
    crosscheck = next(b for b in blocks if b.text.startswith("**Cross-check.**"))
    assert "1 differs in its last digits, by 2.2e-16 (" in crosscheck.text
