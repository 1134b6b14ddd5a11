"""Helpers of unsupervised STDP networks (Diehl & Cook 2015; Jiang ch. 6).

- :func:`normalize_weights`: each postsynaptic neuron's input weights summed to a
  target (Diehl & Cook's column sum 78; Jiang eq. 6.9 reads ``beta N_pre``).
- :func:`lateral_inhibition`: excitatory -> inhibitory one-to-one, inhibitory ->
  excitatory all-but-self.
- :class:`PoissonImageInput`: Poisson input neurons whose rates are
  ``intensity / 4`` Hz per pixel value (0-255) at the default input intensity, and
  :meth:`PoissonImageInput.present`, the "fewer than 5 spikes: raise the intensity
  and present again" loop with its rest periods.
- :func:`assign_labels` and :func:`classify`: label each neuron with the class it
  answers most, classify by the highest mean response per class.
"""

from typing import NamedTuple

import nengo
import numpy as np
from nengo.exceptions import ValidationError

from nengo_snnext.neurons.bernoulli import BernoulliSpiking


def normalize_weights(weights, target=78.0):
    """Scale each row (one postsynaptic neuron) of ``weights`` to sum to ``target``.

    ``weights`` is ``(n_post, n_pre)`` like a Nengo transform (Brian's ``XeAe``
    transposed, so Diehl & Cook's column sums are our row sums). Rows that sum to
    zero stay zero.
    """
    weights = np.asarray(weights, dtype=float)
    sums = weights.sum(axis=-1, keepdims=True)
    scale = np.divide(target, sums, out=np.zeros_like(sums), where=sums != 0)
    return weights * scale


def normalize_connection(sim, conn, target=78.0):
    """:func:`normalize_weights` on the live weights of ``conn`` in ``nengo.Simulator`` ``sim``.

    The connection must learn (Nengo keeps fixed weights read-only).
    """
    weights = sim.signals[sim.model.sig[conn]["weights"]]
    if not weights.flags.writeable:
        raise ValidationError(
            f"{conn} has fixed (read-only) weights in the simulator; normalisation is for "
            "learned connections (give it a learning_rule_type, e.g. nengo_snnext.STDP())",
            attr="weights", obj=conn,
        )
    weights[...] = normalize_weights(weights, target)


class LateralInhibition(NamedTuple):
    """The connections of :func:`lateral_inhibition`."""

    exc_to_inh: nengo.Connection  # one-to-one (element-wise)
    inh_to_total: nengo.Connection  # every inhibitory spike into one sum
    total_to_exc: nengo.Connection  # the sum, times -inh_to_exc, onto every excitatory neuron
    self_excluded: nengo.Connection  # +inh_to_exc from each partner: "all but self"

    def inh_to_exc_matrix(self):
        """The effective ``(n_exc, n_inh)`` inhibitory weight matrix."""
        total = np.asarray(self.total_to_exc.transform.init) @ np.asarray(
            self.inh_to_total.transform.init
        )
        return total + self.self_excluded.transform.init * np.eye(len(total))


def lateral_inhibition(exc, inh, *, exc_to_inh=10.4, inh_to_exc=17.0):
    """Wire Diehl & Cook's lateral inhibition (call inside a network).

    Excitatory neuron ``i`` excites inhibitory neuron ``i`` (weight
    ``exc_to_inh``, no synapse: the conductance jumps in the step of the spike);
    every inhibitory neuron inhibits every excitatory neuron but its partner
    (weight ``-inh_to_exc``, one-step delay: ``synapse=0`` breaks the E->I->E
    cycle). The all-but-self matrix ``-w (1 - I)`` is built as ``-w`` times the
    sum of all inhibitory spikes plus ``+w`` from the partner, so the cost grows
    with ``n``, not ``n**2`` (6400 neurons would need a 41M-entry dense matrix).
    Returns a :class:`LateralInhibition`.
    """
    n = exc.n_neurons
    if inh.n_neurons != n:
        raise ValidationError(
            f"lateral inhibition pairs neurons one-to-one: {exc} has {n} neurons, "
            f"{inh} has {inh.n_neurons}; give both the same size",
            attr="n_neurons", obj=inh,
        )
    e_to_i = nengo.Connection(exc.neurons, inh.neurons, transform=exc_to_inh, synapse=None)
    total = nengo.Node(size_in=1, label="inhibitory spikes")
    to_total = nengo.Connection(inh.neurons, total, transform=np.ones((1, n)), synapse=None)
    from_total = nengo.Connection(
        total, exc.neurons, transform=-inh_to_exc * np.ones((n, 1)), synapse=0
    )
    self_back = nengo.Connection(inh.neurons, exc.neurons, transform=inh_to_exc, synapse=0)
    return LateralInhibition(e_to_i, to_total, from_total, self_back)


class SpikeCounter:
    """A ``nengo.Node`` function counting the spikes of the neurons it receives."""

    def __init__(self, n):
        self.counts = np.zeros(n, dtype=np.int64)

    def __call__(self, t, x):
        self.counts += x > 0

    def reset(self):
        self.counts[...] = 0

    @property
    def total(self):
        return int(self.counts.sum())


class PoissonImageInput:
    """Poisson input neurons for images with pixel values 0-255 (Jiang eq. 6.11).

    ``rate = pixel / 8 * intensity`` Hz (Diehl & Cook's ``x / 8 * input_intensity``):
    at the starting intensity 2 that is ``pixel / 4`` (63.75 Hz for 255). Build it
    inside a network: :attr:`ensemble` is ``n_inputs``
    :class:`~nengo_snnext.neurons.bernoulli.BernoulliSpiking` neurons (a spike
    with probability ``rate * dt`` per step, as Brian2's ``PoissonGroup`` in the
    Diehl & Cook code; one uniform draw per input and step) driven by
    :attr:`node`.
    """

    def __init__(self, n_inputs, *, label="input"):
        self.rates = np.zeros(n_inputs)
        self.node = nengo.Node(lambda t: self.rates, label=f"{label} rates")
        self.ensemble = nengo.Ensemble(
            n_inputs, 1, neuron_type=BernoulliSpiking(),
            gain=np.ones(n_inputs), bias=np.zeros(n_inputs), label=label,
        )
        nengo.Connection(self.node, self.ensemble.neurons, synapse=None)

    def set_image(self, image, intensity):
        """Rates for ``image`` (0-255) at ``intensity``; ``None`` or 0 for silence."""
        if image is None:
            self.rates[...] = 0
        else:
            self.rates[...] = np.ravel(image) / 8.0 * intensity

    def present(
        self, sim, image, counter, *, t_present=0.35, t_rest=0.15, min_spikes=5,
        intensity=2.0, max_intensity=32.0, before_each=None,
    ):
        """Present ``image`` until ``counter`` sees ``min_spikes`` spikes; rest after each try.

        Each try runs ``t_present`` with the image and ``t_rest`` of silence (state
        variables relax; weights and theta keep what they learned); if the
        excitatory layer (``counter``) fired fewer than ``min_spikes`` times, the
        intensity goes up by 1 and the image is shown again (Diehl & Cook).
        ``before_each()`` runs before every try (e.g. weight normalisation).
        Returns ``(counts of the accepted try, intensity used)``.
        """
        while True:
            if before_each is not None:
                before_each()
            counter.reset()
            self.set_image(image, intensity)
            sim.run(t_present)
            counts = counter.counts.copy()
            self.set_image(None, 0)
            if t_rest > 0:
                sim.run(t_rest)
            if counts.sum() >= min_spikes or intensity >= max_intensity:
                return counts, intensity
            intensity += 1.0


def assign_labels(responses, labels, n_classes):
    """Each neuron's class: the one with its highest mean response (``get_new_assignments``).

    ``responses`` is ``(n_examples, n_neurons)`` spike counts; classes without
    examples count as mean 0. Returns an int array of ``n_neurons`` classes.
    """
    responses = np.asarray(responses, dtype=float)
    labels = np.asarray(labels)
    means = np.zeros((n_classes, responses.shape[1]))
    for c in range(n_classes):
        if np.any(labels == c):
            means[c] = responses[labels == c].mean(axis=0)
    return np.argmax(means, axis=0)


def classify(responses, assignments, n_classes):
    """Predicted class per example: highest mean count over the neurons assigned to it.

    Classes with no assigned neuron score 0 (``get_recognized_number_ranking``).
    """
    responses = np.asarray(responses, dtype=float)
    scores = np.zeros((responses.shape[0], n_classes))
    for c in range(n_classes):
        members = assignments == c
        if np.any(members):
            scores[:, c] = responses[:, members].mean(axis=1)
    return np.argmax(scores, axis=1)
