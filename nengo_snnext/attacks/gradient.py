"""Gradient attacks under an L-infinity budget: FGSM, BIM, MIM and PGD.

Jiang (2022) eqs. 3.4-3.8 (``shared/spec/jiang-phd-thesis.md`` section 2.5),
non-targeted, ``eps = 8/255`` by default. Every iterate is projected onto the
``eps``-ball around the clean input and clipped to the valid input range
``clip`` (``[0, 1]`` for the thesis' normalised images).

- FGSM (eq. 3.4): ``x' = x + eps sign(grad)``.
- BIM (eq. 3.5): ``steps`` iterations of step ``eps / steps`` from ``x``.
- MIM (eqs. 3.6-3.7): BIM on the accumulated gradient
  ``g_m = mu g_{m-1} + grad / ||grad||_1`` (per sample); the thesis leaves
  ``mu`` open: ``decay = 1.0`` here, Dong et al.'s (2018) choice.
- PGD (eq. 3.8): a uniform random start in the ``eps``-ball, then ``steps``
  iterations of step ``gamma``; the thesis leaves ``gamma`` open: by default
  ``gamma = 2.5 eps / steps`` (Madry et al. 2018), so the iterates can cross
  the ball and come back.

``model`` is called as ``model(x, training=False)`` and returns logits (a Keras
model; spiking layers need ``training="surrogate"`` to pass gradients at
inference, or use :func:`~nengo_snnext.attacks.bpda.surrogate_model`), or a
:class:`~nengo_snnext.attacks.dl_model.NengoDLModel`. ``samples > 1`` averages
each step's gradient over noise draws (EOT, :mod:`.eot`).
"""

import numpy as np
from tqdm.auto import tqdm

from nengo_snnext.attacks.eot import cross_entropy, input_gradient

EPS = 8 / 255  # the thesis' budget
MIM_DECAY = 1.0  # mu of eq. 3.6 (Dong et al. 2018)
PGD_STEP_FACTOR = 2.5  # gamma = 2.5 eps / steps (Madry et al. 2018)


def check_inputs(x, y, eps, clip):
    """``x`` as a float array, ``y`` as labels; clear errors for bad budgets and ranges."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float32)
    y = np.asarray(y)
    if y.shape != x.shape[:1]:
        raise ValueError(f"y must hold one label per input: x has {x.shape[0]} inputs, "
                         f"y has shape {y.shape}")
    if not eps >= 0:
        raise ValueError(f"eps must be non-negative, got {eps}")
    low, high = clip
    if not low < high:
        raise ValueError(f"clip must be (low, high) with low < high, got {clip}")
    if x.size and (x.min() < low or x.max() > high):
        raise ValueError(f"x lies outside the valid range clip={clip} "
                         f"([{x.min():g}, {x.max():g}]); normalise it first")
    return x, y


def check_steps(steps):
    """``steps`` as a positive int (a clear error otherwise)."""
    if int(steps) != steps or steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    return int(steps)


def project(x_adv, x, eps, clip):
    """Onto the ``eps``-ball (L-infinity) around ``x``, then into ``clip``."""
    return np.clip(np.clip(x_adv, x - eps, x + eps), *clip).astype(x.dtype)


def batches(n, batch_size, progress, desc):
    starts = range(0, n, int(batch_size))
    return tqdm(starts, desc=desc, disable=not progress or len(starts) <= 1, leave=False)


def iterate(model, x, y, eps, *, steps, step_size, decay=None, start=None, clip=(0.0, 1.0),
            samples=1, batch_size=100, loss=cross_entropy, progress=False, desc="attack"):
    """The shared iteration: signed (momentum) gradient steps, projected each time.

    ``start(x_batch)`` gives the first iterate (default the clean input);
    ``decay`` switches on MIM's normalised-gradient momentum.
    """
    x, y = check_inputs(x, y, eps, clip)
    steps = check_steps(steps)
    if not step_size > 0:
        raise ValueError(f"step_size must be positive, got {step_size}")
    adversarial = np.empty_like(x)
    for i in batches(len(x), batch_size, progress, desc):
        xb, yb = x[i:i + batch_size], y[i:i + batch_size]
        current = xb.copy() if start is None else project(start(xb), xb, eps, clip)
        momentum = np.zeros_like(xb)
        for _ in range(steps):
            gradient = input_gradient(model, current, yb, samples=samples, loss=loss)
            if decay is not None:
                axes = tuple(range(1, gradient.ndim))
                l1 = np.sum(np.abs(gradient), axis=axes, keepdims=True)
                momentum = decay * momentum + gradient / np.maximum(l1, 1e-12)
                gradient = momentum
            current = project(current + step_size * np.sign(gradient), xb, eps, clip)
        adversarial[i:i + batch_size] = current
    return adversarial


def fgsm(model, x, y, eps=EPS, *, clip=(0.0, 1.0), samples=1, batch_size=100,
         loss=cross_entropy, progress=False):
    """Fast gradient sign method (eq. 3.4): ``clip(x + eps sign(grad L(x, y)))``.

    Parameters
    ----------
    model : callable
        ``model(x, training=False) -> logits`` (Keras model or NengoDLModel).
    x : array_like
        Clean inputs ``(n, ...)`` inside ``clip``.
    y : array_like
        Their integer labels ``(n,)``.
    eps : float
        L-infinity budget.
    clip : (float, float)
        Valid input range.
    samples : int
        Gradient passes averaged per step (EOT).
    batch_size : int
        Inputs per gradient call.
    loss : callable
        ``loss(y, logits)`` per sample (default cross-entropy on logits).
    progress : bool
        Show a progress bar over the batches.

    Returns
    -------
    numpy.ndarray
        Adversarial inputs, like ``x``, with ``|x' - x| <= eps`` and inside ``clip``.
    """
    return iterate(model, x, y, eps, steps=1, step_size=max(eps, 1e-12), clip=clip,
                   samples=samples, batch_size=batch_size, loss=loss, progress=progress,
                   desc="FGSM")


def bim(model, x, y, eps=EPS, *, steps=5, clip=(0.0, 1.0), samples=1, batch_size=100,
        loss=cross_entropy, progress=False):
    """Basic iterative method (eq. 3.5): ``steps`` steps of ``eps / steps`` from ``x``.

    Arguments as :func:`fgsm`, plus ``steps`` (the thesis: 5).
    """
    steps = check_steps(steps)
    return iterate(model, x, y, eps, steps=steps, step_size=max(eps / steps, 1e-12),
                   clip=clip, samples=samples, batch_size=batch_size, loss=loss,
                   progress=progress, desc=f"BIM-{steps}")


def mim(model, x, y, eps=EPS, *, steps=5, decay=MIM_DECAY, clip=(0.0, 1.0), samples=1,
        batch_size=100, loss=cross_entropy, progress=False):
    """Momentum iterative method (eqs. 3.6-3.7): BIM on ``g_m = decay g_{m-1} + grad / ||grad||_1``.

    Arguments as :func:`bim`, plus ``decay`` (``mu``; 1.0 by default).
    """
    steps = check_steps(steps)
    return iterate(model, x, y, eps, steps=steps, step_size=max(eps / steps, 1e-12),
                   decay=float(decay), clip=clip, samples=samples, batch_size=batch_size,
                   loss=loss, progress=progress, desc=f"MIM-{steps}")


def pgd(model, x, y, eps=EPS, *, steps=5, step_size=None, random_start=True, seed=0,
        clip=(0.0, 1.0), samples=1, batch_size=100, loss=cross_entropy, progress=False):
    """Projected gradient descent (eq. 3.8) from a uniform random start in the ``eps``-ball.

    Arguments as :func:`bim`, plus ``step_size`` (``gamma``; default
    ``2.5 eps / steps``), ``random_start`` and its ``seed``.
    """
    steps = check_steps(steps)
    step_size = PGD_STEP_FACTOR * eps / steps if step_size is None else step_size
    rng = np.random.RandomState(seed)

    def start(xb):
        return xb + rng.uniform(-eps, eps, size=xb.shape).astype(xb.dtype)

    return iterate(model, x, y, eps, steps=steps, step_size=max(step_size, 1e-12),
                   start=start if random_start else None, clip=clip, samples=samples,
                   batch_size=batch_size, loss=loss, progress=progress, desc=f"PGD-{steps}")
