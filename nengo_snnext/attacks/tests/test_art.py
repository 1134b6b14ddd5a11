"""Our attacks against adversarial-robustness-toolbox's (a peer library; optional extra).

Runs where ART is installed (``pip install nengo-snnext[attacks]``), e.g. a
separate environment; ART 1.20.1 installs with the pinned numpy 1.24.3 and
TensorFlow 2.12.1. Our implementation is the one the package uses (it must
work without ART); here it must produce ART's adversarial inputs on a
deterministic spiking model (surrogate BPTT through the LIF layer).
"""

import numpy as np
import pytest

art = pytest.importorskip("art")
tf = pytest.importorskip("tensorflow")

from art.attacks.evasion import (  # noqa: E402
    BasicIterativeMethod,
    FastGradientMethod,
    ProjectedGradientDescent,
)
from art.estimators.classification import TensorFlowV2Classifier  # noqa: E402

from nengo_snnext import attacks  # noqa: E402
from nengo_snnext.attacks.tests.conftest import spiking_model  # noqa: E402

EPS = 0.1


def art_attacks(classifier):
    steps = 5
    return {
        "fgsm": (attacks.fgsm, FastGradientMethod(classifier, eps=EPS, norm=np.inf)),
        "bim": (attacks.bim, BasicIterativeMethod(classifier, eps=EPS, eps_step=EPS / steps,
                                                   max_iter=steps, verbose=False)),
        "pgd": (lambda *a, **k: attacks.pgd(*a, step_size=EPS / 2, random_start=False, **k),
                ProjectedGradientDescent(classifier, eps=EPS, eps_step=EPS / 2, max_iter=steps,
                                         num_random_init=0, verbose=False)),
    }


# MIM is not compared: ART 1.20 disables its MomentumIterativeMethod for TensorFlow
# ("currently disabled for Tensorflow framework", ART issue #2439); ours is checked
# against the binary linear model's closed form in test_gradient.py
@pytest.mark.parametrize("name", ["fgsm", "bim", "pgd"])
def test_attack_equals_art(name, data):
    x, y = data
    model = spiking_model("LIF")
    classifier = TensorFlowV2Classifier(
        model, nb_classes=3, input_shape=(12,), clip_values=(0.0, 1.0),
        loss_object=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    ours, theirs = art_attacks(classifier)[name]
    ours_x = ours(model, x, y, eps=EPS)
    art_x = theirs.generate(x, y=np.eye(3)[y])
    assert np.max(np.abs(art_x - x)) <= EPS + 1e-6
    # equal up to float32 rounding at the ball's edge and sign flips of ~0 gradients
    assert np.mean(np.isclose(ours_x, art_x, atol=1e-6)) > 0.97
