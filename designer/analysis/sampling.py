"""Random draws from the three-point estimates: the one PERT-Beta sampler and the seeds.

The Monte Carlo (`simulation.pert_samples`, a row of iterations per task) and the run engine
(one attempt at a time, `attempt_outcome`) draw durations with the same function, so a task
follows one distribution whichever of them asks, and a seed means the same thing to both.
"""

from __future__ import annotations

from typing import overload

import numpy as np
from numpy.typing import NDArray

from .model import Task

SEED_LIMIT = 2**32  # seeds drawn for the user stay short enough to read back and type in


def new_seed() -> int:
    """A fresh seed for a simulation or a run that was not given one."""
    return int(np.random.SeedSequence().entropy % SEED_LIMIT)  # type: ignore[operator]


@overload
def pert_beta(
    rng: np.random.Generator, optimistic: float, likely: float, pessimistic: float
) -> float: ...
@overload
def pert_beta(
    rng: np.random.Generator, optimistic: float, likely: float, pessimistic: float, size: int
) -> NDArray[np.float64]: ...
def pert_beta(
    rng: np.random.Generator,
    optimistic: float,
    likely: float,
    pessimistic: float,
    size: int | None = None,
) -> float | NDArray[np.float64]:
    """One duration (or `size` of them) from PERT-Beta: o + (p − o)·Beta(α, β) with
    α = 1 + 4(m − o)/(p − o), β = 1 + 4(p − m)/(p − o). An estimate with o = p is a constant
    and draws nothing from `rng`, so the draws after it do not shift."""
    width = pessimistic - optimistic
    if width <= 0:
        return likely if size is None else np.full(size, likely)
    alpha = 1 + 4 * (likely - optimistic) / width
    beta = 1 + 4 * (pessimistic - likely) / width
    if size is None:
        return float(optimistic + width * rng.beta(alpha, beta))
    draws = rng.beta(alpha, beta, size)
    draws *= width  # in place: no temporaries the size of the draws
    draws += optimistic
    return draws


def attempt_outcome(seed: int, position: int, attempt: int, task: Task) -> tuple[float, bool]:
    """An attempt's duration in time units and whether it fails, drawn from its own stream
    of the run's seed (the task's position, the attempt's number): a restarted engine, or a
    recovery, draws the same again."""
    rng = np.random.default_rng([seed, position, attempt])
    estimate = task.duration
    units = pert_beta(rng, estimate.optimistic, estimate.likely, estimate.pessimistic)
    return units, bool(rng.random() < task.failure_rate)
