"""Adversarial attacks on spiking Keras models and NengoDL networks (imports TensorFlow).

Gradient attacks (:mod:`.gradient`: :func:`fgsm`, :func:`bim`, :func:`mim`,
:func:`pgd`, Jiang 2022 eqs. 3.4-3.8) with expectation over transformation for
stochastic neurons (``samples=``, :mod:`.eot`), BPDA through the spike function
(:func:`surrogate_model`), the gradient-free Square attack (:func:`square`),
the scenarios of the thesis' Table 3.2 (:func:`scenario_table`), teacher-student
fitting of the alternative neuron (:func:`fit_alternative`), Carlini et al.'s
sanity checks (:func:`carlini_checks`) and networks in ``nengo_dl.Simulator``
(:class:`NengoDLModel`). See ``docs/adversarial.md``.
"""

from nengo_snnext.backends.extras import require

require("dl", "nengo_snnext.attacks")

from nengo_snnext.attacks.blackbox import square  # noqa: E402
from nengo_snnext.attacks.bpda import surrogate_model  # noqa: E402
from nengo_snnext.attacks.dl_model import NengoDLModel  # noqa: E402
from nengo_snnext.attacks.eot import gradient_variance, input_gradient  # noqa: E402
from nengo_snnext.attacks.gradient import EPS, bim, fgsm, mim, pgd  # noqa: E402
from nengo_snnext.attacks.sanity import carlini_checks  # noqa: E402
from nengo_snnext.attacks.scenarios import (  # noqa: E402
    SCENARIOS,
    THESIS_ATTACKS,
    accuracy,
    format_table,
    scenario_table,
)
from nengo_snnext.attacks.teacher_student import (  # noqa: E402
    TeacherStudentFit,
    alternative_network,
    fit_alternative,
)

__all__ = [
    "EPS",
    "fgsm",
    "bim",
    "mim",
    "pgd",
    "square",
    "input_gradient",
    "gradient_variance",
    "surrogate_model",
    "NengoDLModel",
    "SCENARIOS",
    "THESIS_ATTACKS",
    "accuracy",
    "scenario_table",
    "format_table",
    "carlini_checks",
    "fit_alternative",
    "alternative_network",
    "TeacherStudentFit",
]
