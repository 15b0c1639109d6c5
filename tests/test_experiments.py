"""signnet experiments: DVC's experiment rows as one line each, within the width (the pipeline
test runs the command on real experiments)."""

from signnet.experiments import table

PARAMS = ["download.image_size", "split.seed", "model.conv", "train.lr", "train.seed"]
BASE = {"download.image_size": 28.0, "split.seed": 42.0, "model.conv": "[]", "train.lr": 0.1}
METRICS = {"test.accuracy": 0.95, "test.worst": 0.75, "cv.accuracy": 0.945, "cv.accuracy_std": 0.02}


def row(experiment, rev, typ, **params):
    return {"Experiment": experiment, "rev": rev, "typ": typ, **METRICS, **BASE, **params}


def test_each_row_gives_its_metrics_and_the_params_it_changed_from_its_commit():
    rows = [
        row(None, "workspace", "baseline", **{"train.lr": 0.05}),
        row(None, "main", "baseline"),
        row("wide-cnn", "abc1234", "branch_base", **{"model.conv": "[16, 32, 64, 128]"}),
        row("no-cv", "def5678", "branch_base", **{"cv.accuracy": None, "train.seed": 3.0}),
    ]
    lines = table(rows, PARAMS, width=100).splitlines()
    assert lines[0].split() == ["experiment", "test", "worst", "CV", "±", "std", "changed"]
    workspace, main, cnn, no_cv = lines[1:]
    assert workspace.split() == ["workspace", "95.0%", "75.0%", "94.5%", "±", "2.0%", "lr=0.05"]
    assert main.split() == ["main", "95.0%", "75.0%", "94.5%", "±", "2.0%"]  # the commit itself
    assert cnn.endswith("conv=[16,32,64,128]")  # lists without spaces
    # A seed that two sections have keeps its section; a missing metric is a dash.
    assert no_cv.split()[3:] == ["-", "train.seed=3"]


def test_changes_wrap_within_the_width():
    many = {key: 7.0 for key in PARAMS}
    lines = table(
        [row(None, "main", "baseline"), row("all", "a1", "branch_base", **many)], PARAMS, 75
    )
    assert max(map(len, lines.splitlines())) <= 75
    assert len(lines.splitlines()) > 3  # the changes of "all" went on to further lines
    assert "split.seed=7" in lines and "image_size=7" in lines
