"""The only version-gated code of nengo-snnext.

Each shim names the condition under which it can be removed.
"""

import warnings
from contextlib import contextmanager
from importlib.util import find_spec

# numba, when installed (the [numba] extra), compiles the MIF/MIF2 step of Nengo
# core (nengo_snnext.backends.reference.mif_numba). Not version-gated: an optional
# accelerator, detected here so that no other module probes for it.
HAS_NUMBA = find_spec("numba") is not None

# nengo-dl 3.6.0 and nengo-loihi 1.1.0 warn at import that they were not tested
# with Nengo 4.x. We test this combination (see README), so silence exactly those
# two messages. Remove when nengo-dl/nengo-loihi declare support for Nengo >= 4.
UNTESTED_NENGO_WARNINGS = (
    r"This version of NengoDL has not been tested with your Nengo version",
    r"This version of `nengo_loihi` has not been tested with your `nengo` version",
)


@contextmanager
def untested_version_warnings_silenced():
    """Ignore the two known "not tested with your Nengo version" warnings in this block.

    Used around the import of the backend that emits them (see
    :mod:`nengo_snnext.backends`), so no process-wide filter is installed. A
    backend imported before ``nengo_snnext`` has already warned.
    """
    with warnings.catch_warnings():
        for message in UNTESTED_NENGO_WARNINGS:
            warnings.filterwarnings("ignore", message=message, category=UserWarning)
        yield


def loihi_emulator(network, **kwargs):
    """``nengo_loihi.Simulator(network, **kwargs)`` without nengo-loihi's NaN-fill cast warning.

    nengo-loihi 1.1's emulator set-up (``CompartmentState.__init__`` in
    ``nengo_loihi/emulator/interface.py``) fills its int32 parameter arrays with
    ``np.full(n, np.nan, dtype=np.int32)`` before writing every entry; numpy
    >= 1.24 reports that cast as "RuntimeWarning: invalid value encountered in
    cast" on every integer-emulator ``Simulator``. The NaN placeholders are all
    overwritten. Numpy's ``invalid`` error state is set to ignore for the
    construction only (not a warnings filter; running is unaffected). Remove
    when nengo-loihi allocates those arrays without NaN.
    """
    import nengo_loihi  # noqa: PLC0415  (imports TensorFlow: only when asked for)
    import numpy as np

    with np.errstate(invalid="ignore"):
        return nengo_loihi.Simulator(network, **kwargs)
