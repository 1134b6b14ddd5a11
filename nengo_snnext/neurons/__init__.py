"""Nengo neuron types of nengo-snnext."""

from nengo_snnext.neurons.lif import KLIF, DiscreteLIF

__all__ = ["DiscreteLIF", "KLIF"]
