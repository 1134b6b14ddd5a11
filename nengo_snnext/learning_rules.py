"""Spike-timing-dependent plasticity as a Nengo learning rule."""

import math

from nengo.exceptions import ValidationError
from nengo.learning_rules import LearningRuleType
from nengo.params import BoolParam, Default, EnumParam, NumberParam

from nengo_snnext.neurons._params import FiniteNumberParam


class STDP(LearningRuleType):
    """Trace-based spike-timing-dependent plasticity (pair or triplet), on weights.

    For ``nengo.Connection(pre.neurons, post.neurons, transform=W,
    learning_rule_type=STDP())``: ``W`` (``n_post x n_pre``) changes at every
    pre and post spike. Sign convention: ``dt_spike = t_post - t_pre``; for an
    isolated pair

    .. math::

        \\Delta w = \\begin{cases}
            \\eta A_+ e^{-\\Delta t / \\tau_+}, & \\Delta t \\ge 0 \\\\
            -\\eta A_- e^{\\Delta t / \\tau_-}, & \\Delta t < 0
        \\end{cases}

    (Jiang eq. 6.8, with the depression the thesis prints and its code lacks).
    Traces decay exactly (``exp(-dt / tau)`` per step); the equations are in
    :mod:`nengo_snnext.equations.stdp`, shared by the Nengo and NengoDL builders.

    ``form="triplet"`` multiplies potentiation by a slow postsynaptic trace
    (``tau_slow``) read just before the post spike: Diehl & Cook's
    ``w += nu_post * pre * post2before``. Weight dependence ``bound``:
    ``"hard"`` (clip to ``[w_min, w_max]``), ``"soft"`` (potentiation times
    ``w_max - w``, depression times ``w - w_min``) or ``"power"`` (those to the
    power ``mu``); the result is always clipped to the bounds. Spikes are
    detected as nonzero neuron output, so any ``amplitude`` works.

    The defaults are Diehl & Cook's code (``a_plus = 0.01`` on post spikes,
    ``a_minus = 0.0001`` on pre spikes, 20/20/40 ms traces set to 1 at a spike,
    ``w_max = 1``). Jiang's Table 6.3 swaps the two amplitudes (``A+ = 0.0001``,
    ``A- = 0.01``); pass them explicitly for that reading.

    Parameters
    ----------
    a_plus : float
        Potentiation amplitude (per post spike, times the pre trace).
    a_minus : float
        Depression amplitude (per pre spike, times the post trace).
    tau_plus : float
        Presynaptic trace time constant (s).
    tau_minus : float
        Postsynaptic trace time constant (s).
    tau_slow : float
        Slow postsynaptic trace time constant (s; triplet form).
    form : {"pair", "triplet"}
        Pair rule or Diehl & Cook's triplet potentiation.
    nearest : bool
        True: a spike sets its trace to 1 (nearest spike); False: adds 1.
    bound : {"hard", "soft", "power"}
        Weight dependence (see above).
    w_min, w_max : float
        Weight bounds; the initial weights must lie within them.
    mu : float
        Exponent of the power-law weight dependence.
    published_sign : bool
        True reproduces the published Brian2 port (Jiang App. E): the pre-spike
        term is *added*, so the rule never depresses. For comparison only.
    learning_rate : float
        Scales both amplitudes (no ``dt`` factor: amplitudes are per spike).

    Attributes
    ----------
    pre_trace, post_trace, post_slow_trace : probeable
        The traces (``sim.data`` keys of a ``nengo.Probe(conn.learning_rule, ...)``).
    delta : probeable
        The weight change of the step. Probe the weights themselves with
        ``nengo.Probe(conn, "weights")``.
    """

    modifies = "weights"
    probeable = ("delta", "pre_trace", "post_trace", "post_slow_trace")

    learning_rate = NumberParam("learning_rate", low=0, readonly=True, default=1.0)
    a_plus = FiniteNumberParam("a_plus", low=0, readonly=True, default=0.01)
    a_minus = FiniteNumberParam("a_minus", low=0, readonly=True, default=0.0001)
    tau_plus = FiniteNumberParam("tau_plus", low=0, low_open=True, readonly=True, default=0.02)
    tau_minus = FiniteNumberParam("tau_minus", low=0, low_open=True, readonly=True, default=0.02)
    tau_slow = FiniteNumberParam("tau_slow", low=0, low_open=True, readonly=True, default=0.04)
    form = EnumParam("form", values=("pair", "triplet"), readonly=True, default="triplet")
    nearest = BoolParam("nearest", readonly=True, default=True)
    bound = EnumParam("bound", values=("hard", "soft", "power"), readonly=True, default="hard")
    w_min = FiniteNumberParam("w_min", readonly=True, default=0.0)
    w_max = FiniteNumberParam("w_max", readonly=True, default=1.0)
    mu = FiniteNumberParam("mu", low=0, readonly=True, default=1.0)
    published_sign = BoolParam("published_sign", readonly=True, default=False)

    def __init__(
        self,
        a_plus=Default,
        a_minus=Default,
        tau_plus=Default,
        tau_minus=Default,
        tau_slow=Default,
        form=Default,
        nearest=Default,
        bound=Default,
        w_min=Default,
        w_max=Default,
        mu=Default,
        published_sign=Default,
        learning_rate=Default,
    ):
        super().__init__(learning_rate, size_in=0)
        self.a_plus = a_plus
        self.a_minus = a_minus
        self.tau_plus = tau_plus
        self.tau_minus = tau_minus
        self.tau_slow = tau_slow
        self.form = form
        self.nearest = nearest
        self.bound = bound
        self.w_min = w_min
        self.w_max = w_max
        self.mu = mu
        self.published_sign = published_sign
        if not self.w_min < self.w_max:
            raise ValidationError(
                f"w_min ({self.w_min:g}) must be below w_max ({self.w_max:g})",
                attr="w_min", obj=self,
            )

    def step_params(self, dt):
        """Keyword parameters of :func:`nengo_snnext.equations.stdp.stdp_step`."""
        return dict(
            decay_plus=math.exp(-dt / self.tau_plus),
            decay_minus=math.exp(-dt / self.tau_minus),
            decay_slow=math.exp(-dt / self.tau_slow),
            a_plus=self.a_plus,
            a_minus=self.a_minus,
            triplet=self.form == "triplet",
            nearest=self.nearest,
            bound=self.bound,
            w_min=self.w_min,
            w_max=self.w_max,
            mu=self.mu,
            published_sign=self.published_sign,
            learning_rate=self.learning_rate,
        )
