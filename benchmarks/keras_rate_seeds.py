"""Seed spread of the rate-trained and count-trained digits models of ``docs/keras.md``.

For each seed (``tf.keras.utils.set_random_seed``, op determinism on), trains the
page's 64 -> Dense(128) -> KLIF -> time average -> Dense(10) model on one time step,
once with the smooth rate (``nk.KLIF(amplitude=0.01)``) and once with 20-step counts
(``rate_steps=20``), and prints both spiking test accuracies over 20 steps. Run
(about 3 minutes on 2 CPU cores with the defaults)::

    python benchmarks/keras_rate_seeds.py --seeds 8 --epochs 30 --lr 0.001
    python benchmarks/keras_rate_seeds.py --seeds 6 --epochs 5 --lr 0.003
"""

import argparse

import numpy as np


def train_and_test(layer, data, *, epochs, lr, batch_size=32, test_steps=20):
    """Spiking test accuracy of the page's model with ``layer`` trained on one step."""
    import tensorflow as tf

    (x_train, y_train), (x_test, y_test) = data
    model = tf.keras.Sequential([
        tf.keras.Input((None, 64)), tf.keras.layers.Dense(128), layer,
        tf.keras.layers.GlobalAveragePooling1D(), tf.keras.layers.Dense(10)])
    model.compile(tf.keras.optimizers.Adam(lr),
                  tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(x_train[:, None, :], y_train, epochs=epochs, batch_size=batch_size, verbose=0)
    x_spiking = np.repeat(x_test[:, None, :], test_steps, axis=1)
    return model.evaluate(x_spiking, y_test, verbose=0)[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=8, help="seeds 0 .. N-1")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--lr", type=float, default=0.001)
    args = parser.parse_args(argv)

    import tensorflow as tf

    import nengo_snnext.keras as nk
    from nengo_snnext.data import load_digits

    tf.config.experimental.enable_op_determinism()
    data = load_digits()
    rows = []
    for seed in range(args.seeds):
        tf.keras.utils.set_random_seed(seed)
        rate = train_and_test(nk.KLIF(amplitude=0.01), data, epochs=args.epochs, lr=args.lr)
        counted = train_and_test(nk.KLIF(amplitude=0.01, rate_steps=20), data,
                                 epochs=args.epochs, lr=args.lr)
        rows.append((rate, counted))
        print(f"seed {seed}: rate {rate:.3f}, 20-step counts {counted:.3f}", flush=True)
    rates, counts = np.array(rows).T
    for label, acc in (("rate", rates), ("20-step counts", counts)):
        print(f"{label}: {acc.min():.3f}-{acc.max():.3f} (median {np.median(acc):.3f}) "
              f"after {args.epochs} epochs at {args.lr}")


if __name__ == "__main__":
    main()
