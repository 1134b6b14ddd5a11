"""Where the MIF thesis network's accuracy gap comes from: the rate network or its spikes.

Trains ``thurein_cnn.build(NEURON)`` as ``thurein_cnn.reproduce()`` does (Fashion-MNIST,
filters 16/32/64, RMSprop 1e-3, minibatch 200, chunks of 2000 images, the same
subsets and seeds), then tests the trained weights on 300 test images four ways:

- ``rate``: the same network in NengoDL's training mode (``learning_phase=True``: every
  neuron outputs its rate curve, which is what training optimised);
- ``spikes``: spiking, ``synapse=None`` (as trained), 30 steps;
- ``spikes 5 ms``: spiking with a 5 ms lowpass into each next layer, 30 and 100 steps.

One configuration per run (about 2 minutes on 2 CPU cores; ``--epochs 6`` about 4)::

    python benchmarks/thurein_rate_probe.py MIF
    python benchmarks/thurein_rate_probe.py LIF --max-rates 100 --input-scale 0.1 --epochs 6
"""

import argparse
import os
import tempfile
import time


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("neuron", choices=["LIF", "MIF", "MIF2"])
    parser.add_argument("--max-rates", type=float, default=100.0, help="Hz at x = 1")
    parser.add_argument("--input-scale", type=float, default=1.0, help="times the pixels 0-255")
    parser.add_argument("--n-train", type=int, default=6000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--n-test", type=int, default=300)
    args = parser.parse_args(argv)

    import nengo_dl

    from nengo_snnext.data import load_fashion_mnist
    from nengo_snnext.networks import nengo_dl_tutorial as tutorial
    from nengo_snnext.networks import thurein_cnn

    train, test = tutorial.load_data(load_fashion_mnist, n_train=args.n_train,
                                     n_test=args.n_test, scale=args.input_scale, seed=0)

    def network(synapse=None, rate=False):
        net = thurein_cnn.build(args.neuron, max_rates=args.max_rates,
                                filters=thurein_cnn.FULL_FILTERS, synapse=synapse, seed=0)
        if rate:
            with net:
                nengo_dl.configure_settings(learning_phase=True)
        return net

    net = network()
    mb = tutorial.MINIBATCH_SIZE
    with nengo_dl.Simulator(net, minibatch_size=mb, seed=0, progress_bar=False) as sim:
        tutorial.compile_training(sim, net, thurein_cnn.LEARNING_RATE)
        tutorial.fit(sim, net, *(a[:mb] for a in train))  # traces the training graph
        start = time.time()
        for epoch in range(args.epochs):
            for index in thurein_cnn.epoch_chunks(args.n_train, epoch):
                tutorial.fit(sim, net, train[0][index], train[1][index])
        seconds = time.time() - start
        params = os.path.join(tempfile.mkdtemp(), "params")
        sim.save_params(params)
    results = {}
    for label, synapse, rate, steps in [("rate", None, True, 30), ("spikes", None, False, 30),
                                        ("spikes 5 ms", 0.005, False, 30),
                                        ("spikes 5 ms, 100 steps", 0.005, False, 100)]:
        test_net = network(synapse, rate)
        with nengo_dl.Simulator(test_net, minibatch_size=mb, seed=0, progress_bar=False) as sim:
            sim.load_params(params)
            results[label] = tutorial.spiking_accuracy(sim, test_net, *test, n_steps=steps)
    print(f"{args.neuron}, {args.max_rates:g} Hz, input x {args.input_scale:g}, "
          f"{args.epochs} x {args.n_train} images ({seconds:.0f} s): "
          + ", ".join(f"{k} {100 * v:.1f} %" for k, v in results.items()))


if __name__ == "__main__":
    main()
