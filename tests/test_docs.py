"""The documentation: a short README that links into docs/, a site that builds in strict mode
(no broken link, no page left out, every API page rendered from the docstrings), and every
generated table identical to its source."""

import os
import re
import subprocess
import sys

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import doc_tables as docs_tool  # noqa: E402  (tools/ is not a package)

LINK = re.compile(r"\]\(([^)#\s]+)(#[^)\s]*)?\)")


def test_the_readme_is_a_front_page_of_at_most_200_lines():
    readme = (REPO / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    assert "pip install -r requirements.lock && pip install --no-deps -e . && dvc repro" in readme
    assert "\npip install -r requirements-dev.lock && ruff check . && pytest\n" in readme


def test_getting_started_gives_the_readme_s_commands():
    block = re.compile(r"```sh\n(python3 -m venv.*?)```", re.S)
    readme = block.search((REPO / "README.md").read_text()).group(1)
    assert readme.count("\n") == 3
    assert block.search((REPO / "docs" / "getting-started.md").read_text()).group(1) == readme


def test_every_relative_link_of_the_readme_reaches_a_file():
    readme = (REPO / "README.md").read_text()
    targets = [m.group(1) for m in LINK.finditer(readme) if "://" not in m.group(1)]
    assert len(targets) >= 9
    for target in targets:
        assert (REPO / target).exists(), target


def test_every_generated_table_is_identical_to_its_source():
    assert docs_tool.stale() == []


def test_a_stale_table_is_found(tmp_path, monkeypatch):
    page = tmp_path / "page.md"
    page.write_text("before\n<!-- generated: t -->\nold\n<!-- end generated -->\nafter\n")
    monkeypatch.setattr(docs_tool, "REPO", tmp_path)
    monkeypatch.setattr(docs_tool, "BLOCKS", {"t": ("page.md", lambda: "new")})
    assert docs_tool.stale() == ["t (page.md)"]
    assert docs_tool.main([]) == 0
    assert page.read_text() == "before\n<!-- generated: t -->\nnew\n<!-- end generated -->\nafter\n"
    assert docs_tool.stale() == []


def test_the_site_builds_in_strict_mode(tmp_path):
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=REPO,
        env=os.environ | {"NO_MKDOCS_2_WARNING": "1"},  # Material's notice, not a problem
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    api = (site / "api" / "nn" / "index.html").read_text()
    assert "matmul" in api and "blocks fixed by the shapes" in api  # docstrings rendered
    for page in ("getting-started", "parameters", "experiments", "reproducibility", "benchmarks"):
        assert (site / page / "index.html").is_file(), page


def test_params_yaml_s_comments_point_to_where_things_live():
    comments = [line for line in (REPO / "params.yaml").read_text().splitlines() if "#" in line]
    pointed = re.findall(r"\b(docs/[\w./-]+\.md|[\w-]+\.py)\b", "\n".join(comments))
    assert "docs/parameters.md" in pointed and "docs/experiments.md" in pointed
    for path in pointed:
        assert (REPO / path).exists() or list(REPO.glob(f"**/{path}")), path
    assert "README's" not in "\n".join(comments)  # its tables moved to docs/
