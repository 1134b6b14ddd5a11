"""The optional numba kernel of MIF/MIF2 equals the numpy step (skipped without numba)."""

import numpy as np
import pytest

pytest.importorskip("numba")

from nengo_snnext.backends.reference.mif import fast_hybrid_step  # noqa: E402
from nengo_snnext.backends.reference.mif_numba import numba_hybrid_step  # noqa: E402
from nengo_snnext.backends.reference.tests.test_mif import (  # noqa: E402
    TAU_OFF,
    TAU_ON,
    U_RESET,
    edge_states,
    typical_states,
)
from nengo_snnext.equations.mif import M2Parameters  # noqa: E402
from nengo_snnext.ops import NUMPY_OPS as xp  # noqa: E402


@pytest.mark.parametrize("states", [edge_states, typical_states])
@pytest.mark.parametrize("memristive", [True, False])
@pytest.mark.parametrize("m2", [False, True])
@pytest.mark.parametrize(
    "dt, tau_ref", [(1e-3, 1e-3), (1e-4, 1e-3), (5e-3, 1e-3), (1e-3, 0.0)]
)
def test_numba_step_equals_numpy_step(states, memristive, m2, dt, tau_ref):
    m2p = M2Parameters(-1.0, 50.0, 5000.0, 0.02, 0.1) if m2 else None
    params = dict(tau_off=TAU_OFF, tau_on=TAU_ON, u_reset=U_RESET, tau_ref=tau_ref,
                  memristive=memristive, m2=m2p)
    J, *state = states(np.random.RandomState(5), 1500, memristive=memristive, m2=m2,
                       tau_ref=max(tau_ref, 1e-3))
    for _ in range(12):
        a = fast_hybrid_step(xp, dt, J, *state, **params)
        b = numba_hybrid_step(xp, dt, J, *state, **params)
        np.testing.assert_array_equal(b.count, a.count)
        for name in ("u", "x", "ref", "x2"):
            # same libm: equal; numpy's own SIMD exp/log (AVX-512) differ from libm's in the
            # last bits, which the event times carry into u and ref (measured on an AVX-512
            # machine: up to 2.3e-13 relative, 26 ulp; ref within 1e-15 s of 0)
            np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=1e-11, atol=1e-15)
        state = [a.u, a.x, a.ref, a.x2]


def neuron_types():
    from nengo_snnext import MIF, MIF2

    return [MIF(), MIF(memristive=False), MIF2(), MIF2(memristive=False), MIF(tau_ref=0.0)]


@pytest.mark.parametrize("neuron_type", neuron_types(), ids=str)
@pytest.mark.parametrize("dt", [1e-3, 1e-4, 5e-3])
def test_numba_neuron_step_equals_the_equation_with_the_numba_kernel(neuron_type, dt,
                                                                     monkeypatch):
    """The fused numba step (``numba_volt_step``, the default with numba) does what the
    generic step does with the numba kernel, bit for bit, spikes and state."""
    from nengo_snnext.neurons._base import SpikingNeuronType

    monkeypatch.setenv("NENGO_SNNEXT_NUMBA", "1")
    rng = np.random.RandomState(2)
    n = 2000
    J = rng.uniform(-2, 60, size=n)  # below rheobase to past MIF's lock current
    fused = neuron_type.make_state(n, rng=np.random.RandomState(3), dtype=np.float64)
    generic = {name: value.copy() for name, value in fused.items()}
    out_fused, out_generic = np.zeros(n), np.zeros(n)
    spikes = 0
    for _ in range(40):
        neuron_type.step(dt, J, out_fused, **fused)
        SpikingNeuronType.step(neuron_type, dt, J, out_generic, **generic)
        np.testing.assert_array_equal(out_fused, out_generic)
        for name in fused:
            np.testing.assert_array_equal(fused[name], generic[name], err_msg=name)
        spikes += np.count_nonzero(out_fused)
    assert spikes > 1000


def test_numba_neuron_step_rejects_a_non_finite_current_and_keeps_the_state(monkeypatch):
    from nengo.exceptions import SimulationError
    from nengo_snnext import MIF2

    monkeypatch.setenv("NENGO_SNNEXT_NUMBA", "1")
    neuron_type = MIF2()
    state = neuron_type.make_state(50, rng=np.random.RandomState(3), dtype=np.float64)
    before = {name: value.copy() for name, value in state.items()}
    J = np.full(50, 2.0)
    J[7] = np.nan
    output = np.full(50, -1.0)
    with pytest.raises(SimulationError, match=r"non-finite input current J for neurons \[7\]"):
        neuron_type.step(1e-3, J, output, **state)
    for name in state:
        np.testing.assert_array_equal(state[name], before[name], err_msg=name)
    assert np.all(output == -1.0)


@pytest.mark.parametrize("case", ["float32", "strided", "2-D"])
def test_numba_neuron_step_leaves_other_arrays_to_the_generic_step(case, monkeypatch):
    """Arrays the fused step does not take (not 1-D contiguous float64) run the generic
    step: the same result as with numba switched off."""
    from nengo_snnext import MIF2

    neuron_type = MIF2()
    dtype = np.float32 if case == "float32" else np.float64
    n = 64
    J = np.linspace(0.5, 8.0, 2 * n if case == "strided" else n).astype(dtype)
    if case == "strided":
        J = J[::2]
    elif case == "2-D":
        J = J.reshape(8, 8)
    results = []
    for numba in ("1", "0"):
        monkeypatch.setenv("NENGO_SNNEXT_NUMBA", numba)
        state = {name: np.array(value, dtype=dtype).reshape(J.shape) for name, value in
                 neuron_type.make_state(n, rng=np.random.RandomState(3)).items()}
        output = np.zeros(J.shape, dtype=dtype)
        for _ in range(20):
            neuron_type.step(1e-3, J, output, **state)
        results.append((output.copy(), state))
    (out_a, state_a), (out_b, state_b) = results
    assert np.count_nonzero(out_a) > 0
    np.testing.assert_allclose(out_a, out_b, rtol=0, atol=0)
    for name in state_a:
        np.testing.assert_allclose(state_a[name], state_b[name], rtol=1e-11, atol=1e-15)


def test_a_subclass_with_its_own_numpy_equation_gets_the_generic_step(monkeypatch):
    from nengo_snnext import MIF2

    calls = []

    class Recorded(MIF2):
        def numpy_equation(self, dt, J, state, **params):
            calls.append(dt)
            return super().numpy_equation(dt, J, state, **params)

    monkeypatch.setenv("NENGO_SNNEXT_NUMBA", "1")
    neuron_type = Recorded()
    state = neuron_type.make_state(10, rng=np.random.RandomState(3), dtype=np.float64)
    neuron_type.step(1e-3, np.full(10, 3.0), np.zeros(10), **state)
    assert calls == [1e-3]
