"""Write the project's Vega-Lite templates for `dvc plots` into .dvc/plots/, each derived from
the DVC template it changes (dvc_render's, of the pinned version), so that a DVC upgrade is one
rerun away.

Usage: python tools/vega_templates.py [--check]

- ``curves``: DVC's ``simple`` line plot with train and test told apart by colour, with a
  legend, and revisions by the line's dash (DVC colours by revision and dashes by field, so
  the train and test curves of one run come out in one colour).
- ``confusion_counts``: DVC's ``confusion`` matrix with its counts shown from the start (DVC
  hides them behind a checkbox).

With --check, nothing is written: the exit status says whether the committed templates are the
ones this writes (tests/test_dvc_yaml.py runs it).
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

from dvc_render.vega_templates import ConfusionTemplate, SimpleLinearTemplate

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / ".dvc" / "plots"  # where DVC looks for a template named in dvc.yaml


def curves() -> dict:
    content = copy.deepcopy(SimpleLinearTemplate.DEFAULT_CONTENT)
    encoding = content["encoding"]
    # DVC names each curve by its field in the plotted file (train_loss, test_loss, ...).
    encoding["color"] = {"field": "field", "type": "nominal", "title": "curve"}
    encoding["strokeDash"] = {"field": "rev", "type": "nominal", "title": "revision"}
    return content


def confusion_counts() -> dict:
    content = copy.deepcopy(ConfusionTemplate.DEFAULT_CONTENT)
    [show] = [p for p in content["params"] if p["name"] == "showValues"]
    show["value"] = True
    return content


TEMPLATES = {"curves": curves, "confusion_counts": confusion_counts}


def rendered() -> dict[Path, str]:
    """Each template's file and its text."""
    return {
        FOLDER / f"{name}.json": json.dumps(make(), indent=2) + "\n"
        for name, make in TEMPLATES.items()
    }


def main(argv: list[str]) -> int:
    files = rendered()
    stale = [path for path, text in files.items() if not path.exists() or path.read_text() != text]
    if "--check" in argv:
        for path in stale:
            print(f"{path.relative_to(REPO)} is stale: run python tools/vega_templates.py")
        return 1 if stale else 0
    FOLDER.mkdir(parents=True, exist_ok=True)
    for path in stale:
        path.write_text(files[path])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
