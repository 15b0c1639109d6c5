"""What each robustness setting is worth: a configuration trained with all of them, then with
each one left out, then with none, each measured on its test photos changed as a person's photo
differs (signnet.pipeline.robustness, as the evaluate stage measures it).

Usage: python benchmarks/robustness_ablation.py {dense,cnn}

``dense`` is params.yaml's run (6 vs 8, 784-64-1); ``cnn`` the ten-digit CNN line of
docs/experiments.md. Each variant sets the robustness settings of references.ROBUST that
LEFT_OUT names (per-photo scaling, mirroring, blur, light jitter, sensor noise) or leaves one
group of them out; the CNN line's wider tilts and longer training stay in every CNN variant.
Each variant is trained on the pipeline's split of params.yaml (split.seed, split.test_fraction),
exactly as the train stage trains, and measured on its test part; no cross-validation (a CNN
variant takes minutes). Results
go to benchmarks/results/robustness_<config>.json, whose table docs/benchmarks.md shows; the
record keeps the configuration's name and each variant's settings (signnet.report.ablation.SECTIONS
of its params), by which the report finds the variant a run is.
"""

from __future__ import annotations

import signnet.cpu  # noqa: F401  (first: pins OpenBLAS and NumPy's dispatch before NumPy loads)

import argparse
import logging

import results
import robustness
from departures import with_keys
from references import REFERENCES, REPO, ROBUST

from signnet.data.subset import select_classes
from signnet.nn.backend import fixed_threads
from signnet.params import load_params
from signnet.pipeline.download import load_photos, photo_files
from signnet.pipeline.robustness import measure_robustness
from signnet.pipeline.split import split_dataset
from signnet.pipeline.train import train_network
from signnet.report import ablation

# The robustness settings, each a group of keys that one variant leaves out (to the values given
# here), among the keys of references.ROBUST.
LEFT_OUT = {
    "per-photo scaling": {"split.scaling": "standardize"},
    "mirroring": {"train.augment_mirror": 0.0},
    "blur": {"train.augment_blur": 0.0},
    "light jitter": {"train.augment_brightness": 0.0, "train.augment_contrast": 0.0},
    "noise": {"train.augment_noise": 0.0},
}
# Each configuration as dotted keys over params.yaml: the dense default, and the ten-digit CNN
# line of docs/experiments.md.
CONFIGS = {
    "dense": {},
    "cnn": {
        f"{section}.{key}": value
        for section, keys in next(
            r for r in REFERENCES if r.name == "ten digits, CNN"
        ).overrides.items()
        for key, value in keys.items()
    },
}


def variants() -> dict[str, dict]:
    """Label -> the dotted keys each variant sets over the configuration: all the robustness
    settings (references.ROBUST), each group left out, none."""
    on = {f"{s}.{k}": v for s, keys in ROBUST.items() for k, v in keys.items()}
    on = {k: v for k, v in on.items() if any(k in group for group in LEFT_OUT.values())}
    off = {k: v for group in LEFT_OUT.values() for k, v in group.items()}
    runs = {ablation.ALL: on}
    runs |= {ablation.WITHOUT + name: on | keys for name, keys in LEFT_OUT.items()}
    return runs | {ablation.NONE: off}


def markdown(record: dict) -> str:
    """The table of benchmarks/robustness.py, accuracies only (a column per variant)."""
    return robustness.markdown(record, intervals=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", choices=sorted(CONFIGS))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    output = REPO / "benchmarks" / "results" / f"robustness_{args.config}.json"
    base = with_keys(load_params(REPO / "params.yaml"), CONFIGS[args.config])
    photos = photo_files(base.download, REPO)
    dataset = select_classes(load_photos(base.download, root=REPO)[0], list(base.filter.classes))
    rows, settings = [], {}
    for label, keys in variants().items():
        params = with_keys(base, keys)
        settings[label] = ablation.settings(params)
        extra = {"config": args.config, "variants": settings}
        split = params.split
        train, test, preprocessing = split_dataset(
            dataset, split.test_fraction, split.scaling, split.seed
        )
        with fixed_threads():  # the stages' thread count: the train and evaluate stages' bytes
            result = train_network(
                train, test, preprocessing, params.model, params.train, progress=False
            )
            record, _ = measure_robustness(result.model, test, photos)
        for row in record["changes"]:
            print(f"{label}: {row['change']}: {row['accuracy']:.1%}", flush=True)
        rows += [{"run": label, **row} for row in record["changes"]]
        results.save(output, rows, **extra)  # kept as it grows: a variant takes minutes
    print(markdown(results.save(output, rows, **extra)))


if __name__ == "__main__":
    main()
