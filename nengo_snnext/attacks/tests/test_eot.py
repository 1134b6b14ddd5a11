"""EOT: averaging the gradient over noise draws reduces its variance as 1 / samples."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from nengo_snnext import attacks  # noqa: E402
from nengo_snnext.attacks.tests.conftest import spiking_model  # noqa: E402


def test_eot_reduces_gradient_variance_for_stochastic_neuron(data):
    x, y = data
    model = spiking_model("NO")
    single = attacks.gradient_variance(model, x, y, samples=1, repeats=6)
    averaged = attacks.gradient_variance(model, x, y, samples=4, repeats=6)
    assert single > 0
    # independent draws: the variance of a mean of 4 is 1/4 of one (sampling slack)
    assert averaged < 0.5 * single


def test_deterministic_neuron_has_no_gradient_variance(data):
    x, y = data
    model = spiking_model("ALT")
    scale = np.mean(attacks.input_gradient(model, x, y) ** 2)
    assert attacks.gradient_variance(model, x, y, samples=1, repeats=3) < 1e-9 * scale
