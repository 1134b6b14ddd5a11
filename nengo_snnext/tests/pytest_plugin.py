"""pytest plugin of the nengo-snnext suite (enabled by ``addopts`` in pyproject.toml).

Seed-robust node ids
    pytest-rng seeds ``rng``/``seed`` from ``request.node.nodeid``, and
    pytest-allclose and pytest-plt key on it too. A test collected from an
    installed package (``--pyargs nengo.tests.test_neurons``) has a node id
    that depends on where the venv lies: its file relative to the rootdir
    (``venv/lib/python3.11/site-packages/nengo/tests/test_neurons.py::...``
    with the venv inside the clone) or, for a venv outside the rootdir, just
    ``::test_name`` (pytest 7 makes the id relative to the initial path, the
    module itself, so same-named tests of different modules, such as
    ``test_probeable``, shared one id and one seed). So the seeds moved with
    the venv. Items whose file lies under ``site-packages`` (or
    ``dist-packages``) get the node id from the package on
    (``nengo/tests/test_neurons.py::...``): the node id Nengo's CI has from
    its repository root, so the seeds are the ones Nengo validated.

NengoDL-only skips
    When the simulator under test is NengoDL (``nengo_simulator`` or
    ``nengo_simloader`` names ``nengo_dl``), the tests matched by the ini key
    ``snnext_dl_unsupported`` are skipped with its reasons (``--unsupported``
    runs them as xfail instead). The format is ``nengo_test_unsupported``'s:
    a node-id pattern (fnmatch, ``*`` prepended, brackets literal) followed by
    its reason in quotes. ``nengo_test_unsupported`` applies to every
    simulator, so it cannot hold these.

Simulator-only variant
    When the simulator is overridden, Nengo deselects its tests that do not
    take the ``Simulator`` fixture; ours are deselected alike (they ran in the
    reference run and do not depend on the simulator).

Optional extras
    The test folders of code that needs an optional extra (``[dl]``: TensorFlow
    and NengoDL; ``[loihi]``: nengo-loihi) are not collected when the extra is
    not installed, and the terminal summary says which and why: the core alone
    (``pip install nengo-snnext[test]``, any Python nengo supports) runs the rest.

``--snnext-types-only``
    Of Nengo's own tests, keep only those parametrized with one of our neuron
    types (from ``nengo_neurons``); the rest test Nengo's built-in types, on
    which the simulator's own suite (NengoDL's CI) runs them.
"""

import importlib.util
import shlex
from fnmatch import fnmatch

import pytest

INSTALL_DIRS = ("site-packages", "dist-packages")

# folders of this package (path parts below nengo_snnext/) whose code needs an extra:
# (parts, the module the extra installs, the extra)
EXTRA_FOLDERS = (
    (("backends", "dl"), "nengo_dl", "dl"),
    (("keras",), "nengo_dl", "dl"),
    (("attacks",), "nengo_dl", "dl"),
    (("backends", "loihi"), "nengo_loihi", "loihi"),
    (("loihi",), "nengo_loihi", "loihi"),
)
_not_collected = {}  # folder -> extra


def missing_extra(parts):
    """The extra that the code under ``nengo_snnext/<parts>`` needs and lacks, or None."""
    for prefix, module, extra in EXTRA_FOLDERS:
        if tuple(parts[: len(prefix)]) == prefix and importlib.util.find_spec(module) is None:
            return extra
    return None


def pytest_ignore_collect(collection_path, config):
    parts = collection_path.parts
    if "nengo_snnext" not in parts:
        return None
    below = parts[len(parts) - parts[::-1].index("nengo_snnext"):]
    extra = missing_extra(below)
    if extra is None:
        return None
    _not_collected["/".join(("nengo_snnext", *below))] = extra
    return True


def pytest_terminal_summary(terminalreporter):
    for folder, extra in sorted(_not_collected.items()):
        terminalreporter.write_line(
            f"not collected: {folder} (needs the [{extra}] extra: pip install \"nengo-snnext[{extra}]\")"
        )


def pytest_addoption(parser):
    parser.addoption(
        "--snnext-types-only",
        action="store_true",
        default=False,
        help="of Nengo's own tests, run only those parametrized with a nengo_snnext neuron type",
    )
    # pytest-allclose 1.0 reads this key from the raw ini config without declaring
    # it, so pytest would warn "Unknown config option"; declared here for it
    parser.addini(
        "allclose_tolerances",
        help="per-test tolerances read by pytest-allclose (pattern then atol/rtol)",
    )
    parser.addini(
        "snnext_dl_unsupported",
        type="linelist",
        default=[],
        help="tests skipped only when the simulator under test is NengoDL: "
        "pattern then quoted reason, as nengo_test_unsupported",
    )


def package_nodeid(item):
    """``item``'s node id from its package on, if its file is installed.

    For a file under ``site-packages``/``dist-packages`` (the innermost), the
    file part becomes the path below that directory
    (``nengo/tests/test_neurons.py``); what follows the file's own node id
    (``::test_x[a/b]``) is kept. Other items keep their node id.
    """
    file = item.getparent(pytest.File)
    if file is None:
        return item.nodeid
    parts = file.path.parts
    installed = [i for i, part in enumerate(parts[:-1]) if part in INSTALL_DIRS]
    if not installed or not item.nodeid.startswith(file.nodeid):
        return item.nodeid
    return "/".join(parts[installed[-1] + 1:]) + item.nodeid[len(file.nodeid):]


def simulator_overridden(config):
    return config.getini("nengo_simulator") != "nengo.Simulator" or bool(
        config.getini("nengo_simloader")
    )


def simulator_is_nengo_dl(config):
    names = (config.getini("nengo_simloader") or "", config.getini("nengo_simulator"))
    return any("nengo_dl" in name for name in names)


def unsupported_patterns(config, key):
    """``(pattern, reason)`` pairs of an ini list in ``nengo_test_unsupported`` form."""
    words = shlex.split(" ".join(config.getini(key)))
    if len(words) % 2:
        raise pytest.UsageError(f"{key}: every pattern needs a quoted reason ({words[-1]!r})")
    pairs = []
    for test, reason in zip(words[::2], words[1::2]):
        test = "".join(f"[{c}]" if c in "[]" else c for c in test)
        pairs.append(("*" + test, reason))
    return pairs


def is_ours(item):
    return item.nodeid.startswith("nengo_snnext/")


def has_our_type(item):
    """Whether a parameter of ``item`` is one of our classes (a neuron type)."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(
        isinstance(value, type) and value.__module__.startswith("nengo_snnext.")
        for value in params.values()
    )


def deselect(config, items, drop):
    if drop:
        config.hook.pytest_deselected(items=drop)
        dropped = set(map(id, drop))
        items[:] = [item for item in items if id(item) not in dropped]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    # first of all hooks: -k/--deselect, Nengo's deselection, the unsupported
    # patterns and the rng/allclose/plt fixtures all see the package node ids
    for item in items:
        item._nodeid = package_nodeid(item)

    if simulator_overridden(config):
        deselect(config, items, [item for item in items
                                 if is_ours(item) and "Simulator" not in item.fixturenames])
    if config.getoption("snnext_types_only"):
        deselect(config, items, [item for item in items
                                 if not is_ours(item) and not has_our_type(item)])

    if simulator_is_nengo_dl(config):
        unsupported = unsupported_patterns(config, "snnext_dl_unsupported")
        for item in items:
            for pattern, reason in unsupported:
                if fnmatch(item.nodeid, pattern):
                    reason = f"NengoDL: {reason}"
                    if config.getvalue("unsupported"):
                        item.add_marker(pytest.mark.xfail(reason=reason))
                    else:
                        item.add_marker(pytest.mark.skip(reason=reason))
                    break
