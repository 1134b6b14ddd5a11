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
  before a spiking layer, batch normalisation, pooling) becomes a pass-through
  ``Node``. nengo-loihi's pass-through removal merges only dense transforms,
  so a convolution into such a node leaves it on the host, between two on-chip
  layers. :func:`merge_linear_nodes` connects each input of the node straight
  to its target, with the composed transform (a convolution stays a
  convolution where the next transform is a per-channel scale).
- **Sparse read-outs**: :func:`sparse_to_host_as_dense` (nengo-loihi applies
  only dense transforms to chip outputs).

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
    makes its input nodes so) and is never folded, unless it is labelled as
    the converter labels its bias nodes (``"<layer>.bias"``).
    """
    if not isinstance(node, nengo.Node) or node.size_in != 0 or node.output is None:
        return None
    if callable(node.output) or isinstance(node.output, nengo.Process) or probed(net, node):
        return None
    value = np.asarray(node.output, dtype=float).ravel()
    bias = (node.label or "").endswith(".bias")  # nengo_dl.Converter's bias nodes
    return value if np.any(value) or bias else None


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


def conv_matrix(transform, max_size=2**22):
    """The dense matrix (size_out x size_in) of a 2-D ``nengo.Convolution``, or None."""
    from nengo.builder.transforms import conv2d  # noqa: PLC0415

    kernel = transform.init
    if (not is_transform_type(transform, "Convolution") or transform.dimensions != 2
            or getattr(transform, "groups", 1) != 1 or not isinstance(kernel, np.ndarray)
            or transform.size_in * transform.size_out > max_size):
        return None
    shape = transform.input_shape.shape
    eye = np.eye(transform.size_in).reshape(-1, *shape)
    if not transform.channels_last:
        eye = np.moveaxis(eye, 1, -1)
    out = conv2d(eye, kernel, pad=transform.padding.upper(), stride=transform.strides)
    if not transform.channels_last:
        out = np.moveaxis(out, -1, 1)
    return out.reshape(transform.size_in, -1).T


def as_matrix(conn):
    """``conn``'s transform as an array (0-d scalar, 1-d diagonal, 2-d), or None."""
    weights = fixed_transform(conn)
    if weights is not None:
        return weights
    return conv_matrix(conn.transform)


def channel_scale(conv, scale):
    """A per-output-channel scale equal to the elementwise ``scale`` after ``conv``, or None."""
    scale = np.broadcast_to(np.asarray(scale, dtype=float), (conv.size_out,))
    shape = conv.output_shape.shape
    axis = -1 if conv.channels_last else 0
    channels = np.moveaxis(scale.reshape(shape), axis, -1).reshape(-1, shape[axis])
    return channels[0] if np.all(channels == channels[0]) else None


def compose(first, second):
    """The transform of ``second`` after ``first`` (both full-slice connections), or None."""
    b = fixed_transform(second)
    if b is not None and b.ndim <= 1 and is_transform_type(first.transform, "Convolution"):
        per_channel = channel_scale(first.transform, b)
        if per_channel is not None and isinstance(first.transform.init, np.ndarray):
            conv = first.transform
            return nengo.Convolution(
                conv.n_filters, conv.input_shape, kernel_size=conv.kernel_size,
                strides=conv.strides, padding=conv.padding, channels_last=conv.channels_last,
                init=conv.init * per_channel,
            )
    a = as_matrix(first)
    b = as_matrix(second) if b is None else b
    if a is None or b is None:
        return None
    if a.ndim < 2 and b.ndim < 2:
        product = a * b
    elif b.ndim < 2:  # an elementwise scale after a matrix
        product = np.broadcast_to(b, (second.size_out,))[:, None] * a
    elif a.ndim < 2:
        product = b * a
    else:
        product = b @ a
    if np.ndim(product) == 0:
        return float(product)
    if np.ndim(product) == 1:
        return nengo.Dense((product.size, product.size), init=product)
    return nengo.Dense(product.shape, init=product)


def full(conn):
    return conn.pre_slice == slice(None) and conn.post_slice == slice(None)


def merge_linear_nodes(net, keep=()):
    """Bypass linear pass-through nodes: each input connects straight to the node's target.

    A pass-through node (not probed, not in ``keep``) with one outgoing
    connection (no function, full slices) is removed when every incoming
    connection (full post slice) composes with the outgoing transform: an
    identity, an elementwise scale after a convolution (constant per channel,
    e.g. inference batch normalisation: the kernel is scaled), or dense
    products (a convolution as its matrix, up to 2**22 entries). At most one
    of the two synapses may be set; the new connection takes it.

    Parameters
    ----------
    net : nengo.Network
        The network, changed in place.
    keep : iterable of nengo.Node
        Nodes never removed.

    Returns
    -------
    merged : list of str
        The labels of the removed nodes.
    """
    merged = []
    keep = set(keep)
    changed = True
    while changed:
        changed = False
        for node in list(net.all_nodes):
            if node.output is not None or node in keep or probed(net, node):
                continue
            out = [c for c in net.all_connections if c.pre_obj is node]
            into = [c for c in net.all_connections if c.post_obj is node]
            if len(out) != 1 or out[0].function is not None or not full(out[0]) or not into:
                continue
            (last,) = out
            if any(c.post_slice != slice(None) for c in into) or (
                    any(c.synapse is not None for c in into) and last.synapse is not None):
                continue
            transforms = [nengo.transforms.NoTransform(last.size_out) if is_identity(last)
                          else compose(c, last) for c in into]
            if any(t is None for t in transforms) or any(
                    c.function is not None and is_transform_type(t, "Convolution")
                    for c, t in zip(into, transforms)):
                continue
            for conn, transform in zip(into, transforms):
                if is_identity(last):
                    transform = conn.transform
                network = owner(net, conn, "connections")
                with network:
                    nengo.Connection(
                        conn.pre, last.post, transform=transform, function=conn.function,
                        synapse=conn.synapse if conn.synapse is not None else last.synapse,
                        label=conn.label,
                    )
                network.connections.remove(conn)
            owner(net, last, "connections").connections.remove(last)
            owner(net, node, "nodes").nodes.remove(node)
            merged.append(node.label or str(node))
            changed = True
    return merged


def is_identity(conn):
    return (
        is_transform_type(conn.transform, "NoTransform")
        and conn.function is None
        and full(conn)
        and conn.pre_obj.size_out == conn.post_obj.size_in
    )


def sparse_to_host_as_dense(net, on_chip):
    """Make ``Sparse`` transforms from on-chip neurons to host nodes ``Dense`` (in place).

    nengo-loihi 1.1 reads chip outputs through probes and applies only dense
    transforms on the host (``build_chip_to_host``). ``on_chip(ensemble)``
    tells the placement. Returns the labels of the changed connections.
    """
    changed = []
    for conn in list(net.all_connections):
        pre, post = conn.pre_obj, conn.post_obj
        if (is_transform_type(conn.transform, "Sparse") and isinstance(pre, Neurons)
                and on_chip(pre.ensemble) and isinstance(post, nengo.Node)):
            weights = fixed_transform(conn)
            if weights is None:
                continue
            network = owner(net, conn, "connections")
            with network:
                nengo.Connection(conn.pre, conn.post, transform=weights, function=conn.function,
                                 synapse=conn.synapse, label=conn.label)
            network.connections.remove(conn)
            changed.append(conn.label or str(conn))
    return changed
