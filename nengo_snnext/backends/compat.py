"""The only version-gated code of nengo-snnext.

Each shim names the condition under which it can be removed.
"""

import warnings
from contextlib import contextmanager

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
