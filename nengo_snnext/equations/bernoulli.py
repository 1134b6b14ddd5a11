"""Bernoulli spike source: at most one spike per step, with probability ``J dt``.

The discrete-time Poisson process of Brian2's ``PoissonGroup`` (``rand() <
rates * dt`` each step), which Diehl & Cook's code drives its input with: the
input ``J`` is the rate (Hz). The equation takes the step's uniform sample
``uniform`` (``U[0, 1)``, one per neuron) as an argument and stays pure; the
backends draw it (:mod:`nengo_snnext.neurons._stochastic`).
"""

from typing import NamedTuple


class BernoulliState(NamedTuple):
    """A Bernoulli source has no state."""


def bernoulli_step(xp, dt, J, state, *, uniform):
    """Spike (1) where ``uniform < J dt``: probability ``J dt``, clipped to ``[0, 1]``."""
    return xp.cast(uniform < J * dt, J), state


def bernoulli_rate(xp, J, *, dt):
    """Mean rate (Hz): ``J`` clipped to ``[0, 1 / dt]`` (at most one spike per step)."""
    return xp.minimum(xp.maximum(J, 0.0), 1.0 / dt)
