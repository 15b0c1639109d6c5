"""Learning-rate schedules: each one object with its factor and its description;
:data:`SCHEDULES` is the one table of them."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class Schedule:
    """``factor(epoch, epochs)`` multiplies the optimizer's initial rate in epoch ``epoch``
    (from 1) of ``epochs``; ``equation`` is the rate of epoch e in TeX (η_e from η, e and E), None
    when the rate is constant."""

    name: str
    factor: Callable[[int, int], float]
    equation: str | None


CONSTANT = Schedule("constant", lambda epoch, epochs: 1.0, None)
COSINE = Schedule(
    "cosine",
    lambda epoch, epochs: 0.5 * (1.0 + math.cos(math.pi * (epoch - 1) / epochs)),
    r"\eta_e = \tfrac{1}{2}\,\eta\,\left(1 + \cos\dfrac{\pi (e - 1)}{E}\right)",
)

SCHEDULES: dict[str, Schedule] = {s.name: s for s in (CONSTANT, COSINE)}
