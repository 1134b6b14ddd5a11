"""Simulators under test: a NengoDL simloader, and a skip for reference-only tests.

The frontend tests take Nengo's ``Simulator`` fixture, which is
``nengo.Simulator`` unless the ini key ``nengo_simulator`` or
``nengo_simloader`` overrides it. The NengoDL variant of the suite is ::

    python -m pytest -o nengo_simloader=nengo_snnext.tests.simulators.nengo_dl_simulator

(with ``--pyargs nengo.tests.test_neurons ...`` for Nengo's own tests on our types).
"""

import warnings

import nengo
import pytest

FALLBACK = "falling back to Python implementation"


def nengo_dl_simulator(request):
    """``nengo_simloader`` for ``nengo_dl.Simulator``, exact where it can be.

    As ``nengo_dl.tests.make_test_sim``: a network that does not set NengoDL's
    ``dtype`` is run in float64 (NengoDL's default is float32, which would not
    reproduce the reference's spike times), with ``progress_bar=False`` and
    ``unroll_simulation=1`` unless the test passes them. A neuron type of ours
    that NengoDL runs through its generic Python fallback (the numpy ``step``
    in a ``tf.numpy_function``) would make the variant test the reference
    again, so that raises instead of warning.
    """
    # imported here: the reference run (and ``import nengo_snnext``) stays free
    # of TensorFlow; importing nengo_dl registers our NengoDL builders
    import nengo_dl

    import nengo_snnext  # noqa: F401

    def Simulator(network, *args, **kwargs):
        kwargs.setdefault("progress_bar", False)
        if network is not None and nengo_dl.config.get_setting(network, "dtype") is None:
            with network:
                nengo_dl.configure_settings(dtype="float64")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sim = nengo_dl.Simulator(network, *args, **kwargs)
        ours = [str(w.message) for w in caught
                if FALLBACK in str(w.message) and "nengo_snnext" in str(w.message)]
        for w in caught:  # everything else is passed on (pytest.warns sees it)
            if str(w.message) not in ours:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if ours:
            sim.close()
            raise AssertionError(f"NengoDL has no native builder for: {ours}")
        return sim

    return Simulator


def is_reference(Simulator):
    """Whether ``Simulator`` is Nengo's reference ``nengo.Simulator``."""
    return Simulator is nengo.Simulator


def skip_unless_reference(Simulator, reason):
    """Skip the calling test unless it runs in ``nengo.Simulator``.

    For tests of behaviour that exists only in the reference simulator (the
    numpy ``step``, numpy ``RandomState`` streams, its build time); ``reason``
    says why the other simulator cannot show it.
    """
    if not is_reference(Simulator):
        pytest.skip(f"reference simulator only: {reason}")
