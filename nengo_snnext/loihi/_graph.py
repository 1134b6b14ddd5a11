"""Exact rewrites of a Nengo network that let nengo-loihi build it.

Two patterns of ``nengo_dl.Converter`` networks fail on nengo-loihi 1.1, or run
through its approximate host paths, although they compute nothing a chip cannot:

- **Constant inputs** (the biases of converted layers): a constant ``Node`` ->
  (relay ``Node``) -> ``Sparse`` broadcast -> the neurons of a layer. nengo-loihi
  refuses ``Sparse`` transforms from host to chip (and would send any constant
  from the host through rate-coded decode neurons). :func:`fold_constant_inputs`
  adds the constant current to the ensemble's ``bias`` (times its ``gain``, as
  Nengo applies gains to connections into neurons) and removes the path: the
  compartments receive the same current, now as their own bias.
- **Linear layer nodes**: a layer without an activation (``TimeDistributed(Conv2D)``
  before a spiking layer) becomes a pass-through ``Node`` whose one outgoing
  connection feeds the next layer's neurons. nengo-loihi's pass-through removal
  merges only dense transforms, so a convolution into such a node leaves it on
  the host, between two on-chip layers. :func:`collapse_identity_nodes` connects
  each input of the node straight to the neurons (same transform and synapse).

Both are exact (the simulated currents are unchanged, up to float rounding) and
are done in place on the user's network.
"""

import nengo
import numpy as np
from nengo.ensemble import Neurons
from nengo_loihi.compat import is_transform_type, sample_transform


def owner(net, obj, kind):
    """The (sub)network whose ``kind`` list ('connections', 'nodes') holds ``obj``."""
    for network in [net, *net.all_networks]:
        if obj in getattr(network, kind):
            return network
    raise KeyError(f"{obj} is not in {net}")


def fixed_transform(conn):
    """The transform of ``conn`` as an array/sparse matrix, or None if it is random."""
    if not is_transform_type(conn.transform, ("NoTransform", "Dense", "Sparse")):
        return None
    first = sample_transform(conn, rng=np.random.RandomState(0))
    second = sample_transform(conn, rng=np.random.RandomState(1))
    if hasattr(first, "toarray"):
        first, second = first.toarray(), second.toarray()
    return np.asarray(first) if np.array_equal(first, second) else None


def apply_transform(conn, weights, value):
    """``conn``'s output for the constant input ``value`` (the full pre output)."""
    x = np.asarray(value, dtype=float)[conn.pre_slice]
    if conn.function is not None:
        return None
    if weights.ndim == 0 or weights.ndim == 1:
        return weights * x
    return weights @ x


def per_neuron(param, n):
    """An ensemble's ``gain``/``bias`` as an array, or None if it is random."""
    if isinstance(param, nengo.dists.Choice) and len(param.options) == 1:
        return np.full(n, float(np.asarray(param.options).ravel()[0]))
    if isinstance(param, np.ndarray) or isinstance(param, (list, tuple)):
        return np.asarray(param, dtype=float).copy()
    return None


def probed(net, obj):
    return any(p.target is obj or getattr(p.target, "obj", None) is obj for p in net.all_probes)


def constant_output(net, node):
    """The constant output of ``node`` (a node with a fixed, non-zero array output, unprobed).

    A node of zeros is taken for an input placeholder (``nengo_dl.Converter``
    makes its input nodes so) and is never folded.
    """
    if not isinstance(node, nengo.Node) or node.size_in != 0 or node.output is None:
        return None
    if callable(node.output) or isinstance(node.output, nengo.Process) or probed(net, node):
        return None
    value = np.asarray(node.output, dtype=float).ravel()
    return value if np.any(value) else None


def fold_targets(net, conn, value, outgoing):
    """``[(ensemble, post_slice, current)]`` that ``value`` through ``conn`` adds, or None.

    Follows pass-through nodes (each of their outgoing connections must take the
    constant on to neurons without a synapse); None where any path ends elsewhere.
    """
    if conn.synapse is not None:
        return None
    weights = fixed_transform(conn)
    if weights is None:
        return None
    current = apply_transform(conn, weights, value)
    if current is None:
        return None
    post = conn.post_obj
    if isinstance(post, Neurons):
        return [(post.ensemble, conn.post_slice, current)]
    if not (isinstance(post, nengo.Node) and post.output is None) or probed(net, post):
        return None
    full = np.zeros(post.size_in)
    full[conn.post_slice] += current
    targets = []
    for nxt in outgoing.get(post, []):
        found = fold_targets(net, nxt, full, outgoing)
        if found is None:
            return None
        targets.extend(found)
    return targets


def outgoing_connections(net):
    outgoing = {}
    for conn in net.all_connections:
        outgoing.setdefault(conn.pre_obj, []).append(conn)
    return outgoing


def fold_constant_inputs(net, keep=()):
    """Fold constant inputs of neurons into their ensembles' biases (in place).

    Parameters
    ----------
    net : nengo.Network
        The network, changed in place.
    keep : iterable of nengo.Node
        Nodes never folded (inputs whose output will be replaced).

    Returns
    -------
    folded : list of str
        One line per folded constant (``"<source> -> <ensemble>"``).
    """
    outgoing = outgoing_connections(net)
    folded = []
    keep = set(keep)
    for node in list(net.all_nodes):
        value = None if node in keep else constant_output(net, node)
        if value is None:
            continue
        conns = outgoing.get(node, [])
        plans = [fold_targets(net, conn, value, outgoing) for conn in conns]
        for conn, plan in zip(conns, plans):
            if plan is None:
                continue
            for ens, post_slice, current in plan:
                gain = per_neuron(ens.gain, ens.n_neurons)
                bias = per_neuron(ens.bias, ens.n_neurons)
                if gain is None or bias is None:
                    break
            else:
                for ens, post_slice, current in plan:
                    gain = per_neuron(ens.gain, ens.n_neurons)
                    bias = per_neuron(ens.bias, ens.n_neurons)
                    bias[post_slice] += gain[post_slice] * current
                    ens.gain, ens.bias = gain, bias
                    folded.append(f"{node.label or node} -> {ens.label or ens}")
                owner(net, conn, "connections").connections.remove(conn)
                outgoing[node].remove(conn)
        if not outgoing.get(node):
            owner(net, node, "nodes").nodes.remove(node)
    remove_dead_relays(net)
    return folded


def remove_dead_relays(net):
    """Remove pass-through nodes left without inputs (and their outgoing connections)."""
    changed = True
    while changed:
        changed = False
        fed = {conn.post_obj for conn in net.all_connections}
        for node in list(net.all_nodes):
            if node.output is None and node not in fed and not probed(net, node):
                for conn in [c for c in net.all_connections if c.pre_obj is node]:
                    owner(net, conn, "connections").connections.remove(conn)
                owner(net, node, "nodes").nodes.remove(node)
                changed = True


def is_identity(conn):
    return (
        is_transform_type(conn.transform, "NoTransform")
        and conn.function is None
        and conn.pre_slice == slice(None)
        and conn.post_slice == slice(None)
        and conn.pre_obj.size_out == conn.post_obj.size_in
    )


def collapse_identity_nodes(net):
    """Connect the inputs of identity pass-through nodes straight to the neurons they feed.

    A pass-through node (not probed) whose only outgoing connection is an
    identity into neurons is removed; each of its incoming connections is
    re-made onto the neurons with the same transform, slices, function and
    synapse (the outgoing synapse where the incoming one is None).

    Parameters
    ----------
    net : nengo.Network
        The network, changed in place.

    Returns
    -------
    collapsed : list of str
        The labels of the removed nodes.
    """
    collapsed = []
    for node in list(net.all_nodes):
        if node.output is not None or probed(net, node):
            continue
        out = [c for c in net.all_connections if c.pre_obj is node]
        into = [c for c in net.all_connections if c.post_obj is node]
        if len(out) != 1 or not isinstance(out[0].post_obj, Neurons) or not is_identity(out[0]):
            continue
        if any(c.synapse is not None for c in into) and out[0].synapse is not None:
            continue
        (last,) = out
        for conn in into:
            network = owner(net, conn, "connections")
            with network:
                nengo.Connection(
                    conn.pre, last.post_obj[conn.post_slice], transform=conn.transform,
                    function=conn.function, synapse=conn.synapse or last.synapse,
                    label=conn.label,
                )
            network.connections.remove(conn)
        owner(net, last, "connections").connections.remove(last)
        owner(net, node, "nodes").nodes.remove(node)
        collapsed.append(node.label or str(node))
    return collapsed
