"""Trace-based STDP: one step of the traces and of the weights, written once with ``xp``.

Sign convention (the only one used in nengo-snnext): ``dt_spike = t_post - t_pre``.
A pair with ``dt_spike >= 0`` (pre before or with post) potentiates by
``a_plus exp(-dt_spike / tau_plus)``; a pair with ``dt_spike < 0`` depresses by
``a_minus exp(dt_spike / tau_minus)`` (Jiang eq. 6.8 with its depression term as
printed, a negative change). With traces: the presynaptic trace ``x_pre``
(``tau_plus``) is read at each postsynaptic spike, the postsynaptic trace
``x_post`` (``tau_minus``) at each presynaptic spike.

Within a step the presynaptic pathway runs first (Brian2's order in the seeds'
code): a pre and a post spike in the same step form a pair with ``dt_spike = 0``
and potentiate by ``a_plus`` (the pre trace already holds the new spike), and do
not depress (the post trace is read before the post spike is added).

Weights are ``(..., n_post, n_pre)`` like a Nengo connection's transform; every
other array is ``(..., n)``; spikes are 0/1 floats.
"""

from typing import Any, NamedTuple


class STDPTraces(NamedTuple):
    """Synaptic traces of :class:`nengo_snnext.STDP` (``post_slow``: triplet form)."""

    pre: Any  # (..., n_pre), time constant tau_plus
    post: Any  # (..., n_post), time constant tau_minus
    post_slow: Any  # (..., n_post), time constant tau_slow


def trace_step(xp, trace, spiked, *, decay, nearest):
    """Decay a trace by one step and add this step's spikes.

    ``nearest=True`` sets the trace to 1 at a spike (nearest-spike interaction,
    the Diehl & Cook code); ``False`` adds 1 (all-to-all pairs).
    """
    trace = trace * decay
    if nearest:
        return xp.where(spiked > 0, 1.0 + 0.0 * trace, trace)
    return trace + spiked


def weight_factors(xp, weights, *, bound, w_min, w_max, mu):
    """Weight dependence ``(f_plus, f_minus)`` multiplying potentiation and depression.

    ``"hard"``: 1 and 1 (clipping only); ``"soft"``: ``w_max - w`` and
    ``w - w_min``; ``"power"``: those to the power ``mu``.
    """
    if bound == "hard":
        return 1.0, 1.0
    up = xp.maximum(w_max - weights, 0.0)
    down = xp.maximum(weights - w_min, 0.0)
    if bound == "soft":
        return up, down
    return up**mu, down**mu


def stdp_delta(
    xp,
    weights,
    pre_spiked,
    post_spiked,
    pre,
    post_before,
    slow_before,
    *,
    a_plus,
    a_minus,
    triplet,
    bound,
    w_min,
    w_max,
    mu,
    published_sign,
    learning_rate,
):
    """The weight change of one step, given the step's traces (see :func:`stdp_step`).

    ``pre`` is the presynaptic trace after this step's decay and spikes;
    ``post_before`` and ``slow_before`` are the postsynaptic traces after the
    decay, before this step's spikes. The Nengo operator keeps the traces
    itself (in place) and calls this on the rows and columns with a spike.
    """
    potentiation = a_plus * post_spiked[..., :, None] * pre[..., None, :]
    if triplet:
        potentiation = potentiation * slow_before[..., :, None]
    sign = 1.0 if published_sign else -1.0
    pre_term = sign * a_minus * post_before[..., :, None] * pre_spiked[..., None, :]
    if bound == "hard":  # factors 1: the products would be identities
        change = potentiation + pre_term
    else:
        f_plus, f_minus = weight_factors(
            xp, weights, bound=bound, w_min=w_min, w_max=w_max, mu=mu
        )
        change = potentiation * f_plus + pre_term * f_minus
    if learning_rate != 1.0:
        change = learning_rate * change
    # minimum/maximum: numpy's clip with scalar bounds costs more than the arithmetic
    return xp.minimum(xp.maximum(weights + change, w_min), w_max) - weights


def stdp_step(
    xp,
    weights,
    pre_spiked,
    post_spiked,
    traces,
    *,
    decay_plus,
    decay_minus,
    decay_slow,
    nearest,
    **rule,
):
    """One step of trace STDP: ``(delta, STDPTraces)``.

    .. math::

        \\Delta w_{ij} = \\eta \\left[ A_+ \\, x^{pre}_j \\, (y^{post}_i)^{[triplet]}
            \\, f_+(w_{ij}) \\, s^{post}_i
            - A_- \\, x^{post}_i \\, f_-(w_{ij}) \\, s^{pre}_j \\right]

    with ``y^post`` the slow postsynaptic trace read *before* this step's post
    spike (Diehl & Cook's ``post2before``; only with ``triplet=True``).
    ``published_sign=True`` adds the pre-spike term instead of subtracting it,
    as the widely copied Brian2 port of Diehl & Cook (Jiang App. E) does: that
    rule never depresses. The new weight is clipped to ``[w_min, w_max]`` and
    ``delta`` is its difference from ``weights``. ``rule`` holds the keywords of
    :func:`stdp_delta` (``a_plus``, ``a_minus``, ``triplet``, ``bound``,
    ``w_min``, ``w_max``, ``mu``, ``published_sign``, ``learning_rate``).
    """
    pre = trace_step(xp, traces.pre, pre_spiked, decay=decay_plus, nearest=nearest)
    post_before = traces.post * decay_minus
    slow_before = traces.post_slow * decay_slow
    delta = stdp_delta(
        xp, weights, pre_spiked, post_spiked, pre, post_before, slow_before, **rule
    )
    post = trace_step(xp, traces.post, post_spiked, decay=decay_minus, nearest=nearest)
    slow = trace_step(xp, traces.post_slow, post_spiked, decay=decay_slow, nearest=nearest)
    return delta, STDPTraces(pre, post, slow)
