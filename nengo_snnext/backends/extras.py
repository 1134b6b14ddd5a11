"""Which optional extra a feature needs, and one clear error when it is missing."""

import importlib.util

# extra -> the packages it installs that our code imports
EXTRAS = {
    "dl": ("tensorflow", "nengo_dl"),
    "loihi": ("nengo_loihi",),
    "energy": ("keras_spiking",),
}


class MissingExtraError(ImportError):
    """A feature of nengo-snnext needs an optional extra that is not installed."""


def missing(*modules):
    """The modules of ``modules`` that cannot be imported here."""
    return [m for m in modules if importlib.util.find_spec(m) is None]


def require(extra, feature, *modules):
    """Raise :class:`MissingExtraError` naming ``extra`` unless ``modules`` are importable.

    ``modules`` defaults to the packages the extra installs.
    """
    absent = missing(*(modules or EXTRAS[extra]))
    if absent:
        where = " (TensorFlow 2.12 has wheels for Python 3.8-3.11)" if extra == "dl" else ""
        raise MissingExtraError(
            f"{feature} needs {', '.join(absent)}, which the [{extra}] extra installs: "
            f'pip install "nengo-snnext[{extra}]"{where}'
        )


def extra_for(module):
    """The extra that installs ``module`` (a top-level name such as ``"tensorflow"``), or None."""
    top = module.split(".")[0]
    return next((extra for extra, modules in EXTRAS.items() if top in modules), None)
