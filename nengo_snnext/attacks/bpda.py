"""BPDA through the spike function: the exact forward pass, a chosen backward pass.

Backward-pass differentiable approximation (Athalye et al., 2018): where a
defence's forward pass is not usefully differentiable, keep it exactly and
differentiate an approximation instead. In a spiking network the obstacle is
the Heaviside spike (and, for the neural-oscillation neuron, the noise added
before it): :func:`surrogate_model` copies a Keras model (same weights, same
spikes) with every spiking layer in ``training="surrogate"`` mode and the
spike's derivative replaced by a surrogate of the attacker's choice. A wide
surrogate (``"sigmoid"`` with a small ``alpha``) approximates the derivative of
the noise-averaged spike ``P(f(H + gamma) > V_th)``, which for the thesis'
``U[-0.2, 0.8]`` noise is a box of width 1 around ``H = 0.7``.

It also makes a rate-trained model (``training="rate"``, whose spiking path
passes no gradient at inference) attackable.
"""

import tensorflow as tf

from nengo_snnext.equations.surrogates import get_surrogate
from nengo_snnext.keras.layers import SpikingNeurons

BPDA_SURROGATE = ("sigmoid", 4.0)  # g'(x) = 4 s(4x)(1 - s(4x)): width about 1, like the noise


def surrogate_model(model, surrogate=BPDA_SURROGATE[0], alpha=BPDA_SURROGATE[1]):
    """A copy of ``model`` whose spiking layers backpropagate through ``surrogate``.

    Parameters
    ----------
    model : tf.keras.Model
        A model with :class:`~nengo_snnext.keras.SpikingNeurons` layers (any mode).
    surrogate : str
        Name in :data:`nengo_snnext.equations.surrogates.SURROGATES`.
    alpha : float or None
        Its sharpness (``None``: the surrogate's default).

    Returns
    -------
    tf.keras.Model
        Same architecture and weights; forward spikes identical for
        deterministic layers (stochastic layers with ``seed=None`` draw fresh
        noise, as the original does).
    """
    get_surrogate(surrogate)  # a clear error for an unknown name
    changed = []

    def clone(layer):
        config = layer.get_config()
        if isinstance(layer, SpikingNeurons):
            config.update(training="surrogate", surrogate=surrogate, surrogate_alpha=alpha)
            changed.append(layer.name)
        return type(layer).from_config(config)

    copy = tf.keras.models.clone_model(model, clone_function=clone)
    if not changed:
        raise ValueError(f"{model.name} has no nengo_snnext spiking layers to give a surrogate")
    copy.set_weights(model.get_weights())
    return copy
