"""Noise-trained LIF (Jiang 2022, ch. 4): one source of truth.

Thesis reference: eqs. 4.4-4.9 and App. C; see
``shared/spec/jiang-phd-thesis.md`` sections 1.7, 5.2 and 5.3.

The neuron adds a bounded noise ``N`` to its input and fires on ``H > V_th``
with a hard reset to 0:

- single step (eq. 4.5, ``temporal=False``): ``N = beta + r / 2`` with
  ``r = eps / max|eps|`` the max-normalised raw noise, so ``N`` lies in
  ``[beta - 1/2, beta + 1/2]`` (``[0, 1]`` with mean 0.5 for the thesis'
  ``beta = 0.5``). No state enters the step.
- temporally coupled multi-step (eqs. 4.6-4.9, ``temporal=True``):
  ``N = A_hat / (alpha max|A_hat|) + beta + (1/2 - 1/alpha) r`` with
  ``A_hat = (A - mean A) / std A`` and ``A = lambda V_{t-1}``. The coupling term
  lies in ``beta +/- 1/alpha`` and ``N' = (1/2 - 1/alpha) r`` in
  ``+/- (1/2 - 1/alpha)``, so ``N`` stays in ``[beta - 1/2, beta + 1/2]``.

The normalisations (``max``, ``mean``, ``std``) reduce over the **last axis
only**, the neurons of one ensemble at one step, with ``keepdims``; a leading
minibatch axis (NengoDL) is kept apart. The thesis normalises over a whole
batch-by-layer tensor, which couples the samples of a minibatch and is not
causal per sample; per ensemble and per step is what a Nengo ensemble can do.
With this reduction axis the raw noise's distribution (Gaussian or uniform)
still matters after normalisation: ``max|eps|`` grows with the ensemble size for
Gaussian noise, so the spread of ``r`` shrinks with it (the thesis' tensor-size
dependence, spec 1.7).

``lambda`` of eq. 4.7 cancels: ``A_hat`` is invariant to a positive scale of
``A``, so the equations use ``A = V`` and the neuron has no time constant.

The raw noise sample ``eps`` (standard normal, or ``U[-1, 1]``) is an argument;
see :func:`raw_noise_distribution`.
"""

from typing import Any, NamedTuple

from nengo_snnext.equations.lif import heaviside
from nengo_snnext.equations.noise import gaussian_noise, uniform_noise
from nengo_snnext.equations.tabulated import evaluate

NOISY_LIF_NOISES = ("gaussian", "uniform")

# the thesis code's guard against division by zero (App. C)
NORMALISATION_EPS = 1e-17
# a spread below this fraction of the membranes' magnitude is rounding noise of
# the mean (e.g. equal membranes), not a spread; see standardise()
RESOLUTION = 1e-12


class NoisyLIFState(NamedTuple):
    """State of :class:`.NoisyLIF` (same order as ``state``)."""

    voltage: Any


def raw_noise_distribution(kind):
    """The raw noise ``eps`` before max-normalisation: ``N(0, 1)`` or ``U[-1, 1]``.

    Uniform noise is centred like the Gaussian, so that both go through the
    same normalisation ``eps / max|eps|`` and give ``r`` in ``[-1, 1]``.
    """
    return {"gaussian": gaussian_noise(1.0), "uniform": uniform_noise(-1.0, 1.0)}[kind]


def max_normalise(xp, x):
    """``x / max|x|`` over the last axis (``[-1, 1]``; the maximum gets +/-1)."""
    peak = xp.reduce_max(xp.abs(x), axis=-1, keepdims=True)
    return x / (peak + NORMALISATION_EPS)


def standardise(xp, x):
    """``(x - mean) / std`` over the last axis (population std, eq. 4.8).

    The thesis adds 1e-17 to the std. Equal membranes (mean not exactly
    representable) leave a spread of about 1e-17 of rounding noise, which the
    thesis would standardise to order 1; here the std also gets
    ``RESOLUTION * max|x|``, so such a population standardises to about 0.
    """
    mean = xp.reduce_mean(x, axis=-1, keepdims=True)
    centred = x - mean
    std = xp.sqrt(xp.reduce_mean(centred * centred, axis=-1, keepdims=True))
    scale = xp.reduce_max(xp.abs(x), axis=-1, keepdims=True)
    return centred / (std + NORMALISATION_EPS + RESOLUTION * scale)


def noise_half_width(alpha, temporal):
    """Half-width ``w`` of the independent part ``N' = w r``: 1/2 or 1/2 - 1/alpha."""
    return 0.5 - 1.0 / alpha if temporal else 0.5


def noisy_lif_noise(xp, state, *, epsilon, alpha, beta, temporal):
    """The added noise ``N`` of eq. 4.5 (single step) or eqs. 4.6-4.9 (temporal).

    .. math::

        r &= \\epsilon / \\max|\\epsilon| \\\\
        N &= \\beta + r / 2 \\quad \\text{(single step)} \\\\
        \\hat{A} &= (V_{t-1} - \\mu_V) / \\sigma_V, \\quad
        N = \\frac{\\hat{A}}{\\alpha \\max|\\hat{A}|} + \\beta
            + \\left(\\tfrac{1}{2} - \\tfrac{1}{\\alpha}\\right) r
            \\quad \\text{(temporal)}

    with the reductions over the last (neuron) axis. ``epsilon`` is the raw
    noise sample ``eps``.
    """
    r = max_normalise(xp, epsilon)
    if not temporal:
        return beta + 0.5 * r
    a_hat = standardise(xp, state.voltage)
    # max|A_hat| >= 1 for any standardised vector (its rms is 1), so the floor
    # at 1 only acts where standardise() found no spread (then coupling ~ 0)
    peak = xp.maximum(xp.reduce_max(xp.abs(a_hat), axis=-1, keepdims=True), 1.0)
    coupling = a_hat / (alpha * peak)
    return coupling + beta + noise_half_width(alpha, temporal) * r


def noisy_lif_step(
    xp, dt, J, state, *, epsilon, alpha, beta, threshold, temporal, spike=heaviside
):
    """One step of the noise-trained LIF (eqs. 4.5-4.9 with 4.2-4.3).

    .. math::

        H_t &= N_t + J_t \\\\
        S_t &= [H_t > V_{th}] \\\\
        V_t &= H_t (1 - S_t)

    ``N_t`` from :func:`noisy_lif_noise`. Returns ``(spikes, NoisyLIFState)``.
    """
    del dt  # one call is one thesis step; the neuron has no time constant
    H = noisy_lif_noise(
        xp, state, epsilon=epsilon, alpha=alpha, beta=beta, temporal=temporal
    ) + J
    S = spike(xp, H - threshold)
    return S, NoisyLIFState(H * (1.0 - S))


def noisy_lif_uniform_probability(xp, J, *, beta, threshold, n_neurons):
    """Exact single-step firing probability with uniform raw noise.

    With ``eps ~ U[-1, 1]`` and max-normalisation over ``n`` neurons, ``r`` is
    ``U[-1, 1]`` with probability ``1 - 1/n`` and ``+1`` or ``-1`` (the
    maximum) with probability ``1/(2n)`` each, so

    .. math::

        P(S = 1) = \\left(1 - \\tfrac{1}{n}\\right)
            \\mathrm{clip}(J + \\beta + \\tfrac{1}{2} - V_{th}, 0, 1)
            + \\tfrac{1}{2n}\\left([J + \\beta + \\tfrac{1}{2} > V_{th}]
            + [J + \\beta - \\tfrac{1}{2} > V_{th}]\\right)

    which tends to ``clip(J, 0, 1)`` (spec 5.2) for ``beta = 0.5``, ``V_th = 1``
    and large ensembles.
    """
    top = J + beta + 0.5 - threshold
    bottom = J + beta - 0.5 - threshold
    atoms = xp.cast(top > 0, J) + xp.cast(bottom > 0, J)
    return (1.0 - 1.0 / n_neurons) * xp.clip(top, 0.0, 1.0) + atoms / (2.0 * n_neurons)


def noisy_lif_single_step_rate(xp, J, *, dt, continuous_cdf, atom, beta, threshold):
    """Single-step rate (Hz) ``P(beta + r / 2 + J > V_th) / dt`` from the law of ``r``.

    ``r = eps / max|eps|`` over an ensemble of ``n`` neurons is ``+1`` or ``-1``
    (the neuron holds the maximum) with probability ``atom = 1 / (2n)`` each and
    otherwise continuous with CDF ``continuous_cdf`` (a tabulated
    :class:`~nengo_snnext.equations.tabulated.PiecewisePolynomial`, exact and
    linear for uniform ``eps``; see ``neurons/_noisy_lif_rates.py``):

    .. math::

        P(S = 1) = 1 - P(r \\le t), \\qquad t = 2 (V_{th} - \\beta - J)
    """
    t = 2.0 * (threshold - beta - J)
    cdf = evaluate(xp, t, continuous_cdf) + atom * xp.cast(t >= -1.0, t)
    cdf = xp.where(t >= 1.0, 1.0 + 0.0 * t, cdf)
    return (1.0 - cdf) / dt
