"""Nengo core (reference simulator) registrations."""

from nengo_snnext.backends.reference import neurons  # noqa: F401  (registers builders)
from nengo_snnext.backends.reference import stdp  # noqa: F401  (registers build_stdp)
