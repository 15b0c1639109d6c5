"""Write src/signnet/canary.json: the canary's fingerprints on this machine, as the committed
results were computed.

Usage: python tools/canary.py

Run it on the machine that writes the committed dvc.lock, when a pinned version (NumPy, OpenBLAS)
or the canary's operations change, and commit it with dvc.lock. It refuses where signnet's pins do
not hold (a CPU below x86-64-v3, another BLAS, NumPy loaded first): such a machine does not
compute what the contract promises. See signnet.canary and docs/reproducibility.md.
"""

from __future__ import annotations

import signnet.cpu  # noqa: F401  (first: pins OpenBLAS and NumPy before NumPy loads)
from signnet.cpu import pin_failure

import json
import sys
from pathlib import Path

from signnet.canary import REFERENCE, record

TARGET = Path(__file__).resolve().parents[1] / "src" / "signnet" / REFERENCE


def main() -> int:
    if failure := pin_failure():
        print(f"tools/canary.py: refused, signnet's pins do not hold: {failure}", file=sys.stderr)
        return 1
    TARGET.write_text(json.dumps(record(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
