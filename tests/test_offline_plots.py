"""`dvc plots show` draws offline: DVC's page template with the Vega libraries inlined."""

import configparser
import importlib.util
import re

from tests.conftest import REPO


def tool():
    """tools/offline_plots_template.py, the script that writes the page, as a module."""
    path = REPO / "tools" / "offline_plots_template.py"
    spec = importlib.util.spec_from_file_location("offline_plots_template", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_dvc_config_points_at_the_offline_page():
    config = configparser.ConfigParser()
    config.read(REPO / ".dvc" / "config")
    assert config["plots"]["html_template"] == "plots/offline.html"


def test_the_offline_page_inlines_the_pinned_libraries_and_loads_nothing():
    page = (REPO / ".dvc" / "plots" / "offline.html").read_text()
    assert "{plot_divs}" in page and "{refresh_tag}" in page  # DVC fills these
    assert "{scripts}" not in page  # where DVC would put its CDN script tags
    assert "<script src" not in page
    packages = tool().PACKAGES
    versions = ", ".join(f"{name} {version}" for name, (version, _, _) in packages.items())
    assert f"<!-- {versions}, inlined from their npm packages" in page
    assert len(re.findall(r"<script>\n", page)) == len(packages)
