"""Bernoulli spike source: the input neurons of the Diehl & Cook network."""

import numpy as np

from nengo_snnext.equations.bernoulli import BernoulliState, bernoulli_rate, bernoulli_step
from nengo_snnext.equations.noise import uniform_noise
from nengo_snnext.neurons._stochastic import StochasticNeuronType


class BernoulliSpiking(StochasticNeuronType):
    """Spike with probability ``J dt`` per step (input ``J``: the rate in Hz).

    Brian2's ``PoissonGroup`` (one uniform draw per neuron and step compared
    with ``rate * dt``): at most one spike per step, so rates above ``1 / dt``
    saturate. Nengo's ``PoissonSpiking`` draws a Poisson count instead (the
    same mean; a little more variance and several spikes per step possible).
    Use ``gain=1, bias=0`` so that ``J`` is the rate.

    Parameters
    ----------
    amplitude : float
        Scaling of each output spike (a spike is ``amplitude / dt``).
    dt : float
        Simulator time step (s) assumed by ``rates``.
    """

    state = {}
    state_class = BernoulliState
    equation = staticmethod(bernoulli_step)
    rate_equation = staticmethod(bernoulli_rate)
    sample_argument = "uniform"
    # gain and bias do not depend on dt (the current is the rate): no dt-mismatch warning
    rates_depend_on_dt = False

    def noise_distribution(self):
        return uniform_noise(0.0, 1.0)

    def equation_params(self, dt):
        return {}

    def rate_params(self, dt, n_neurons=None):
        return {}

    def threshold_current(self, dt=None):
        return 0.0

    def current_for_rate(self, max_rates, dt):
        return np.asarray(max_rates, dtype=float)

    def step(self, dt, J, output, rng=np.random):
        """Nengo core step: the equation's comparison on one uniform draw (the same draw
        and result as the generic step), without its per-step overhead."""
        self.check_finite_input(J)
        uniform = rng.random_sample(J.shape)
        if uniform.dtype != J.dtype:  # the generic step casts the sample to J's dtype
            uniform = uniform.astype(J.dtype)
        output[...] = uniform < J * dt
        output *= self.amplitude / dt
        return None
