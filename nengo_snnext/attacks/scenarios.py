"""The five attack scenarios of Jiang (2022) Table 3.2: craft with one network, infer with another.

The defence deploys the neural-oscillation network (NO) and exposes the
alternative-neuron network (ALT, same weights, deterministic neurons with
fitted ``c, d``) as a decoy for gradient computation:

========  ==================  =============  ===============
scenario  attacker knows NO?  crafted with   inferred with
========  ==================  =============  ===============
1         yes                 NO             NO
2         yes                 ALT            ALT
3         no                  LIF            NO
4         no                  ALT            NO
5         no                  NO             ALT
========  ==================  =============  ===============

plus the LIF benchmark (``"B"``: crafted and inferred with the LIF network).
:func:`scenario_table` crafts every attack once per crafting network and
evaluates it on every inferring network that uses it.
"""

from functools import partial

import numpy as np
from tqdm.auto import tqdm

from nengo_snnext.attacks.eot import output_function
from nengo_snnext.attacks.gradient import bim, fgsm, mim, pgd

# scenario -> (crafting network, inferring network)
SCENARIOS = {
    "B": ("LIF", "LIF"),
    "1": ("NO", "NO"),
    "2": ("ALT", "ALT"),
    "3": ("LIF", "NO"),
    "4": ("ALT", "NO"),
    "5": ("NO", "ALT"),
}

# the thesis' attack columns (eps = 8/255, 5 iterations)
THESIS_ATTACKS = {
    "clean": None,
    "FGSM": fgsm,
    "PGD-5": partial(pgd, steps=5),
    "BIM-5": partial(bim, steps=5),
    "MIM-5": partial(mim, steps=5),
}


def accuracy(model, x, y, batch_size=100):
    """Top-1 accuracy of ``model`` (one inference pass, fresh noise for stochastic layers)."""
    function = output_function(model)
    correct = 0
    for i in range(0, len(x), batch_size):
        logits = function(np.asarray(x[i:i + batch_size])).numpy()
        correct += int(np.sum(np.argmax(logits, axis=1) == np.asarray(y[i:i + batch_size])))
    return correct / max(len(x), 1)


def scenario_table(networks, x, y, *, attacks=None, scenarios=None, eps=8 / 255,
                   batch_size=100, progress=True):
    """Accuracy for every scenario and attack: ``{scenario: {attack: accuracy}}``.

    Parameters
    ----------
    networks : dict
        ``{"LIF": model, "NO": model, "ALT": model}`` (the names the scenarios use).
    x, y : array_like
        Clean test inputs and labels.
    attacks : dict, optional
        ``{name: attack}`` with ``attack(model, x, y, eps=eps, batch_size=...)``
        returning adversarial inputs; ``None`` is the clean input. Default
        :data:`THESIS_ATTACKS`.
    scenarios : dict, optional
        ``{name: (crafting, inferring)}``; default :data:`SCENARIOS` (those whose
        networks are given).
    eps : float
        L-infinity budget passed to every attack.
    batch_size : int
        Inputs per call.
    progress : bool
        Progress bar over the (crafting network, attack) pairs.
    """
    attacks = THESIS_ATTACKS if attacks is None else attacks
    if scenarios is None:
        scenarios = {k: v for k, v in SCENARIOS.items() if set(v) <= set(networks)}
    missing = {n for pair in scenarios.values() for n in pair} - set(networks)
    if missing:
        raise ValueError(f"scenarios need networks {sorted(missing)}; got {sorted(networks)}")
    crafters = sorted({craft for craft, _ in scenarios.values()})
    jobs = [(craft, name) for craft in crafters for name in attacks]
    crafted = {}
    for craft, name in tqdm(jobs, desc="scenarios", disable=not progress):
        attack = attacks[name]
        crafted[craft, name] = x if attack is None else attack(
            networks[craft], x, y, eps=eps, batch_size=batch_size)
    return {
        scenario: {
            name: accuracy(networks[infer], crafted[craft, name], y, batch_size)
            for name in attacks
        }
        for scenario, (craft, infer) in scenarios.items()
    }


def format_table(table, reference=None, digits=1):
    """A markdown table: one row per attack, one column per scenario (in %).

    ``reference`` (``{scenario: {attack: percent}}``, e.g. the thesis' figures)
    adds them in parentheses.
    """
    scenarios = list(table)
    attacks = list(next(iter(table.values()))) if table else []
    lines = ["| attack | " + " | ".join(f"scenario {s}" for s in scenarios) + " |",
             "|---" * (len(scenarios) + 1) + "|"]
    for name in attacks:
        cells = []
        for s in scenarios:
            cell = f"{100 * table[s][name]:.{digits}f}"
            if reference and name in reference.get(s, {}):
                cell += f" ({reference[s][name]:g})"
            cells.append(cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
