"""The seed theses' reference networks, one module each.

Every module in this package is a reproducible network with the same small protocol:

``NAME``
    The short name ``snnext reproduce NAME`` takes (the module name).
``TITLE``
    One line: what the network is and which seed/table it reproduces.
``SEED_FIGURES``
    The seed's own figures, copied from ``../shared/spec`` (a dict of row label -> value,
    values as fractions for accuracies, with a ``"source"`` key naming the table).
``build(**kwargs)``
    The network itself (a ``tf.keras.Model`` or a ``nengo.Network``), with the seed's
    hyper-parameters as keyword defaults.
``reproduce(quick=False, data_dir=None, seed=0, progress=True, out=None) -> dict``
    Trains and evaluates; returns ``{"rows": {label: {metric: value, ...}}, "seconds": s,
    "config": {...}}``; ``quick=True`` is the few-second version the end-to-end tests run.

The modules live inside the package (not in a top-level ``networks/`` folder) so that
``snnext reproduce`` works from an installed wheel; the table of seed figure vs our figure
is ``networks/README.md`` at the repository root.
"""

import importlib
import pkgutil

__all__ = ["available", "load"]


def available():
    """Names of the reference networks (the modules of this package)."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def load(name):
    """Import the reference network ``name``; a clear error lists the ones that exist."""
    names = available()
    if name not in names:
        raise ValueError(f"unknown network {name!r}; choose from {names}")
    return importlib.import_module(f"{__name__}.{name}")
