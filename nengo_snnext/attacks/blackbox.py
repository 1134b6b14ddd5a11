"""Square attack (Andriushchenko et al., 2020): a gradient-free L-infinity attack.

It only queries the model's outputs, so gradient masking (noise, flat or
misleading surrogate gradients) cannot stop it. Random search on the margin
``logit_y - max_{j != y} logit_j``: start from vertical stripes of
``+-eps``, then at every iteration redraw one random square window of the
perturbation (``+-eps`` per channel) and keep it if the margin decreases.
The window covers a fraction ``p`` of the image, halved on the paper's
schedule (scaled to ``queries``). Inputs are images ``(n, H, W, C)``.

For a stochastic model the margin of one query is noisy; ``samples > 1``
averages each query over noise draws (EOT for queries).
"""

import numpy as np
from tqdm.auto import tqdm

from nengo_snnext.attacks.eot import output_function
from nengo_snnext.attacks.gradient import EPS, check_inputs

P_INIT = 0.05  # the paper's initial window fraction for L-infinity
# iterations (of 10000) at which the paper halves p
HALVING = (10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000)


def window_fraction(iteration, queries, p_init=P_INIT):
    """``p`` at ``iteration``: ``p_init`` halved at the schedule's points, scaled to ``queries``."""
    scaled = int(iteration / queries * 10000)
    return p_init / 2 ** sum(scaled > h for h in HALVING)


def margins(model, x, y, samples):
    """``logit_y - max_{j != y} logit_j`` per input (averaged over ``samples`` passes)."""
    function, total = output_function(model), 0.0
    for _ in range(samples):
        total = total + function(x).numpy()
    logits = total / samples
    correct = logits[np.arange(len(y)), y]
    others = logits.copy()
    others[np.arange(len(y)), y] = -np.inf
    return correct - others.max(axis=1)


def square(model, x, y, eps=EPS, *, queries=300, p_init=P_INIT, seed=0, clip=(0.0, 1.0),
           samples=1, batch_size=100, progress=False):
    """L-infinity Square attack; returns adversarial images within ``eps`` and ``clip``.

    Parameters
    ----------
    model : callable
        ``model(x, training=False) -> logits``; only its outputs are used.
    x : array_like
        Clean images ``(n, H, W, C)`` inside ``clip``.
    y : array_like
        Integer labels ``(n,)``.
    eps : float
        L-infinity budget.
    queries : int
        Iterations (one model query per iteration and batch, after the first).
    p_init : float
        Initial fraction of the image a square covers.
    seed : int
        Seed of the random search.
    clip : (float, float)
        Valid input range.
    samples : int
        Passes averaged per query (stochastic models).
    batch_size : int
        Images per query.
    progress : bool
        Progress bar over the iterations.
    """
    x, y = check_inputs(x, y, eps, clip)
    if x.ndim != 4:
        raise ValueError(f"square expects images (n, H, W, C), got shape {x.shape}")
    queries, samples = int(queries), int(samples)
    if queries < 1 or samples < 1:
        raise ValueError("queries and samples must be at least 1")
    rng = np.random.RandomState(seed)
    n, height, width, channels = x.shape
    low, high = clip
    # first iterate: vertical stripes of +-eps (one sign per column and channel)
    stripes = eps * rng.choice([-1.0, 1.0], size=(n, 1, width, channels))
    best = np.clip(x + stripes, low, high).astype(x.dtype)
    best_margin = np.concatenate([
        margins(model, best[i:i + batch_size], y[i:i + batch_size], samples)
        for i in range(0, n, batch_size)
    ])
    for iteration in tqdm(range(queries), desc="Square", disable=not progress, leave=False):
        active = np.flatnonzero(best_margin > 0)  # not yet misclassified
        if active.size == 0:
            break
        side = int(round(np.sqrt(window_fraction(iteration, queries, p_init) * height * width)))
        side = min(max(side, 1), height - 1, width - 1)
        candidate = best[active].copy()
        for k, index in enumerate(active):
            row = rng.randint(0, height - side + 1)
            col = rng.randint(0, width - side + 1)
            signs = eps * rng.choice([-1.0, 1.0], size=(1, 1, channels))
            window = x[index, row:row + side, col:col + side] + signs
            candidate[k, row:row + side, col:col + side] = np.clip(window, low, high)
        margin = np.concatenate([
            margins(model, candidate[i:i + batch_size], y[active[i:i + batch_size]], samples)
            for i in range(0, active.size, batch_size)
        ])
        improved = margin < best_margin[active]
        best[active[improved]] = candidate[improved]
        best_margin[active[improved]] = margin[improved]
    return best
