"""Loihi deployment of whole networks (nengo-loihi 1.1).

- :func:`prepare`: make a network deployable (constant inputs folded into
  biases, the input layer and unmappable types off chip, large conv layers
  split over cores) and get its :class:`PlacementReport`.
- :func:`evaluate_converted`: a classifier converted from Keras, on the
  emulator: accuracy, time and placement.
- :func:`layer_fidelity`: per-layer rates on the emulator against
  ``nengo.Simulator``, and which layer explains an accuracy gap.
- :func:`simulator`: ``nengo_loihi.Simulator`` on hardware where NxSDK is
  importable, else the emulator with one clear message.

Importing this package imports nengo-loihi (and so TensorFlow); ``import
nengo_snnext`` does not import it.
"""

import nengo_snnext  # noqa: F401  (registers our compartments with nengo-loihi)
from nengo_snnext.backends.compat import untested_version_warnings_silenced

with untested_version_warnings_silenced():
    import nengo_loihi  # noqa: F401

from nengo_snnext.loihi.diagnostics import (  # noqa: E402
    FidelityDiagnostics,
    LayerFidelity,
    layer_fidelity,
)
from nengo_snnext.loihi.evaluate import evaluate_converted  # noqa: E402
from nengo_snnext.loihi.prepare import prepare  # noqa: E402
from nengo_snnext.loihi.report import (  # noqa: E402
    EnsemblePlacement,
    PlacementReport,
    placement_report,
)
from nengo_snnext.loihi.simulator import NoHardwareWarning, simulator  # noqa: E402

__all__ = [
    "FidelityDiagnostics",
    "LayerFidelity",
    "layer_fidelity",
    "NoHardwareWarning",
    "evaluate_converted",
    "simulator",
    "EnsemblePlacement",
    "PlacementReport",
    "placement_report",
    "prepare",
]
