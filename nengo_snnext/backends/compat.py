"""The only version-gated code of nengo-snnext.

Each shim names the condition under which it can be removed.
"""

import warnings

# nengo-dl 3.6.0 and nengo-loihi 1.1.0 warn at import that they were not tested
# with Nengo 4.x. We test this combination (see README), so silence exactly those
# two messages. Remove when nengo-dl/nengo-loihi declare support for Nengo >= 4.
UNTESTED_NENGO_WARNINGS = (
    r"This version of NengoDL has not been tested with your Nengo version",
    r"This version of `nengo_loihi` has not been tested with your `nengo` version",
)


def silence_untested_version_warnings():
    """Ignore the two known "not tested with your Nengo version" warnings."""
    for message in UNTESTED_NENGO_WARNINGS:
        warnings.filterwarnings("ignore", message=message, category=UserWarning)
