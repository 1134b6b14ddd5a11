"""FGSM/BIM/MIM/PGD: closed forms on linear models, the budget, the range, the loss."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from nengo_snnext import attacks  # noqa: E402
from nengo_snnext.attacks.eot import cross_entropy  # noqa: E402
from nengo_snnext.attacks.tests.conftest import linear_model, spiking_model  # noqa: E402

GRADIENT_ATTACKS = {
    "fgsm": attacks.fgsm,
    "bim": attacks.bim,
    "mim": attacks.mim,
    "pgd": attacks.pgd,
    "pgd-20": lambda *a, **k: attacks.pgd(*a, steps=20, **k),
}


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_fgsm_equals_closed_form_on_linear_model(rng):
    """Cross-entropy of ``x W + b``: ``grad_x = (softmax(z) - onehot(y)) W^T``."""
    W, b = rng.normal(size=(10, 4)), rng.normal(size=4)
    x = rng.uniform(0, 1, size=(30, 10))
    y = rng.randint(0, 4, size=30)
    eps = 0.1
    gradient = (softmax(x @ W + b) - np.eye(4)[y]) @ W.T
    expected = np.clip(x + eps * np.sign(gradient), 0, 1)
    adversarial = attacks.fgsm(linear_model(W, b), x, y, eps=eps)
    assert np.array_equal(adversarial, expected)
    # and the gradient itself
    assert np.allclose(attacks.input_gradient(linear_model(W, b), x, y), gradient, atol=1e-12)


@pytest.mark.parametrize("name", ["bim", "mim", "pgd"])
def test_iterative_attacks_reach_the_corner_on_binary_linear_model(name, rng):
    """Two classes: the gradient's sign is ``sign(w_other - w_y)`` at every iterate, so
    every iterative attack ends on the same corner of the eps-ball as FGSM."""
    W, b = rng.normal(size=(10, 2)), rng.normal(size=2)
    x = rng.uniform(0.2, 0.8, size=(16, 10))
    y = rng.randint(0, 2, size=16)
    eps = 0.05
    direction = np.sign(W[:, 1 - y].T - W[:, y].T)
    adversarial = GRADIENT_ATTACKS[name](linear_model(W, b), x, y, eps=eps)
    assert np.allclose(adversarial, x + eps * direction, atol=1e-12)


@pytest.fixture(scope="module")
def models():
    """One model per neuron kind for the module (their compiled gradients are cached)."""
    return {neuron: spiking_model(neuron) for neuron in ("LIF", "NO")}


@pytest.mark.parametrize("neuron", ["LIF", "NO"])
def test_budget_range_and_loss_on_spiking_model(neuron, models, data):
    x, y = data
    model = models[neuron]
    eps = 0.1

    def loss(inputs):  # averaged over noise draws for NO
        return np.mean([np.mean(cross_entropy(y, model(inputs, training=False)).numpy())
                        for _ in range(5)])

    clean = loss(x)
    for name, attack in GRADIENT_ATTACKS.items():
        adversarial = attack(model, x, y, eps=eps, batch_size=10)
        assert adversarial.shape == x.shape and adversarial.dtype == x.dtype, name
        assert np.max(np.abs(adversarial - x)) <= eps + 1e-7, name
        assert adversarial.min() >= 0 and adversarial.max() <= 1, name
        assert np.max(np.abs(adversarial - x)) > eps / 2, name  # it moved
        assert loss(adversarial) > clean, name


def test_attacks_through_time_use_the_surrogate(models, data):
    """The gradient reaches the input through the spiking layer (BPTT), and is not zero."""
    x, y = data
    gradient = attacks.input_gradient(models["LIF"], x, y)
    assert np.mean(gradient != 0) > 0.5


def test_rate_mode_warns_and_bpda_copy_attacks(data):
    x, y = data
    model = spiking_model("LIF", training="rate")
    with pytest.warns(UserWarning, match="exactly zero"):
        attacks.input_gradient(model, x, y)
    copy = attacks.surrogate_model(model)
    assert np.array_equal(model(x).numpy(), copy(x).numpy())  # the same forward pass
    assert np.mean(attacks.input_gradient(copy, x, y) != 0) > 0.5
    with pytest.raises(ValueError, match="unknown surrogate"):
        attacks.surrogate_model(model, surrogate="nope")
    with pytest.raises(ValueError, match="no nengo_snnext spiking layers"):
        attacks.surrogate_model(linear_model(np.ones((12, 3)), np.zeros(3)))


def test_bpda_surrogate_changes_only_the_backward_pass(models, data):
    x, y = data
    model = models["LIF"]
    copy = attacks.surrogate_model(model, "sigmoid", 1.0)
    assert np.array_equal(model(x).numpy(), copy(x).numpy())
    assert not np.allclose(attacks.input_gradient(model, x, y),
                           attacks.input_gradient(copy, x, y))


def test_pgd_is_seeded_and_stays_in_budget_with_eps_zero(models, data):
    x, y = data
    model = models["LIF"]
    assert np.array_equal(attacks.pgd(model, x, y, seed=3), attacks.pgd(model, x, y, seed=3))
    assert np.array_equal(attacks.pgd(model, x, y, eps=0.0), x)


def test_bad_input_raises(models, data):
    x, y = data
    model = models["LIF"]
    with pytest.raises(ValueError, match="eps must be non-negative"):
        attacks.fgsm(model, x, y, eps=-0.1)
    with pytest.raises(ValueError, match="outside the valid range"):
        attacks.fgsm(model, x * 255, y)
    with pytest.raises(ValueError, match="one label per input"):
        attacks.fgsm(model, x, y[:3])
    with pytest.raises(ValueError, match="steps must be at least 1"):
        attacks.bim(model, x, y, steps=0)
    with pytest.raises(ValueError, match="samples must be at least 1"):
        attacks.input_gradient(model, x, y, samples=0)
