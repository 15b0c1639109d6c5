"""Write .dvc/plots/offline.html: DVC's plots page with the Vega libraries inlined, so that
`dvc plots show` draws its plots without a network (DVC's own page loads them from a CDN).

The libraries come from their npm packages, at the versions DVC's renderer asks the CDN for,
checked against the sha512 the npm registry publishes. `.dvc/config` points `plots.html_template`
at the page. Run this again only to change a version: python tools/offline_plots_template.py
"""

from __future__ import annotations

import base64
import tarfile
from pathlib import Path

import pooch

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / ".dvc" / "plots" / "offline.html"
# package -> (version, npm's dist.integrity, the minified build inside the package)
PACKAGES = {
    "vega": (
        "5.20.2",
        "sha512-qmH7aD9GGPpssVdxL1xgcdxTbQzyRUeRR16Os385ymvQhiwCYQNA6+eXUPAZDTVLfk0RXu6Jzj6kUE5jQ80EVw==",
        "package/build/vega.min.js",
    ),
    "vega-lite": (
        "5.2.0",
        "sha512-Yxcg8MvYfxHcG6BbkaKT0oVCIMIcE19UvqIsEwBmyd/7h2nzW7oRnID81T8UrY7hpDrIr6wa2JADOT2dhGNErw==",
        "package/build/vega-lite.min.js",
    ),
    "vega-embed": (
        "6.18.2",
        "sha512-wcDyQPE4J5aiCDc3/suH5RQDvrKkjuLkhzUcbOLwEkNF8/+pp17tS0JghzEvAPNRg+5aG1/N2ydixq8Lk3dOlg==",
        "package/build/vega-embed.min.js",
    ),
}
# DVC's page (dvc_render.html.PAGE_HTML) with the libraries inlined where its {scripts} went.
PAGE = """<!DOCTYPE html>
<html>
<head>
    {{refresh_tag}}
    <title>DVC Plot</title>
    <!-- {versions}, inlined from their npm packages by tools/offline_plots_template.py -->
{scripts}
    <style>
        table {{
            border-spacing: 15px;
        }}
    </style>
</head>
<body>
    {{plot_divs}}
</body>
</html>
"""


def library(name: str, version: str, integrity: str, member: str) -> str:
    """The minified library ``member`` of the npm package ``name@version``, checked."""
    sha512 = base64.b64decode(integrity.removeprefix("sha512-")).hex()
    tarball = pooch.retrieve(
        f"https://registry.npmjs.org/{name}/-/{name}-{version}.tgz",
        known_hash=f"sha512:{sha512}",
        progressbar=False,
    )
    with tarfile.open(tarball) as archive:
        return archive.extractfile(member).read().decode("utf-8")


def main() -> None:
    scripts = []
    for name, (version, integrity, member) in PACKAGES.items():
        code = library(name, version, integrity, member)
        if "</script" in code:
            raise SystemExit(f"{name}: its code holds '</script', which would end the tag")
        scripts.append(f"    <script>\n{code}\n    </script>")
    versions = ", ".join(f"{name} {version}" for name, (version, _, _) in PACKAGES.items())
    TEMPLATE.parent.mkdir(exist_ok=True)
    TEMPLATE.write_text(PAGE.format(versions=versions, scripts="\n".join(scripts)))
    print(f"wrote {TEMPLATE.relative_to(REPO)} ({TEMPLATE.stat().st_size:,} bytes; {versions})")


if __name__ == "__main__":
    main()
