"""Placement and resource report: what each ensemble uses of Loihi 1's cores."""

from typing import NamedTuple

import numpy as np
from nengo_loihi.block import (
    MAX_COMPARTMENTS,
    MAX_IN_AXONS,
    MAX_OUT_AXONS,
    MAX_SYNAPSE_BITS,
)
from nengo_loihi.builder import Model
from nengo_loihi.builder.builder import ValidationLevel

# Loihi 1: 128 neuron cores per chip (Davies et al. 2018, IEEE Micro 38(1));
# the per-core limits are nengo-loihi's (nengo_loihi/block.py)
CORES_PER_CHIP = 128
LIMITS = {
    "compartments": MAX_COMPARTMENTS,
    "in_axons": MAX_IN_AXONS,
    "out_axons": MAX_OUT_AXONS,
    "synapse_bits": MAX_SYNAPSE_BITS,
}


class EnsemblePlacement(NamedTuple):
    """Where one ensemble runs and what it uses (summed over its cores)."""

    label: str
    neuron_type: str
    on_chip: bool
    cores: int
    compartments: int
    synapses: int  # stored synaptic weights (after nengo-loihi's compression)
    synapse_bits: int  # synapse memory
    in_axons: int
    out_axons: int
    block_shape: object  # per-core shape, or None (nengo-loihi's sequential split)
    share: float  # the fullest core's largest share of a per-core limit
    reason: str  # why it is off chip ("" on chip)


class PlacementReport(NamedTuple):
    """Per-ensemble placement and Loihi 1 resources of a prepared network."""

    ensembles: tuple
    folded: tuple  # constant inputs folded into biases
    collapsed: tuple  # linear pass-through nodes bypassed

    @property
    def cores(self):
        return sum(e.cores for e in self.ensembles if e.on_chip)

    @property
    def chips(self):
        return int(np.ceil(self.cores / CORES_PER_CHIP))

    def __getitem__(self, label):
        if isinstance(label, int):
            return tuple.__getitem__(self.ensembles, label)
        for entry in self.ensembles:
            if entry.label == label:
                return entry
        raise KeyError(label)

    def as_dict(self):
        """JSON-ready: ``{"ensembles": [...], "cores": ..., "chips": ...}``."""
        return {
            "ensembles": [
                {**e._asdict(), "block_shape": None if e.block_shape is None
                 else list(e.block_shape)} for e in self.ensembles
            ],
            "cores": self.cores,
            "chips": self.chips,
            "folded": list(self.folded),
            "collapsed": list(self.collapsed),
        }

    def summary(self):
        """A text table, one row per ensemble, with the totals."""
        head = (f"{'ensemble':24s} {'type':24s} {'chip':>4s} {'cores':>5s} {'comps':>6s} "
                f"{'synapses':>9s} {'syn kbit':>8s} {'in ax':>6s} {'out ax':>6s} {'share':>6s}")
        lines = [head]
        for e in self.ensembles:
            lines.append(
                f"{e.label[:24]:24s} {e.neuron_type[:24]:24s} {'yes' if e.on_chip else 'no':>4s} "
                f"{e.cores:5d} {e.compartments:6d} {e.synapses:9d} "
                f"{e.synapse_bits / 1024:8.1f} {e.in_axons:6d} {e.out_axons:6d} "
                f"{100 * e.share:5.1f}%" + (f"  off chip: {e.reason}" if e.reason else "")
            )
        lines.append(
            f"on chip: {self.cores} cores = {100 * self.cores / CORES_PER_CHIP:.1f} % of one "
            f"Loihi 1 chip ({CORES_PER_CHIP} cores of {MAX_COMPARTMENTS} compartments, "
            f"{MAX_SYNAPSE_BITS // 1024} kbit synapse memory, {MAX_IN_AXONS} in- and "
            f"{MAX_OUT_AXONS} out-axons each); chips needed: {self.chips}"
        )
        if self.folded:
            lines.append(f"constant inputs folded into biases: {len(self.folded)}")
        if self.collapsed:
            lines.append(f"linear pass-through nodes bypassed: {len(self.collapsed)}")
        return "\n".join(lines)


def build_model(net, dt, *, discretize=True):
    """Build ``net`` as nengo-loihi would (split, discretised), without validation."""
    model = Model(dt=dt)
    model.validation_level = ValidationLevel.NONE
    model.build(net, discretize=discretize)
    return model


def ensemble_blocks(model, ens):
    """The (split) blocks of an on-chip ensemble in a built model.

    Found by label: nengo-loihi labels an ensemble's block ``str(ens)`` and the
    blocks split from it ``str(ens)[indices]`` (``split_blocks.split_block``).
    """
    label = str(ens)
    return [b for b in model.blocks
            if b.label == label or (b.label or "").startswith(label + "[")]


def block_use(block):
    """Per-core use of one block: the values compared with :data:`LIMITS`."""
    return {
        "compartments": block.compartment.n_compartments,
        "in_axons": sum(s.n_axons for s in block.synapses),
        "out_axons": sum(a.axon_slots() for a in block.axons),
        "synapse_bits": sum(s.bits() for s in block.synapses),
        "synapses": sum(s.size() for s in block.synapses),
    }


def block_share(use):
    return max(use[key] / limit for key, limit in LIMITS.items())


def placement_report(net, *, dt=0.001, model=None, reasons=None, folded=(), collapsed=()):
    """The placement report of ``net`` as nengo-loihi builds it.

    Parameters
    ----------
    net : nengo.Network
        A network with nengo-loihi's config (``nengo_loihi.add_params``).
    dt : float
        Simulator time step (s).
    model : nengo_loihi.builder.Model, optional
        An already built model of ``net`` (else it is built here).
    reasons : dict, optional
        ``{ensemble: why it is off chip}``.

    Returns
    -------
    PlacementReport
    """
    model = build_model(net, dt) if model is None else model
    reasons = reasons or {}
    entries = []
    for ens in net.all_ensembles:
        on_chip = model.split.on_chip(ens)
        label = ens.label or str(ens)
        config_shape = net.config[ens].block_shape
        if not on_chip:
            reason = reasons.get(ens, "on_chip = False")
            entries.append(EnsemblePlacement(
                label, str(type(ens.neuron_type).__name__), False, 0, 0, 0, 0, 0, 0,
                None, 0.0, reason))
            continue
        uses = [block_use(b) for b in ensemble_blocks(model, ens)]
        total = {key: sum(u[key] for u in uses) for key in uses[0]}
        entries.append(EnsemblePlacement(
            label, type(ens.neuron_type).__name__, True, len(uses), total["compartments"],
            total["synapses"], total["synapse_bits"], total["in_axons"], total["out_axons"],
            None if config_shape is None else tuple(config_shape.shape),
            max(block_share(u) for u in uses), ""))
    return PlacementReport(tuple(entries), tuple(folded), tuple(collapsed))


def over_limit(model, ens):
    """True if a block of the on-chip ``ens`` exceeds a per-core limit."""
    return any(block_share(block_use(b)) > 1 for b in ensemble_blocks(model, ens))


__all__ = ["EnsemblePlacement", "PlacementReport", "placement_report"]
