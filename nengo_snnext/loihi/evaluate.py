"""``evaluate_converted``: a classifier converted from Keras, on the Loihi emulator."""

import time

import nengo
import numpy as np
from nengo.ensemble import Neurons
from nengo.exceptions import ValidationError

from nengo_snnext.loihi.prepare import prepare
from nengo_snnext.loihi.simulator import simulator


def keras_io(converter):
    """The converter's input node and output probe (single-input, single-output models)."""
    if len(converter.model.inputs) != 1 or len(converter.model.outputs) != 1:
        raise ValidationError(
            f"{converter.model.name}: evaluate_converted needs one input and one output "
            f"(has {len(converter.model.inputs)} and {len(converter.model.outputs)})",
            attr="converter",
        )
    return converter.inputs[converter.model.inputs[0]], converter.outputs[converter.model.outputs[0]]


def base(obj):
    return obj.ensemble if isinstance(obj, Neurons) else getattr(obj, "obj", obj)


def chip_latency(net, source, target, on_chip):
    """Steps the chip delays ``target``'s response to ``source``: on-chip ensembles on the way.

    Nengo passes a spike through a ``synapse=None`` connection in the same step;
    on Loihi it arrives at the next step, so each on-chip ensemble on the
    longest path from ``source`` to ``target`` adds one step (back edges of
    recurrent paths are ignored).
    """
    edges = {}
    for conn in net.all_connections:
        edges.setdefault(base(conn.pre), []).append(base(conn.post))
    memo = {}

    def longest(obj, seen):
        if obj is target:
            return 0
        if obj in memo:
            return memo[obj]
        best = None
        for nxt in edges.get(obj, []):
            if nxt in seen:
                continue
            rest = longest(nxt, seen | {nxt})
            if rest is not None:
                hop = int(isinstance(nxt, nengo.Ensemble) and on_chip(nxt))
                best = max(best or 0, rest + hop)
        memo[obj] = best
        return best

    return longest(source, {source}) or 0


def present(make_simulator, net, node, probe, x, *, n_steps, dt, skip_steps, delay_steps,
            progress, desc):
    """Each row of ``x`` for ``n_steps``, one after the other; the mean output per image.

    Image ``i``'s output is read from steps ``[i n + delay + skip, (i + 1) n + delay)``
    (``delay_steps`` more steps are run at the end).
    """
    from tqdm import tqdm  # noqa: PLC0415

    saved = node.output
    node.output = nengo.processes.PresentInput(x, presentation_time=n_steps * dt)
    try:
        start = time.perf_counter()
        with make_simulator(net) as sim:
            for _ in tqdm(range(len(x)), desc=desc, disable=not progress, leave=False):
                sim.run_steps(n_steps)
            if delay_steps:
                sim.run_steps(delay_steps)
            data = sim.data[probe]
        seconds = time.perf_counter() - start
    finally:
        node.output = saved
    out = np.asarray(data)[delay_steps:delay_steps + n_steps * len(x)]
    out = out.reshape(len(x), n_steps, -1)
    return out[:, skip_steps:].mean(axis=1), seconds


def evaluate_converted(
    converter,
    x,
    y,
    *,
    n_steps,
    synapse=None,
    skip_steps=None,
    delay_steps=None,
    target="sim",
    reference=False,
    dt=0.001,
    seed=0,
    progress=True,
    **prepare_kwargs,
):
    """Accuracy of a classifier converted by ``nengo_dl.Converter`` on the Loihi emulator.

    The network is made deployable with :func:`~nengo_snnext.loihi.prepare`
    (in place: exact rewrites, the input layer off chip). Each image of ``x``
    is presented for ``n_steps`` steps, one after the other in one run (the
    network is not reset between images, as on the chip); its class is the
    argmax of the output averaged over the presentation's steps from
    ``skip_steps`` on.

    Parameters
    ----------
    converter : nengo_dl.Converter
        From ``nengo_dl.Converter`` or :func:`nengo_snnext.keras.convert`, of
        a model with one input and one output (per-step logits).
    x : array_like
        Images, shape ``(n, ...)``; each is flattened to the input node's size.
    y : array_like
        Integer labels, shape ``(n,)``.
    n_steps : int
        Steps each image is presented for.
    synapse : float or nengo.synapses.Synapse, optional
        Filter on the output read out (a probe added for the evaluation);
        ``None`` reads the converter's own output probe.
    skip_steps : int, optional
        Steps at the start of each presentation left out of the average
        (default ``n_steps // 5``: the previous image's activity is still in
        the synapses then; on the digits CNN of ``docs/loihi.md`` with 50
        steps, averaging from step 0 costs about 8 points in nengo.Simulator
        and on the emulator alike).
    delay_steps : int, optional
        Steps by which the chip's output lags Nengo's; each image is read
        out that much later on the emulator. Default: one per on-chip layer
        on the longest path from the input to the output (a spike reaches
        the next compartment one step later, where Nengo passes it through
        a ``synapse=None`` connection in the same step). Unaligned, an 8-step
        presentation of the demo network loses 12 points (86.9 %, against
        98.6 % aligned and in ``nengo.Simulator``).
    target : {"sim", "loihi", "simreal"}
        nengo-loihi target (see :func:`~nengo_snnext.loihi.simulator`).
    reference : bool
        Also run ``nengo.Simulator`` on the same (prepared) network, same
        protocol, and return its accuracy.
    dt : float
        Simulator time step (s).
    seed : int
        Simulator seed.
    progress : bool
        Show a progress bar over the images.
    **prepare_kwargs
        Passed to :func:`~nengo_snnext.loihi.prepare` (e.g. ``auto_off_chip=True``).

    Returns
    -------
    dict
        ``accuracy`` (fraction on the emulator), ``seconds`` (its build and
        run time), ``report`` (the :class:`~nengo_snnext.loihi.PlacementReport`),
        ``predictions`` (the class of each image), ``n_images``, ``n_steps``,
        ``delay_steps``;
        with ``reference=True`` also ``nengo_accuracy``, ``nengo_seconds`` and
        ``nengo_predictions``.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y)
    if len(x) != len(y) or len(x) == 0:
        raise ValidationError(f"x ({len(x)} images) and y ({len(y)} labels) must match and "
                              f"not be empty", attr="x")
    skip_steps = n_steps // 5 if skip_steps is None else skip_steps
    if not 0 <= skip_steps < n_steps:
        raise ValidationError(f"skip_steps={skip_steps} must be in [0, n_steps={n_steps})",
                              attr="skip_steps")
    node, probe = keras_io(converter)
    x = x.reshape(len(x), -1)
    if x.shape[1] != node.size_out:
        raise ValidationError(f"images have {x.shape[1]} values, the input node "
                              f"{node.label!r} takes {node.size_out}", attr="x")
    net = converter.net
    report = prepare(net, dt=dt, inputs=(node,), **prepare_kwargs)
    added = None
    if synapse is not None:
        with net:
            added = nengo.Probe(probe.target, synapse=synapse)
        probe = added
    if delay_steps is None:
        delay_steps = chip_latency(net, node, base(probe.target),
                                   lambda ens: net.config[ens].on_chip is not False)
    runs = {"loihi": (lambda n: simulator(n, target=target, dt=dt, seed=seed), delay_steps)}
    if reference:
        runs["nengo"] = (lambda n: nengo.Simulator(n, dt=dt, seed=seed, progress_bar=False), 0)
    result = {"report": report, "n_images": len(x), "n_steps": n_steps,
              "delay_steps": delay_steps}
    try:
        for name, (make, delay) in runs.items():
            out, seconds = present(make, net, node, probe, x, n_steps=n_steps, dt=dt,
                                   skip_steps=skip_steps, delay_steps=delay, progress=progress,
                                   desc=name)
            prefix = "" if name == "loihi" else "nengo_"
            result[f"{prefix}predictions"] = out.argmax(axis=-1)
            result[f"{prefix}accuracy"] = float(np.mean(result[f"{prefix}predictions"] == y))
            result[f"{prefix}seconds"] = seconds
    finally:
        if added is not None:
            net.probes.remove(added)
    return result
