"""The sanity checks of Carlini et al. (2019), "On Evaluating Adversarial Robustness".

A robustness claim is not credible unless the evaluation passes these:

- more iterations never help the defender: accuracy under PGD with ``long``
  steps is not above that with ``short`` steps (section 5.2.3 of the paper);
- an unbounded budget reaches (about) 0 %: PGD with ``eps`` covering the whole
  input range must be able to turn any input into any other (5.2.4);
- a gradient-free attack is not stronger than the white-box one: if the Square
  attack beats PGD, the gradients are masked (5.2.6).

:func:`carlini_checks` runs all three on one model and returns the accuracies
and the verdicts; a failed check means the gradient attacks understate the
attack, and the robust accuracy to report is the minimum over all attacks.
"""

from nengo_snnext.attacks.blackbox import square
from nengo_snnext.attacks.gradient import EPS, pgd
from nengo_snnext.attacks.scenarios import accuracy

UNBOUNDED_LIMIT = 0.05  # "about 0 %": at most 5 % left with an unbounded budget
TOLERANCE = 0.02  # accuracy differences below this are noise (stochastic models)


def carlini_checks(model, x, y, eps=EPS, *, short=5, long=20, unbounded_steps=20,
                   queries=300, samples=1, clip=(0.0, 1.0), target=None, batch_size=100,
                   tolerance=TOLERANCE):
    """Run the three sanity checks; return accuracies and verdicts.

    Parameters
    ----------
    model : callable
        The model the attacks query and differentiate.
    x, y : array_like
        Clean inputs (images for the Square attack) and labels.
    eps : float
        The evaluated budget.
    short, long : int
        PGD iterations of the "more iterations" check.
    unbounded_steps : int
        PGD iterations with ``eps`` = the whole input range.
    queries : int
        Square-attack iterations.
    samples : int
        EOT samples of every gradient and query.
    clip : (float, float)
        Valid input range.
    target : callable, optional
        The model that infers (default ``model``: white-box).
    batch_size : int
        Inputs per call.
    tolerance : float
        Accuracy differences treated as noise.

    Returns
    -------
    dict
        ``accuracy``: ``{"clean", "PGD-<short>", "PGD-<long>", "PGD-unbounded",
        "Square"}``; ``checks``: ``{"more_iterations_help_attacker",
        "unbounded_reaches_zero", "black_box_not_stronger"}`` (True = passed).
    """
    target = model if target is None else target
    kw = dict(clip=clip, samples=samples, batch_size=batch_size)
    whole = clip[1] - clip[0]
    results = {
        "clean": accuracy(target, x, y, batch_size),
        f"PGD-{short}": accuracy(target, pgd(model, x, y, eps, steps=short, **kw), y, batch_size),
        f"PGD-{long}": accuracy(target, pgd(model, x, y, eps, steps=long, **kw), y, batch_size),
        "PGD-unbounded": accuracy(
            target, pgd(model, x, y, whole, steps=unbounded_steps, **kw), y, batch_size),
        "Square": accuracy(target, square(model, x, y, eps, queries=queries, **kw), y,
                           batch_size),
    }
    white_box = min(results[f"PGD-{short}"], results[f"PGD-{long}"])
    checks = {
        "more_iterations_help_attacker": results[f"PGD-{long}"] <= results[f"PGD-{short}"]
        + tolerance,
        "unbounded_reaches_zero": results["PGD-unbounded"] <= UNBOUNDED_LIMIT,
        "black_box_not_stronger": results["Square"] >= white_box - tolerance,
    }
    return {"accuracy": results, "checks": checks}
