"""What each robustness setting is worth: a configuration trained with all of them, then with
each one left out, then with none, each measured on its test photos changed as a person's photo
differs (signnet.pipeline.robustness, as the evaluate stage measures it).

Usage: python benchmarks/robustness_ablation.py {dense,cnn}

``dense`` is params.yaml's run (6 vs 8, 784-64-1); ``cnn`` the ten-digit CNN line of
docs/experiments.md (ROBUST_CNN). Both take the robustness settings of ROBUST: per-photo scaling,
mirroring, blur, light jitter (brightness and contrast) and sensor noise. Each variant is trained on
the pipeline's split of params.yaml (split.seed, split.test_fraction), exactly as the train stage
trains, and measured on its test part; no cross-validation (a CNN variant takes minutes). Results
go to benchmarks/results/robustness_<config>.json, whose table docs/benchmarks.md shows.
"""

from __future__ import annotations

import signnet.cpu  # noqa: F401  (first: pins OpenBLAS and NumPy's dispatch before NumPy loads)

import argparse
import logging

import results
from departures import with_keys
from references import REPO
from robustness import markdown

from signnet.data.subset import select_classes
from signnet.params import load_params
from signnet.pipeline.download import load_photos, photo_files
from signnet.pipeline.robustness import measure_robustness
from signnet.pipeline.split import split_dataset
from signnet.pipeline.train import train_network

# The robustness settings, each a group of keys that one variant leaves out (to the value after).
ROBUST = {
    "per-photo scaling": ({"split.scaling": "photo"}, {"split.scaling": "standardize"}),
    "mirroring": ({"train.augment_mirror": 0.5}, {"train.augment_mirror": 0.0}),
    "blur": ({"train.augment_blur": 1.0}, {"train.augment_blur": 0.0}),
    "light jitter": (
        {"train.augment_brightness": 0.4, "train.augment_contrast": 0.3},
        {"train.augment_brightness": 0.0, "train.augment_contrast": 0.0},
    ),
    "noise": ({"train.augment_noise": 4.0}, {"train.augment_noise": 0.0}),
}
# The ten-digit CNN line of docs/experiments.md, without the robustness settings above.
ROBUST_CNN = {
    "filter.classes": list(range(10)),
    "download.image_size": 48,
    "model.conv": [16, 32, 64, 128],
    "model.hidden": [128],
    "model.dropout": 0.3,
    "model.batch_norm": True,
    "model.activation": "relu",
    "model.init": "he",
    "model.dtype": "float32",
    "train.optimizer": "adam",
    "train.lr": 0.002,
    "train.epochs": 80,
    "train.augment_shift": 0.1,
    "train.augment_rotation": 20.0,
    "train.augment_scale": 0.1,
    "train.schedule": "cosine",
}
CONFIGS = {"dense": {}, "cnn": ROBUST_CNN}


def variants() -> dict[str, dict]:
    """Label -> the keys of the robustness settings for each variant: all, each one left out,
    none."""
    on = {k: v for keys, _ in ROBUST.values() for k, v in keys.items()}
    off = {k: v for _, keys in ROBUST.values() for k, v in keys.items()}
    runs = {"all": on}
    runs |= {f"without {name}": on | left for name, (_, left) in ROBUST.items()}
    return runs | {"none": off}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", choices=sorted(CONFIGS))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    output = REPO / "benchmarks" / "results" / f"robustness_{args.config}.json"
    base = with_keys(load_params(REPO / "params.yaml"), CONFIGS[args.config])
    photos = photo_files(base.download, REPO)
    dataset = select_classes(load_photos(base.download, root=REPO)[0], list(base.filter.classes))
    rows = []
    for label, keys in variants().items():
        params = with_keys(base, keys)
        split = params.split
        train, test, preprocessing = split_dataset(
            dataset, split.test_fraction, split.scaling, split.seed
        )
        model = train_network(train, test, preprocessing, params.model, params.train).model
        record, _ = measure_robustness(model, test, photos)
        for row in record["changes"]:
            print(f"{label}: {row['change']}: {row['accuracy']:.1%}", flush=True)
        rows += [{"run": label, **row} for row in record["changes"]]
        results.save(output, rows)  # kept as it grows: a CNN variant takes minutes
    print(markdown(results.save(output, rows)))


if __name__ == "__main__":
    main()
