"""Every formula the report can contain, as TeX for the Markdown and converted for Typst: each
converts and typesets, and the PDF's text reads it; the markup the writer makes of the blocks'
text keeps every character that means something to Typst literal."""

import re
import unicodedata

import pytest
import typst
from pypdf import PdfReader

from signnet.nn.activations import ACTIVATIONS
from signnet.nn.layers import LAYERS
from signnet.nn.losses import BinaryCrossEntropy, SoftmaxCrossEntropy
from signnet.nn.optimizers import OPTIMIZERS
from signnet.nn.schedules import SCHEDULES
from signnet.report.content import build_report
from signnet.report.document import Algorithm, Equation, Paragraph, plain
from signnet.report.maths import typst_maths
from signnet.report.pdf import markup, render_pdf
from signnet.report.write import report_date
from tests.test_report import SOURCE, text_of
from tests.test_report_facts import RUNS

INLINE = re.compile(r"\$([^$]+)\$")


def formulas(blocks) -> set[str]:
    """Every display and inline formula of ``blocks``."""
    found = {b.tex for b in blocks if isinstance(b, Equation)}
    for block in blocks:
        texts = [getattr(block, "text", ""), getattr(block, "caption", "")]
        texts += [text for _, text in getattr(block, "lines", ())]
        texts += list(getattr(block, "items", ()))
        found |= {m for text in texts for m in INLINE.findall(text)}
    return found


def test_the_runs_use_every_layer_kind():
    """So that every layer's maths is among the formulas checked below."""
    used = {spec["kind"] for make in RUNS.values() for spec in make().model.network.specs()}
    assert used == set(LAYERS)


def components() -> set[str]:
    """Every formula a component of signnet.nn carries, whether a run uses it or not."""
    found = {t for a in ACTIVATIONS.values() for t in a.equations}
    found |= {o.equation for o in OPTIMIZERS.values()}
    found |= {s.equation for s in SCHEDULES.values() if s.equation}
    found |= {t for loss in (BinaryCrossEntropy, SoftmaxCrossEntropy) for t in loss.maths[1]}
    return found


@pytest.fixture(scope="module")
def every_formula() -> list[str]:
    found = components()
    for make in RUNS.values():
        found |= formulas(build_report(make()))
    return sorted(found)


def test_the_runs_cover_every_component_s_formula(every_formula):
    used = set(every_formula)
    assert any(r"\max(0,\, z)" in t for t in used)  # the CNN's ReLU
    assert any("Y_{n,i,j,c} = b_c" in t for t in used)  # its convolution
    assert len(used) > 40


def test_every_formula_converts_and_typesets(every_formula):
    failures = {}
    for tex in every_formula:
        maths = typst_maths(tex)
        try:
            typst.compile(f"$ {maths} $".encode(), ignore_system_fonts=True)
        except typst.TypstError as error:
            failures[tex] = (maths, error.message)
    assert not failures, failures


def _text(pdf: bytes) -> str:
    import io

    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return re.sub("[\ufe00-\ufe0f]", "", unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize(
    ("tex", "reads"),
    [
        (r"g(z) = \sigma(z) = \dfrac{1}{1 + e^{-z}}", "g(z) = σ(z) = 1 1 + e−z"),
        (
            r"\theta \leftarrow \theta - \eta_e\,\dfrac{\partial \mathcal{L}}{\partial \theta}",
            "θ←θ",
        ),
        (r"\delta^{[l-1]} = \delta^{[l]}\,(W^{[l]})^{\top} \odot g'(Z^{[l-1]})", "⊙g′(Z[l−1])"),
        (r"\text{balanced accuracy} = \dfrac{1}{K}\sum_k \text{recall}_k", "balanced accuracy"),
    ],
)
def test_the_pdf_reads_the_maths_as_text(tex, reads):
    pdf = render_pdf([Equation(tex), Paragraph(f"Inline: ${tex}$.")], report_date(SOURCE))
    text = _text(pdf).replace(" ", "")
    assert text.count(reads.replace(" ", "")) == 2, text  # display and inline (tighter)


def test_typst_s_markup_characters_stay_literal():
    literal = r"a #b *c* _d_ @e <f> [g] `h` ~i / // j \ k -- l -? m 1e-5 'n' \"o\" = + 1."
    for text in (literal, "= heading?", "- item?", "+ item?", "1. item?"):
        pdf = render_pdf([Paragraph(text)], report_date(SOURCE))
        quotes = str.maketrans("‘’“”", "''\"\"")  # Typst sets quotes typographically
        # a backslash before a markup character or a quote makes it literal (and straight)
        assert _text(pdf).translate(quotes) == plain(text) + " Report · page 1 of 1"


def test_bold_links_maths_and_references_are_markup():
    assert markup("**bold**") == "#strong[bold]"
    assert markup("[the data](https://example.org/a_b)") == (
        '#link("https://example.org/a_b")[the data]'
    )
    assert markup("as in {eq:update}.") == "as in #ref(<eq:update>);."
    assert markup(r"rate $\eta_e$") == "rate $eta_e$"


def test_the_algorithm_has_no_literal_tex():
    blocks = build_report(RUNS["cnn"]())
    algorithm = next(b for b in blocks if isinstance(b, Algorithm))
    assert any(r"$\eta_e$" in text for _, text in algorithm.lines)
    pdf = render_pdf(blocks, report_date(SOURCE))
    text = _text(pdf)
    assert "η_e" not in text and "\\eta" not in text and "rate ηe" in text
    assert "per batch: The" not in text_of(blocks)
