"""The event-driven numpy step of MIF/MIF2 equals the shared equation bit for bit."""

import nengo
import numpy as np
import pytest

from nengo_snnext import MIF, MIF2
from nengo_snnext.backends.reference.mif import fast_hybrid_step
from nengo_snnext.equations.mif import M2Parameters, hybrid_step, is_short_step
from nengo_snnext.equations.tests.test_mif import near_tie_states
from nengo_snnext.neurons._base import SpikingNeuronType
from nengo_snnext.ops import NUMPY_OPS as xp

TAU_OFF, TAU_ON, U_RESET = 2e-3, 2e-5, 1 / 22


def edge_states(rng, n, *, memristive, m2, tau_ref):
    """States with the edge cases: ``u`` at threshold and at ``u_reset``, ``J`` at
    rheobase and huge, refractory periods at ``tau_ref`` and nearly over."""
    J = np.where(rng.rand(n) < 0.5, rng.uniform(-1, 60, n), 10 ** rng.uniform(0, 8, n))
    J = np.where(rng.rand(n) < 0.05, 1.0, J)
    u = rng.uniform(-1, 1.2, n)
    u = np.where(rng.rand(n) < 0.1, 1.0, np.where(rng.rand(n) < 0.1, U_RESET, u))
    x = (rng.rand(n) < 0.3) * 1.0 if memristive else np.zeros(n)
    ref = np.where(rng.rand(n) < 0.5, 0.0, rng.uniform(0, tau_ref, n))
    ref = np.where(rng.rand(n) < 0.1, tau_ref, np.where(rng.rand(n) < 0.05, 1e-12, ref))
    x2 = rng.uniform(0, 1, n) if (m2 and memristive) else np.zeros(n)
    return J, u, x, ref, x2


def typical_states(rng, n, *, memristive, m2, tau_ref):
    """States of an NEF ensemble: mostly charging below threshold, some just below it."""
    J = rng.uniform(-2, 5, n)
    u = np.where(rng.rand(n) < 0.2, 1.0 - 10 ** rng.uniform(-16, -3, n), rng.uniform(0, 1, n))
    x = np.zeros(n)
    ref = np.where(rng.rand(n) < 0.15, rng.uniform(0, tau_ref, n), 0.0)
    x2 = rng.uniform(0, 0.5, n) if (m2 and memristive) else np.zeros(n)
    return J, u, x, ref, x2


def near_tie(rng, n, *, memristive, m2, tau_ref, dt, dtype):
    """Events within rounding of the step end (``equations/tests/test_mif.py``)."""
    return near_tie_states(rng, n, memristive=memristive, m2=m2, dt=dt, tau_ref=tau_ref,
                           dtype=dtype)


@pytest.mark.parametrize("states", [edge_states, typical_states, near_tie])
@pytest.mark.parametrize("memristive", [True, False])
@pytest.mark.parametrize("m2", [False, True])
@pytest.mark.parametrize(
    "dt, tau_ref", [(1e-3, 1e-3), (1e-4, 1e-3), (5e-4, 1e-3), (5e-3, 1e-3), (1e-3, 0.0)]
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fast_step_equals_shared_equation(states, memristive, m2, dt, tau_ref, dtype):
    m2p = M2Parameters(-1.0, 50.0, 5000.0, 0.02, 0.1) if m2 else None
    params = dict(tau_off=TAU_OFF, tau_on=TAU_ON, u_reset=U_RESET, tau_ref=tau_ref,
                  memristive=memristive, m2=m2p)
    rng = np.random.RandomState(5)
    more = dict(dt=dt, dtype=dtype) if states is near_tie else {}
    J, *state = [a.astype(dtype) for a in states(
        rng, 1500, memristive=memristive, m2=m2, tau_ref=max(tau_ref, 1e-3), **more)]
    short = is_short_step(dt, tau_on=TAU_ON, u_reset=U_RESET, tau_ref=tau_ref,
                          memristive=memristive)
    events = 0
    for _ in range(12):  # also the states the step itself produces
        ref = hybrid_step(xp, dt, J, *state, **params)
        fast = fast_hybrid_step(xp, dt, J, *state, **params)
        for name in ("count", "u", "x", "ref", "x2"):
            a, b = getattr(ref, name), getattr(fast, name)
            assert b.dtype == dtype
            np.testing.assert_array_equal(b, np.asarray(a, dtype=dtype), err_msg=name)
        events += int(fast.count.sum())
        state = [fast.u, fast.x, fast.ref, fast.x2]
    assert events > 0, "the states must exercise spikes"
    assert short or dt > tau_ref or not memristive


class SharedEquationMIF(MIF):
    """MIF stepped by the shared equation (``hybrid_step``) in Nengo core."""

    numpy_equation = SpikingNeuronType.numpy_equation


class SharedEquationMIF2(MIF2):
    """MIF2 stepped by the shared equation (``hybrid_step``) in Nengo core."""

    numpy_equation = SpikingNeuronType.numpy_equation


@pytest.mark.parametrize(
    "fast, shared",
    [(MIF(), SharedEquationMIF()), (MIF2(), SharedEquationMIF2()),
     (MIF2(memristive=False), SharedEquationMIF2(memristive=False))],
    ids=["MIF", "MIF2", "MIF2-frozen"],
)
@pytest.mark.parametrize("kernel", ["numpy", "numba"])
def test_nengo_step_equals_shared_equation(fast, shared, kernel, monkeypatch):
    """A NEF ensemble under a sine: same spikes and probed state with either step.

    The numpy kernel equals the shared equation bit for bit; the numba kernel (float64,
    the ``[numba]`` extra) gives the same spikes, and states within 1e-12 (per step within
    1e-11 relative: ``test_mif_numba.py``; here 300 steps accumulate)."""
    if kernel == "numba":
        pytest.importorskip("numba")
    monkeypatch.setenv("NENGO_SNNEXT_NUMBA", "1" if kernel == "numba" else "0")

    def run(neuron_type):
        with nengo.Network(seed=1) as net:
            stim = nengo.Node(lambda t: np.sin(2 * np.pi * 3 * t))
            ens = nengo.Ensemble(300, 1, neuron_type=neuron_type)
            nengo.Connection(stim, ens, synapse=None)
            probes = [nengo.Probe(ens.neurons, name) for name in ("output",) + tuple(fast.state)]
        with nengo.Simulator(net, progress_bar=False) as sim:
            sim.run(0.3)
        return [sim.data[p] for p in probes]

    a, b = run(fast), run(shared)
    assert a[0].sum() > 0
    np.testing.assert_array_equal(a[0], b[0])
    for x, y in zip(a[1:], b[1:]):
        if kernel == "numpy":
            np.testing.assert_array_equal(x, y)
        else:
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-12)  # 300 steps accumulate


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fast_step_with_array_parameters(dtype):
    """Parameters as 0-d arrays (not cached, and not a short step) give the shared result too.

    The arrays have the state's dtype: a float64 0-d array would promote float32
    states to float64 under numpy 2 (NEP 50), in both steps alike.
    """
    m2p = M2Parameters(*(np.array(v, dtype=dtype) for v in (-1.0, 50.0, 5000.0, 0.02, 0.1)))
    params = dict(tau_off=np.array(TAU_OFF, dtype=dtype), tau_on=np.array(TAU_ON, dtype=dtype),
                  u_reset=np.array(U_RESET, dtype=dtype), tau_ref=np.array(1e-3, dtype=dtype),
                  memristive=True, m2=m2p)
    J, *state = [a.astype(dtype) for a in typical_states(
        np.random.RandomState(3), 400, memristive=True, m2=True, tau_ref=1e-3)]
    for _ in range(4):
        ref = hybrid_step(xp, 1e-3, J, *state, **params)
        fast = fast_hybrid_step(xp, 1e-3, J, *state, **params)
        for name in ("count", "u", "x", "ref", "x2"):
            np.testing.assert_array_equal(getattr(fast, name), np.asarray(getattr(ref, name),
                                                                          dtype=dtype))
        state = [fast.u, fast.x, fast.ref, fast.x2]
