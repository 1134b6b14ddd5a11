"""Base class for neuron types whose equation takes a fresh noise sample each step.

The equation stays pure: the noise is one of its keyword arguments. In Nengo
core the sample comes from the simulator's seeded generator: ``make_state`` puts
the ``numpy.random.RandomState`` that Nengo's ``build_neurons`` seeds from the
ensemble's seed into the state (as ``nengo.neurons.StochasticSpiking`` does), so
two simulators with the same seed produce the same spikes and different seeds
differ. The generator is not a state variable: it is absent from ``state``,
from the state NamedTuple and therefore from Nengo's ``probeable``
(``("output",) + tuple(state)``).

Subclasses set ``sample_argument`` (the equation's keyword for the sample) and
implement ``noise_distribution()`` (a :class:`~nengo_snnext.equations.noise.NoiseDistribution`).
"""

import numpy as np

from nengo_snnext.equations.noise import scale_noise
from nengo_snnext.neurons._base import SpikingNeuronType


def sample_noise(rng, distribution, shape, dtype=np.float64):
    """Draw a sample of ``distribution`` of ``shape``, seeded by a ``numpy.random.RandomState``.

    Uniform samples come from ``rng`` itself. Gaussian ones come from a
    ``numpy.random.Generator`` seeded with one draw of ``rng``: its ziggurat
    normals cost about a third of ``RandomState``'s polar method (the largest
    cost of a 10,000-neuron step), and a seeded ``rng`` still gives the same
    samples.
    """
    if distribution.kind == "uniform":
        standard = rng.random_sample(shape)
    else:
        generator = np.random.Generator(np.random.PCG64(rng.randint(2**62)))
        standard = generator.standard_normal(shape)
    return np.asarray(scale_noise(standard, distribution), dtype=dtype)


class StochasticNeuronType(SpikingNeuronType):
    """A :class:`.SpikingNeuronType` fed with seeded noise at every step.

    ``sample_argument`` names the equation's keyword for the sample (the thesis
    symbol: ``"gamma"``, ``"epsilon"``).
    """

    sample_argument = None

    def noise_distribution(self):
        """The distribution of the sample passed to the equation."""
        raise NotImplementedError(f"{type(self).__name__} must define noise_distribution()")

    def make_state(self, n_neurons, rng=np.random, dtype=None):
        state = super().make_state(n_neurons, rng=rng, dtype=dtype)
        state["rng"] = rng
        return state

    def step_inputs(self, J, extras):
        rng = extras.get("rng", np.random)
        sample = sample_noise(rng, self.noise_distribution(), J.shape, dtype=J.dtype)
        return {self.sample_argument: sample}
