"""Base class for neuron types whose equation takes a fresh noise sample each step.

The equation stays pure: the noise is one of its keyword arguments. In Nengo
core the sample comes from the simulator's seeded generator: ``make_state`` puts
the ``numpy.random.RandomState`` that Nengo's ``build_neurons`` seeds from the
ensemble's seed into the state (as ``nengo.neurons.StochasticSpiking`` does), so
two simulators with the same seed produce the same spikes and different seeds
differ. The generator is not a state variable: it is absent from ``state``,
from the state NamedTuple and from ``probeable``.

Subclasses set ``noise_argument`` (the equation's keyword for the sample) and
implement ``noise_spec()`` (a :class:`~nengo_snnext.equations.noise.NoiseSpec`).
"""

import numpy as np
from nengo.exceptions import SimulationError

from nengo_snnext.equations.noise import scale_noise
from nengo_snnext.neurons._adapter import EquationNeuronType
from nengo_snnext.ops import NUMPY_OPS


def sample_noise(rng, spec, shape, dtype=np.float64):
    """Draw ``spec`` noise of ``shape`` from a ``numpy.random.RandomState``."""
    if spec.kind == "uniform":
        standard = rng.random_sample(shape)
    else:
        standard = rng.standard_normal(shape)
    return np.asarray(scale_noise(standard, spec), dtype=dtype)


class StochasticEquationNeuronType(EquationNeuronType):
    """An :class:`.EquationNeuronType` fed with seeded noise at every step."""

    noise_argument = "noise"

    def noise_spec(self):
        """The distribution of the sample passed to the equation."""
        raise NotImplementedError(f"{type(self).__name__} must define noise_spec()")

    @property
    def probeable(self):
        # the generator put into the state by make_state is not probeable
        return ("output",) + tuple(self.state)

    def make_state(self, n_neurons, rng=np.random, dtype=None):
        state = super().make_state(n_neurons, rng=rng, dtype=dtype)
        state["rng"] = rng
        return state

    def step(self, dt, J, output, rng=np.random, **state):
        if not np.all(np.isfinite(J)):
            bad = np.flatnonzero(~np.isfinite(J))
            raise SimulationError(
                f"{self}: non-finite input current J for neurons {bad[:10].tolist()}"
                f" (values {J[bad[:10]].tolist()}); check the connections and "
                "inputs feeding this ensemble"
            )
        noise = sample_noise(rng, self.noise_spec(), J.shape, dtype=J.dtype)
        current = self.state_class(**{name: state[name] for name in self.state})
        spikes, new_state = self.equation(
            NUMPY_OPS, dt, J, current,
            **{self.noise_argument: noise}, **self.equation_params(dt),
        )
        output[...] = spikes * (self.amplitude / dt)
        for name, value in zip(new_state._fields, new_state):
            state[name][...] = value
