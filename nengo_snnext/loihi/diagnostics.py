"""Per-layer fidelity diagnostics: where a network loses accuracy between Nengo and Loihi.

For every ensemble (layer) of a network, :func:`layer_fidelity` runs the same
input through three simulators:

- ``nengo.Simulator`` (the reference);
- nengo-loihi's float emulator (``target="simreal"``): the compartments of the
  mapping, in float, unquantised;
- nengo-loihi's integer emulator (``target="sim"``, bit-accurate to the chip).

and compares each neuron's firing rate. The rate error splits into the
**mapping** (``simreal`` vs Nengo: compartment dynamics, refractory periods in
whole steps, the host-chip paths, a mapped noise) and the **quantisation**
(``sim`` vs ``simreal``: 8-bit weights with a shared exponent, integer biases,
thresholds and decays). It also gives the fraction of silent and saturated
neurons on each simulator (silent layers and saturated layers pass no
information), and the weight-quantisation error of each layer's on-chip
synapses, measured directly: ``|w - s q| / |w|`` between the float weights
``w`` and the chip's integer weights ``q`` (``s`` the least-squares scale,
which discretisation puts into the threshold).

A layer whose mean rate error exceeds ``tolerance`` (of its mean rate) gets a
verdict: the largest of the mapping error, the quantisation error, newly
silent neurons or newly saturated neurons (the mapping and quantisation errors
relative to the layer's mean rate); the others are "faithful". The network's
explanation is the first such layer (errors propagate: later layers inherit it).
"""

import warnings
from typing import NamedTuple

import nengo
import numpy as np

from nengo_snnext.loihi.prepare import prepare
from nengo_snnext.loihi.report import build_model, ensemble_blocks
from nengo_snnext.loihi.simulator import simulator

SIMULATORS = ("nengo", "simreal", "sim")


class LayerFidelity(NamedTuple):
    """Rates (Hz) of one layer's neurons on the three simulators, and their errors."""

    label: str
    on_chip: bool
    rates: dict  # simulator name -> (n_neurons,) rates (Hz)
    max_rate: float  # one spike per refractory period plus one step
    weight_error: float  # relative weight-quantisation error (nan off chip / no weights)

    def error(self, a="sim", b="nengo"):
        """``(mean, max)`` of ``|rate_a - rate_b|`` (Hz) over the layer's neurons."""
        diff = np.abs(self.rates[a] - self.rates[b])
        return float(diff.mean()), float(diff.max())

    def silent(self, name):
        return float(np.mean(self.rates[name] == 0))

    def saturated(self, name):
        return float(np.mean(self.rates[name] >= 0.99 * self.max_rate))

    @property
    def mean_rate(self):
        return float(self.rates["nengo"].mean())

    def causes(self):
        """``{cause: size relative to the layer's mean rate}`` of the emulator's error."""
        scale = max(self.mean_rate, 1e-9)
        return {
            "mapping": self.error("simreal", "nengo")[0] / scale,
            "quantisation": self.error("sim", "simreal")[0] / scale,
            "silent neurons": max(self.silent("sim") - self.silent("nengo"), 0.0),
            "saturated neurons": max(self.saturated("sim") - self.saturated("nengo"), 0.0),
        }

    def verdict(self):
        causes = self.causes()
        return max(causes, key=causes.get)


class FidelityDiagnostics(NamedTuple):
    """Per-layer fidelity of a network on the emulator (see :func:`layer_fidelity`)."""

    layers: tuple
    tolerance: float

    def explanation(self):
        """The first layer whose relative rate error exceeds ``tolerance``, and why."""
        for layer in self.layers:
            mean = self.relative_error(layer)
            if mean > self.tolerance:
                return (f"the gap starts at layer {layer.label!r} (rate error {100 * mean:.0f} % "
                        f"of its mean rate): mostly {layer.verdict()}")
        return f"every layer's rates are within {100 * self.tolerance:.0f} % of nengo.Simulator"

    @staticmethod
    def relative_error(layer):
        return layer.error("sim", "nengo")[0] / max(layer.mean_rate, 1e-9)

    def verdict(self, layer):
        """The layer's largest cause, or "faithful" within ``tolerance``."""
        return layer.verdict() if self.relative_error(layer) > self.tolerance else "faithful"

    def summary(self):
        head = (f"{'layer':20s} {'chip':>4s} {'rate Hz':>8s} {'err mean':>8s} {'err max':>8s} "
                f"{'mapping':>8s} {'quant':>8s} {'w quant':>8s} {'silent':>13s} "
                f"{'saturated':>13s}  verdict")
        lines = [head, f"{'':20s} {'':4s} {'(nengo)':>8s} {'sim-nengo':>17s} {'% of rate':>17s} "
                       f"{'% error':>8s} {'nengo->sim':>13s} {'nengo->sim':>13s}"]
        for layer in self.layers:
            mean, biggest = layer.error()
            causes = layer.causes()
            lines.append(
                f"{layer.label[:20]:20s} {'yes' if layer.on_chip else 'no':>4s} "
                f"{layer.mean_rate:8.1f} {mean:8.1f} {biggest:8.1f} "
                f"{100 * causes['mapping']:7.1f}% {100 * causes['quantisation']:7.1f}% "
                f"{100 * layer.weight_error:7.2f}% "
                f"{100 * layer.silent('nengo'):5.1f}->{100 * layer.silent('sim'):5.1f}% "
                f"{100 * layer.saturated('nengo'):5.1f}->{100 * layer.saturated('sim'):5.1f}%  "
                f"{self.verdict(layer)}"
            )
        lines.append(self.explanation())
        return "\n".join(lines)

    def as_dict(self):
        return {
            "layers": [
                {"label": layer.label, "on_chip": layer.on_chip, "mean_rate": layer.mean_rate,
                 "error_mean": layer.error()[0], "error_max": layer.error()[1],
                 "weight_error": layer.weight_error, "causes": layer.causes(),
                 "silent": {n: layer.silent(n) for n in SIMULATORS},
                 "saturated": {n: layer.saturated(n) for n in SIMULATORS},
                 "verdict": self.verdict(layer)}
                for layer in self.layers
            ],
            "explanation": self.explanation(),
        }

    def plot(self, path):
        """Rates on the emulator against nengo.Simulator per layer, and the error causes."""
        import matplotlib  # noqa: PLC0415

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415

        n = len(self.layers)
        fig, axes = plt.subplots(2, n, figsize=(3.2 * n, 6.4), squeeze=False)
        for i, layer in enumerate(self.layers):
            ax = axes[0, i]
            top = max(layer.max_rate, 1.0)
            ax.plot([0, top], [0, top], "k:", lw=1)
            ax.plot(layer.rates["nengo"], layer.rates["simreal"], ".", ms=3, label="float emulator")
            ax.plot(layer.rates["nengo"], layer.rates["sim"], ".", ms=3, label="emulator (chip)")
            ax.set_title(f"{layer.label}\n({'on' if layer.on_chip else 'off'} chip)", fontsize=9)
            ax.set_xlabel("nengo.Simulator rate (Hz)")
            if i == 0:
                ax.set_ylabel("emulator rate (Hz)")
                ax.legend(fontsize=7)
            causes = layer.causes()
            axes[1, i].bar(range(4), [100 * v for v in causes.values()],
                           color=["C0", "C1", "C2", "C3"])
            axes[1, i].set_xticks(range(4), ["mapping", "quant.", "silent", "saturated"],
                                  fontsize=8)
            if i == 0:
                axes[1, i].set_ylabel("% of mean rate / % of neurons")
        fig.suptitle(self.explanation(), fontsize=9)
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)


def max_rate(neuron_type, dt):
    """One spike per refractory period plus one step (per step for types without one)."""
    tau_ref = getattr(neuron_type, "tau_ref", 0.0) or 0.0
    return 1.0 / (dt * (1 + np.round(tau_ref / dt)))


def synapse_weights(model, ens):
    """The weights of all synapses into ``ens``'s blocks, flattened (None off chip/empty)."""
    blocks = ensemble_blocks(model, ens)
    weights = [np.ravel(w) for block in blocks for s in block.synapses for w in s.weights]
    return np.concatenate(weights).astype(float) if weights else None


def weight_error(float_model, int_model, ens):
    """``|w - s q| / |w|``: float weights ``w`` vs integer ``q`` with the best scale ``s``."""
    w, q = synapse_weights(float_model, ens), synapse_weights(int_model, ens)
    if w is None or q is None or w.size != q.size or not np.any(q):
        return float("nan")
    scale = np.dot(w, q) / np.dot(q, q)
    return float(np.linalg.norm(w - scale * q) / np.linalg.norm(w))


def run_rates(make, net, probes, node, x, *, n_steps, dt):
    """Mean rate (Hz) of each probed ensemble's neurons over the whole presentation."""
    saved = None if node is None else node.output
    if node is not None:
        node.output = nengo.processes.PresentInput(x, presentation_time=n_steps * dt)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # initial-state notices
            with make(net) as sim:
                sim.run_steps(n_steps * (1 if x is None else len(x)))
                data = {ens: sim.data[probe] for ens, probe in probes.items()}
    finally:
        if node is not None:
            node.output = saved
    # a spike is amplitude / dt in the output: the mean output over amplitude is the rate
    return {ens: np.asarray(out).mean(axis=0) / ens.neuron_type.amplitude
            for ens, out in data.items()}


def layer_fidelity(net, *, node=None, x=None, n_steps=100, dt=0.001, seed=0, tolerance=0.1,
                   progress=True, **prepare_kwargs):
    """Per-layer rates of ``net`` on the emulator against ``nengo.Simulator``.

    Parameters
    ----------
    net : nengo.Network
        The network; made deployable in place with
        :func:`~nengo_snnext.loihi.prepare` (``prepare_kwargs``).
    node : nengo.Node, optional
        Input node (e.g. ``converter.inputs[model.input]``), given ``x``.
    x : array_like, optional
        Inputs, shape ``(n, node.size_out)``, each presented for ``n_steps``.
        Without them the network runs for ``n_steps`` on its own inputs.
    n_steps : int
        Steps per input.
    dt : float
        Time step (s).
    seed : int
        Seed of every simulator.
    tolerance : float
        Relative rate error (of a layer's mean rate) above which a layer is
        said to open the gap.
    progress : bool
        Show a progress bar over the three simulators.

    Returns
    -------
    FidelityDiagnostics
        ``.summary()`` (text), ``.explanation()``, ``.as_dict()``, ``.plot(path)``.
    """
    from tqdm import tqdm  # noqa: PLC0415

    if x is not None:
        if node is None:
            raise ValueError("x needs the input node it is presented on (node=...)")
        x = np.asarray(x, dtype=float).reshape(len(x), -1)
    report = prepare(net, dt=dt, inputs=() if node is None else (node,), **prepare_kwargs)
    ensembles = [e for e in net.all_ensembles if getattr(e.neuron_type, "spiking", True)]
    added = {}
    with net:
        for ens in ensembles:
            added[ens] = nengo.Probe(ens.neurons)
    makers = {
        "nengo": lambda n: nengo.Simulator(n, dt=dt, seed=seed, progress_bar=False),
        "simreal": lambda n: simulator(n, target="simreal", dt=dt, seed=seed),
        "sim": lambda n: simulator(n, target="sim", dt=dt, seed=seed),
    }
    rates = {}
    try:
        for name in tqdm(SIMULATORS, desc="simulators", disable=not progress, leave=False):
            rates[name] = run_rates(makers[name], net, added, node, x, n_steps=n_steps, dt=dt)
    finally:
        for probe in added.values():
            net.probes.remove(probe)
    float_model = build_model(net, dt, discretize=False)
    int_model = build_model(net, dt, discretize=True)
    on_chip = {entry.label: entry.on_chip for entry in report.ensembles}
    layers = []
    for ens in ensembles:
        label = ens.label or str(ens)
        chip = on_chip.get(label, False)
        layers.append(LayerFidelity(
            label, chip, {name: rates[name][ens] for name in SIMULATORS},
            max_rate(ens.neuron_type, dt),
            weight_error(float_model, int_model, ens) if chip else float("nan"),
        ))
    return FidelityDiagnostics(tuple(layers), tolerance)
