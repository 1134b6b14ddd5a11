"""``prepare(net)``: make a network deployable on Loihi and report its placement."""

import warnings

import nengo
import numpy as np
from nengo.ensemble import Neurons
from nengo.exceptions import BuildError, ConfigError
from nengo_loihi.block import MAX_COMPARTMENTS, LoihiBlock
from nengo_loihi.builder import Builder, Model
from nengo_loihi.compat import is_transform_type
from nengo_loihi.config import BlockShape

from nengo_snnext.loihi import _graph
from nengo_snnext.loihi.report import build_model, over_limit, placement_report

INPUT_LAYER = "input layer (fed on its neurons by a host node)"


def has_loihi_params(net):
    try:
        net.config[nengo.Ensemble].on_chip  # noqa: B018
    except (ConfigError, AttributeError):
        return False
    return True


def unmappable_reason(ens, dt):
    """Why ``ens``'s neuron type has no Loihi compartment (its BuildError), or None."""
    block = LoihiBlock(ens.n_neurons)
    model = Model(dt=dt)
    model.seeds[ens] = None  # read by the builders' initial-state check
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # initial-state warnings come again at the build
            Builder.build(model, ens.neuron_type, ens.neurons, block)
    except BuildError as error:
        return str(error)
    return None


def fed_by_host_node(net, ens):
    """True if a non-pass-through node connects to ``ens``'s neurons (a converted input)."""
    return any(
        isinstance(conn.post_obj, Neurons) and conn.post_obj.ensemble is ens
        and isinstance(conn.pre_obj, nengo.Node) and conn.pre_obj.output is not None
        for conn in net.all_connections
    )


def layer_shape(net, ens):
    """``(rows, cols, channels)`` (or channels first) of a conv-fed ensemble, else None."""
    for conn in net.all_connections:
        if (isinstance(conn.post_obj, Neurons) and conn.post_obj.ensemble is ens
                and is_transform_type(conn.transform, ("Convolution", "ConvolutionTranspose"))
                and conn.post_slice == slice(None)):
            return tuple(conn.transform.output_shape.shape)
    return None


def tile(shape, max_compartments, channels_last=True):
    """A block shape over ``shape`` with all channels (if they fit) and whole rows first."""
    shape = list(shape)
    ch = -1 if channels_last else 0
    channels = shape[ch]
    spatial = [i for i in range(len(shape)) if i != ch % len(shape)]
    block = [1] * len(shape)
    block[ch] = min(channels, max_compartments)
    room = max_compartments // block[ch]
    for i in reversed(spatial):  # innermost spatial axis first (columns, then rows)
        block[i] = max(1, min(shape[i], room))
        room //= block[i]
    return tuple(block)


def halve(block):
    """The block shape with its largest axis halved (None when every axis is 1)."""
    block = list(block)
    i = int(np.argmax(block))
    if block[i] == 1:
        return None
    block[i] = (block[i] + 1) // 2
    return tuple(block)


def set_block_shape(net, ens, block, shape):
    net.config[ens].block_shape = BlockShape(block, shape)


def prepare(
    net,
    *,
    auto_off_chip=False,
    input_layer_off_chip=True,
    fold_constants=True,
    block_shapes=True,
    max_compartments=MAX_COMPARTMENTS,
    inputs=(),
    dt=0.001,
):
    """Make ``net`` deployable on Loihi (in place) and return its placement report.

    Steps, each exact (the network computes the same currents):

    1. ``nengo_loihi.add_params(net)`` if the network has no ``on_chip`` config.
    2. ``fold_constants``: constant inputs of neurons (the biases of layers
       converted by ``nengo_dl.Converter``) are added to the ensembles' biases
       (:func:`~nengo_snnext.loihi._graph.fold_constant_inputs`), linear
       pass-through nodes are bypassed with composed transforms
       (:func:`~nengo_snnext.loihi._graph.merge_linear_nodes`), and sparse
       read-outs of chip neurons become dense. This fixes
       nengo-loihi's "'Sparse' transforms on host to chip connections" error of
       converted conv nets and keeps linear layers between chip layers on chip.
    3. ``input_layer_off_chip``: every ensemble fed on its neurons by a host
       node (the first layer of a converted network: nengo-loihi cannot send a
       convolution of host values to the chip, and would rate-code a dense one
       through decode neurons) runs on the host; its spikes go to the chip.
    4. ``auto_off_chip``: every ensemble whose neuron type has no compartment
       (its nengo-loihi builder raises ``BuildError``) runs on the host;
       otherwise building raises that error, naming the type and the fix.
    5. ``block_shapes``: an on-chip ensemble fed by a convolution and larger
       than ``max_compartments`` is split into spatial tiles with all channels
       (``nengo_loihi.BlockShape``); a tile whose synapse memory or axons
       exceed a core is halved until it fits. Others are split by nengo-loihi
       (sequentially) where needed.

    Ensembles already set ``on_chip = False`` or given a ``block_shape`` by the
    user are left as they are.

    Parameters
    ----------
    net : nengo.Network
        The network; changed in place.
    auto_off_chip : bool
        Place ensembles of types without a Loihi compartment off chip.
    input_layer_off_chip : bool
        Place ensembles fed on their neurons by host nodes off chip.
    fold_constants : bool
        Fold constant inputs into biases, bypass linear nodes, densify read-outs.
    block_shapes : bool
        Split large conv layers into spatial tiles.
    max_compartments : int
        Compartments per core for the tiles (at most Loihi 1's 1024).
    inputs : iterable of nengo.Node
        Input nodes whose output will be replaced (e.g. by
        ``nengo.processes.PresentInput``): never folded as constants. Nodes
        of zeros (``nengo_dl.Converter``'s inputs) are never folded either.
    dt : float
        Simulator time step (s) of the build.

    Returns
    -------
    PlacementReport
        Per ensemble: on/off chip (and why), cores, compartments, synapses,
        synapse memory, axons and the fullest core's share of the limits.
    """
    if not 1 <= max_compartments <= MAX_COMPARTMENTS:
        raise BuildError(f"max_compartments={max_compartments} must be in [1, {MAX_COMPARTMENTS}]")
    if not has_loihi_params(net):
        import nengo_loihi  # noqa: PLC0415

        nengo_loihi.add_params(net)
    folded, collapsed = (), ()
    if fold_constants:
        folded = tuple(_graph.fold_constant_inputs(net, keep=inputs))
        collapsed = tuple(_graph.merge_linear_nodes(net, keep=inputs))
    reasons = {}
    for ens in net.all_ensembles:
        if net.config[ens].on_chip is False:
            reasons[ens] = "on_chip = False (set by the user)"
            continue
        if input_layer_off_chip and fed_by_host_node(net, ens):
            net.config[ens].on_chip = False
            reasons[ens] = INPUT_LAYER
            continue
        if auto_off_chip:
            reason = unmappable_reason(ens, dt)
            if reason is not None:
                net.config[ens].on_chip = False
                reasons[ens] = f"no compartment: {reason.split(';')[0]}"
    tiled = {}
    if block_shapes:
        for ens in net.all_ensembles:
            shape = layer_shape(net, ens)
            if (net.config[ens].on_chip is not False and net.config[ens].block_shape is None
                    and shape is not None and ens.n_neurons > max_compartments):
                tiled[ens] = (tile(shape, max_compartments), shape)
                set_block_shape(net, ens, *tiled[ens])
    if fold_constants:
        _graph.sparse_to_host_as_dense(net, lambda ens: net.config[ens].on_chip is not False)
    model = build_model(net, dt)
    for _ in range(12):
        too_big = [ens for ens in tiled if over_limit(model, ens)]
        if not too_big:
            break
        for ens in too_big:
            block, shape = tiled[ens]
            smaller = halve(block)
            if smaller is None:
                raise BuildError(f"{ens}: one compartment per core still exceeds a core's limits")
            tiled[ens] = (smaller, shape)
            set_block_shape(net, ens, smaller, shape)
        model = build_model(net, dt)
    return placement_report(net, dt=dt, model=model, reasons=reasons, folded=folded,
                            collapsed=collapsed)
