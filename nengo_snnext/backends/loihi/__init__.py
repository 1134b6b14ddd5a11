"""nengo-loihi registrations: compartment builders and chip-faithful rates.

Imported by :func:`nengo_snnext.backends.register_available` once ``nengo_loihi``
is imported (it imports TensorFlow, which ``import nengo_snnext`` must not).
"""

from nengo_snnext.backends.loihi import (  # noqa: F401  (register builders)
    lif,
    mif,
    oscillation,
    validate,
)
from nengo_snnext.backends.loihi._compartment import (
    loihi_lif_rates,
    register_linear_compartment,
)
from nengo_snnext.backends.loihi.fidelity import FidelityReport, fidelity_report

__all__ = [
    "FidelityReport",
    "fidelity_report",
    "loihi_lif_rates",
    "register_linear_compartment",
]
