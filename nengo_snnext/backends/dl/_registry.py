"""The only writer to NengoDL's ``SimNeuronsBuilder.TF_NEURON_IMPL``.

NengoDL 3.6 picks a neuron builder with ``type(neurons) in TF_NEURON_IMPL`` and
``TF_NEURON_IMPL[type(neurons)]``: an exact-type lookup, so a user's
``class MyKLIF(KLIF)`` would silently drop to the slow Python fallback. On the
first registration this module replaces the table by an :class:`MRODispatch`
with the same entries, which also answers for subclasses of the classes
registered here (Nengo core's own dispatch walks the MRO the same way).

Only our registrations are inherited, so every other neuron type (including
subclasses of ``nengo.LIF`` such as nengo-loihi's ``LoihiLIF``) is looked up
exactly as before. A subclass inherits a builder only if it does not override
``step``: the builders run the type's ``equation``, so a subclass with its own
numpy ``step`` gets NengoDL's fallback (slow, with its warning) rather than a
wrong TensorFlow step.
"""

from contextlib import contextmanager

from nengo.exceptions import BuildError
from nengo_dl.neuron_builders import SimNeuronsBuilder, TFNeuronBuilder

# neuron class -> builder class, for the registrations made through this module
_REGISTERED = {}


class MRODispatch(dict):
    """``TF_NEURON_IMPL`` whose lookups also resolve subclasses of our types."""

    def _lookup(self, neuron_class):
        if dict.__contains__(self, neuron_class):
            return dict.__getitem__(self, neuron_class)
        for base in getattr(neuron_class, "__mro__", ())[1:]:
            if base in _REGISTERED and dict.__contains__(self, base):
                if getattr(neuron_class, "step", None) is not getattr(base, "step"):
                    break
                return dict.__getitem__(self, base)
        raise KeyError(neuron_class)

    def __contains__(self, neuron_class):
        try:
            self._lookup(neuron_class)
        except KeyError:
            return False
        return True

    def __getitem__(self, neuron_class):
        return self._lookup(neuron_class)

    def get(self, neuron_class, default=None):
        try:
            return self._lookup(neuron_class)
        except KeyError:
            return default


def _table():
    table = SimNeuronsBuilder.TF_NEURON_IMPL
    if not isinstance(table, MRODispatch):
        table = MRODispatch(table)
        SimNeuronsBuilder.TF_NEURON_IMPL = table
    return table


def register_neuron_builder(*neuron_classes):
    """Class decorator: make ``builder`` NengoDL's builder for ``neuron_classes``.

    Subclasses of each class use the same builder unless they override ``step``.

    Examples
    --------
    ::

        @register_neuron_builder(KLIF)
        class KLIFBuilder(DiscreteIntegratorBuilder):
            ...
    """

    def register(builder):
        if not (isinstance(builder, type) and issubclass(builder, TFNeuronBuilder)):
            raise BuildError(
                f"{builder!r} is not a nengo_dl.neuron_builders.TFNeuronBuilder "
                "subclass; only TF builders can be registered (the Python fallback "
                "is what registration avoids)"
            )
        table = _table()
        for neuron_class in neuron_classes:
            _REGISTERED[neuron_class] = builder
            table[neuron_class] = builder
        return builder

    return register


def builder_for(neuron_class):
    """The TF builder NengoDL will use for ``neuron_class``, or None (fallback)."""
    return SimNeuronsBuilder.TF_NEURON_IMPL.get(neuron_class)


@contextmanager
def python_fallback(*neuron_classes):
    """Temporarily unregister ``neuron_classes`` so that NengoDL falls back to Python.

    For benchmarks that compare our builders with NengoDL's fallback: a
    ``nengo_dl.Simulator`` constructed inside the block uses the fallback for
    these types (the choice is made at construction).
    """
    table = _table()
    removed = {c: dict.pop(table, c) for c in neuron_classes if dict.__contains__(table, c)}
    try:
        yield
    finally:
        for neuron_class, builder in removed.items():
            table[neuron_class] = builder
