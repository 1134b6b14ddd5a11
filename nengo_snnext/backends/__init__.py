"""Registration of nengo-snnext with the available Nengo backends.

The only place that deals with optional backends. Nengo core is always
registered. NengoDL and nengo-loihi import TensorFlow, which ``import
nengo_snnext`` must not do; so their registrations run when those packages are
imported: at once if they already are, otherwise from an import hook that fires
right after the backend module finishes importing (either import order works).

Importing registers and does nothing else: the only other effect is that the
two known "not tested with your Nengo version" warnings are silenced while the
hook imports a backend (:func:`.compat.untested_version_warnings_silenced`).
The one documented exception to "registration only writes our own tables" is
NengoDL's ``TF_NEURON_IMPL``, made subclass-aware in :mod:`.dl._registry`.
"""

import importlib.abc
import importlib.util
import sys
from importlib import import_module

# backend module that triggers the registration -> our module that registers
OPTIONAL_BACKENDS = {}
# NengoDL: our TF neuron builders (nengo_dl's __init__ has imported neuron_builders
# by the time the hook fires; nengo_snnext.backends.dl imports TensorFlow)
OPTIONAL_BACKENDS["nengo_dl"] = "nengo_snnext.backends.dl"
OPTIONAL_BACKENDS["nengo_loihi"] = "nengo_snnext.backends.loihi"

_done = set()


def _register(trigger):
    if trigger not in _done:
        _done.add(trigger)
        import_module(OPTIONAL_BACKENDS[trigger])


class _PostImportLoader(importlib.abc.Loader):
    def __init__(self, loader, trigger):
        self.loader = loader
        self.trigger = trigger

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        from nengo_snnext.backends.compat import untested_version_warnings_silenced

        with untested_version_warnings_silenced():
            self.loader.exec_module(module)
        _register(self.trigger)


class _PostImportFinder(importlib.abc.MetaPathFinder):
    """Runs the registration right after a backend module has been imported."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in OPTIONAL_BACKENDS or fullname in _done:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _PostImportLoader(spec.loader, fullname)
        return spec


def register_available():
    """Register with Nengo core now, and with each optional backend on import."""
    from nengo_snnext.backends import reference  # noqa: F401

    if not any(isinstance(f, _PostImportFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _PostImportFinder())
    for trigger in OPTIONAL_BACKENDS:
        if trigger in sys.modules:
            _register(trigger)
