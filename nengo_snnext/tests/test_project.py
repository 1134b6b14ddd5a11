"""Project-level checks: the README's commands and CI agree; docs list every parameter."""

import inspect
import re
from pathlib import Path

import nengo
import pytest
from nengo.exceptions import ValidationError

import nengo_snnext

ROOT = Path(__file__).resolve().parents[2]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci_lines = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    test_command = ci_lines[-1].strip()
    assert test_command.startswith("python -m pytest")
    assert f"&& {test_command}\n" in readme
    # and installs what the README's command installs
    [extras] = re.findall(r'pip install -e "\.\[([\w,]+)\]" && python -m pytest', readme)
    assert f'pip install -q -e ".[{extras}]"' in (ROOT / ".ci" / "run").read_text()


def public_neuron_types():
    return [
        obj for name in nengo_snnext.__all__
        # vars(): the lazy names (``convert``, imported on first use) are not neuron types
        if inspect.isclass(obj := vars(nengo_snnext).get(name))
        and issubclass(obj, nengo.neurons.NeuronType)
    ]


def numeric_arguments(cls):
    """``(name, default)`` of every float argument of ``cls.__init__``."""
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    return [
        (p.name, p.default) for p in parameters
        if isinstance(p.default, (int, float)) and not isinstance(p.default, bool)
    ]


@pytest.mark.parametrize("cls", public_neuron_types(), ids=lambda c: c.__name__)
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")], ids=str)
def test_nan_and_inf_parameters_raise_validation_error(cls, bad):
    arguments = numeric_arguments(cls)
    assert arguments
    for name, _ in arguments:
        with pytest.raises(ValidationError, match=name):
            cls(**{name: bad})


@pytest.mark.parametrize("cls", public_neuron_types(), ids=lambda c: c.__name__)
def test_every_init_argument_is_documented(cls):
    doc = inspect.getdoc(cls)
    params = doc.split("Parameters\n----------\n", 1)[1]
    params = re.split(r"\n\n[A-Z][a-z]+\n-+\n", params)[0]
    for name in list(inspect.signature(cls.__init__).parameters)[1:]:
        assert re.search(rf"^{name} :", params, re.M), f"{cls.__name__}: {name} undocumented"


@pytest.mark.parametrize("cls", public_neuron_types(), ids=lambda c: c.__name__)
def test_constructs_with_defaults(cls):
    assert cls().spiking


@pytest.mark.parametrize("cls", public_neuron_types(), ids=lambda c: c.__name__)
def test_every_neuron_type_has_a_docs_page(cls):
    pages = [p.read_text() for p in (ROOT / "docs").glob("*.md")]
    assert any(f"`{cls.__name__}`" in page and ".png)" in page for page in pages)
