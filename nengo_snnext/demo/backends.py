"""Evaluate a converted spiking classifier on each Nengo backend.

The Keras model (:mod:`nengo_snnext.networks.klif_cnn`) converts with
``nengo_snnext.convert(model, temporal_model=True)``: its output is then the running
mean of the votes, so the output at step ``t`` is the decision after ``t`` steps and
the last step equals the Keras output. Every backend returns a
:class:`BackendResult` with the per-step outputs of every image, so accuracy against
the number of steps comes from one run.
"""

import time
import warnings
from dataclasses import dataclass, field

import numpy as np


@dataclass
class BackendResult:
    """What one backend gave on the test images."""

    backend: str
    outputs: np.ndarray = None  # (images, steps, classes): the running-mean votes
    labels: np.ndarray = None
    seconds: float = None
    spikes_per_image: float = None  # all spiking layers, over the whole presentation
    note: str = ""  # e.g. a stated subset, or why there is no result
    extra: dict = field(default_factory=dict)

    @property
    def supported(self):
        return self.outputs is not None

    @property
    def accuracy(self):
        return None if not self.supported else accuracy_at(self.outputs, self.labels)[-1]

    @property
    def n_images(self):
        return 0 if not self.supported else len(self.outputs)


def accuracy_at(outputs, labels):
    """Accuracy after each number of steps: ``(images, steps, classes) -> (steps,)``."""
    return np.mean(outputs.argmax(axis=-1) == np.asarray(labels)[:, None], axis=0)


def spiking_layers(model):
    """The model's spiking layers (``nengo_snnext.keras.SpikingNeurons``), in order."""
    from nengo_snnext.keras import SpikingNeurons

    return [layer for layer in model.layers if isinstance(layer, SpikingNeurons)]


def convert(model):
    """The converter of the trained spiking model, with a spike probe per spiking layer."""
    import nengo

    import nengo_snnext

    converter = nengo_snnext.convert(model, temporal_model=True)
    with converter.net:
        converter.spike_probes = {
            layer.name: nengo.Probe(converter.layers[layer.output])
            for layer in spiking_layers(model)
        }
    return converter


def _spike_count(value_sums, converter, model, dt):
    """Mean spikes per image over all spiking layers.

    ``value_sums``: per spike probe, the mean over images of the sum of its values
    (each spike is ``amplitude / dt``).
    """
    layers = {layer.name: layer for layer in spiking_layers(model)}
    return float(sum(value_sums[probe] * dt / layers[name].neuron_type.amplitude
                     for name, probe in converter.spike_probes.items()))


def evaluate_nengo_dl(converter, model, x, y, steps, *, minibatch_size=100, chunk=1000,
                      progress=True):
    """All of ``x`` in ``nengo_dl.Simulator``, batched, ``steps`` steps per image.

    The images go through ``sim.predict`` ``chunk`` at a time (the spike probes of a
    28 x 28 x 32 layer over 10,000 images would hold gigabytes); spikes are counted
    per chunk.
    """
    import nengo_dl
    from tqdm.auto import tqdm

    dt = spiking_layers(model)[0].dt
    chunk = max(minibatch_size, chunk // minibatch_size * minibatch_size)
    n = len(x)
    if n % minibatch_size:  # pad the last minibatch; its padding is dropped
        x = np.concatenate([x, np.repeat(x[-1:], minibatch_size - n % minibatch_size, axis=0)])
    outputs, totals = [], {}
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "No GPU support detected")
        sim = nengo_dl.Simulator(converter.net, dt=dt, minibatch_size=minibatch_size,
                                 progress_bar=False)
    with sim:
        for i in tqdm(range(0, len(x), chunk), desc="nengo_dl.Simulator", unit="chunk",
                      disable=not progress):
            inputs = np.repeat(x[i:i + chunk].reshape(-1, 1, x[0].size), steps, axis=1)
            data = sim.predict({converter.inputs[model.input]: inputs}, verbose=0)
            keep = min(len(inputs), n - i)
            outputs.append(np.asarray(data[converter.outputs[model.output]])[:keep])
            for p in converter.spike_probes.values():
                counts = np.asarray(data[p])[:keep].reshape(keep, -1).sum(axis=1)
                totals[p] = totals.get(p, 0.0) + counts.sum()
    seconds = time.perf_counter() - start
    spikes = {p: total / n for p, total in totals.items()}
    return BackendResult("nengo_dl", np.concatenate(outputs), np.asarray(y), seconds,
                         _spike_count(spikes, converter, model, dt))


def evaluate_nengo(converter, model, x, y, steps, *, progress=True, raster_image=0):
    """``x`` one image at a time in ``nengo.Simulator``, reset between images.

    Also records the spikes of every spiking layer for image ``raster_image``
    (``result.extra["raster"]``: ``{layer: (steps, neurons)}``).
    """
    import nengo
    from tqdm.auto import tqdm

    dt = spiking_layers(model)[0].dt
    node = converter.inputs[model.input]
    current = {"image": np.zeros(node.size_out)}
    node.output = lambda t: current["image"]
    probe = converter.outputs[model.output]
    outputs, spikes, raster = [], [], None
    start = time.perf_counter()
    with nengo.Simulator(converter.net, dt=dt, progress_bar=False) as sim:
        for i in tqdm(range(len(x)), desc="nengo.Simulator", unit="image", disable=not progress):
            sim.reset()
            current["image"] = x[i].reshape(-1)
            sim.run_steps(steps)
            outputs.append(sim.data[probe].copy())
            spikes.append({p: sim.data[p].sum(axis=0) for p in converter.spike_probes.values()})
            if i == raster_image:
                raster = {name: sim.data[p].copy() for name, p in converter.spike_probes.items()}
    seconds = time.perf_counter() - start
    node.output = np.zeros(node.size_out)
    counts = {p: np.mean([s[p].sum() for s in spikes]) for p in converter.spike_probes.values()}
    return BackendResult("nengo", np.stack(outputs), np.asarray(y), seconds,
                         _spike_count(counts, converter, model, dt),
                         extra={"raster": raster})


def per_step_model(model):
    """The model up to its votes per step (without the mean over time): what a chip reads."""
    import tensorflow as tf

    from nengo_snnext.keras import TimeMean

    [mean] = [layer for layer in model.layers if isinstance(layer, TimeMean)]
    return tf.keras.Model(model.input, mean.input, name=f"{model.name}_per_step")


def evaluate_loihi(converter, model, x, y, steps, *, progress=True):
    """The network on the Loihi emulator (:func:`nengo_snnext.loihi.evaluate_converted`).

    The chip runs the images one after the other without a reset, so the converted
    model is the one without the mean over time (the votes per step, averaged by the
    evaluation). Without nengo-loihi, or where the network cannot be deployed, the
    result says why and reports no number.
    """
    from nengo_snnext.backends.extras import missing

    if missing("nengo_loihi"):
        return BackendResult("loihi", note='nengo-loihi is not installed: pip install '
                                           '"nengo-snnext[loihi]"')
    try:
        from nengo_snnext.loihi import evaluate_converted
    except ImportError as error:
        return BackendResult("loihi", note=f"not yet supported ({error})")
    import nengo_snnext

    dt = spiking_layers(model)[0].dt
    from nengo.exceptions import NengoException

    chip_converter = nengo_snnext.convert(per_step_model(model), temporal_model=True)
    try:
        result = evaluate_converted(chip_converter, x, y, n_steps=steps, dt=dt,
                                    progress=progress)
    except NengoException as error:  # a network nengo-loihi cannot build yet: say so
        first_line = str(error).splitlines()[0]
        return BackendResult("loihi", note=f"not yet supported: {type(error).__name__}: "
                                           f"{first_line}")
    n_classes = int(np.max(y)) + 1
    outputs = np.eye(n_classes)[np.asarray(result["predictions"])][:, None, :]
    return BackendResult("loihi", outputs, np.asarray(y), result["seconds"],
                         note="emulator, images in sequence without reset",
                         extra={"report": result.get("report")})
