"""In-place numpy step of ConductanceLIF for Nengo core (same result, bit for bit).

:func:`nengo_snnext.equations.conductance_lif.conductance_lif_step` is written once
for every backend and returns new arrays: with numpy each call makes about 25
temporaries of ``n_neurons`` elements, and Nengo's generic step adds the
parameter dictionary, the state tuple and the copies back into the signals. At
Diehl & Cook's sizes (400 neurons) that per-call overhead, not the arithmetic,
is the cost.

:class:`ConductanceLIFStepper` runs the same operations, in the same order and
with the same scalars (the decay factors come from the equation module's own
functions), into preallocated buffers and the state signals themselves; the
spike-dependent updates (reset, ``theta + theta_plus``, refractory start) touch
only the neurons that spiked, where the equation computes ``x + s (y - x)`` with
``s`` 0 or 1 for every neuron: ``x + 0 (y - x)`` is ``x`` for finite values, so the
result is the same. ``tests/test_conductance_lif.py`` checks the two equal, bit
for bit, for both methods, both dtypes and refractory, spiking and inhibited
neurons.
"""

import numpy as np

from nengo_snnext.equations.conductance_lif import DECAYS
from nengo_snnext.ops import NUMPY_OPS


class ConductanceLIFStepper:
    """One ``dt`` step of ``n`` conductance LIF neurons, in place, with scratch buffers.

    ``params`` are the equation's keyword parameters
    (``ConductanceLIF.equation_params(dt)``). Calling the stepper with the
    input ``J`` and the state arrays (``ConductanceLIF.state`` order) updates the
    state in place and returns the indices of the neurons that spiked.
    """

    def __init__(self, dt, n, dtype, params):
        self.dt = dt
        self.p = dict(params)
        decay = DECAYS[params["method"]]
        # the equation multiplies by these values (same function, same scalars)
        self.decay_exc = decay(NUMPY_OPS, dt, params["tau_exc"])
        self.decay_inh = decay(NUMPY_OPS, dt, params["tau_inh"])
        self.decay_theta = decay(NUMPY_OPS, dt, params["tau_theta"])
        self.threshold = params["v_threshold"] - params["threshold_offset"]
        self.half_dt = 0.5 * dt
        self.g = np.empty(n, dtype=dtype)  # 1 + g_e + g_i, then the membrane factor
        self.v_inf = np.empty(n, dtype=dtype)
        self.tmp = np.empty(n, dtype=dtype)
        self.active = np.empty(n, dtype=bool)
        self.fired = np.empty(n, dtype=bool)

    def __call__(self, J, v, ge, gi, theta, ref):
        p, dt = self.p, self.dt
        g, v_inf, tmp, active, fired = self.g, self.v_inf, self.tmp, self.active, self.fired
        ref -= dt
        np.less(ref, self.half_dt, out=active)
        # v_inf = (v_rest + g_e e_exc + g_i e_inh) / (1 + g_e + g_i)
        np.multiply(ge, p["e_exc"], out=v_inf)
        v_inf += p["v_rest"]
        np.multiply(gi, p["e_inh"], out=tmp)
        v_inf += tmp
        np.add(ge, gi, out=g)
        g += 1.0
        v_inf /= g
        # the membrane factor of membrane_factor(): (dt (1 + g)) / tau
        if p["method"] == "euler":
            g *= dt
            g /= p["tau"]
            np.subtract(1.0, g, out=g)
        else:
            g *= -dt
            g /= p["tau"]
            np.exp(g, out=g)
        np.subtract(v, v_inf, out=tmp)
        tmp *= g
        tmp += v_inf
        np.copyto(v, tmp, where=active)
        ge *= self.decay_exc
        gi *= self.decay_inh
        theta *= self.decay_theta
        np.add(theta, self.threshold, out=tmp)
        np.greater(v, tmp, out=fired)
        fired &= active
        spiked = np.flatnonzero(fired)
        # this step's input: g_e += max(J, 0) dt, g_i += max(-J, 0) dt
        np.maximum(J, 0.0, out=tmp)
        tmp *= dt
        ge += tmp
        np.negative(J, out=tmp)
        np.maximum(tmp, 0.0, out=tmp)
        tmp *= dt
        gi += tmp
        np.maximum(ref, 0.0, out=ref)
        if spiked.size:
            v_s = v[spiked]
            v[spiked] = v_s + (p["v_reset"] - v_s)
            theta[spiked] += p["theta_plus"]
            ref_s = ref[spiked]
            ref[spiked] = ref_s + (p["tau_ref"] - ref_s)
        return spiked
