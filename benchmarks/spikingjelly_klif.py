"""SpikingJelly worker of ``bench_keras.py``: the thesis' Fashion-MNIST KLIF network in PyTorch.

Runs in its own venv (PyTorch on the CPU, SpikingJelly), never imported by
nengo-snnext: ``bench_keras.py`` launches it as a subprocess, once per
repetition, interleaved with the Keras worker, and reads one JSON line from
its stdout: per-batch wall times and process CPU time per batch, of training
and of inference. The network, data, batch, optimiser, T and thread count are those
of the Keras worker (``bench_keras.py: build_klif_model``):

    encoder: 3 x (Conv2d(1, C, 3, pad 1, no bias) + BatchNorm2d) summed, once per image
    -> repeat over T -> KLIF -> Conv2d(C, C, 3) + BN -> KLIF -> AvgPool2d(2)
    -> Linear(C * 14 * 14, H) + BN -> KLIF -> Linear(H, 100) + BN -> KLIF
    -> voting: mean of 10 outputs per class, mean over T; MSE to one-hot; Adam

KLIF is ``spikingjelly.activation_based.neuron.KLIFNode`` (multi-step,
``tau = 2``, ``V_th = 1``, hard reset to 0, arctan surrogate with alpha = 2, one
trainable ``k`` per layer, clamped to [0.5, 5] after every optimiser step as
the Keras layer's constraint does). Standalone::

    /tmp/sj-venv/bin/python benchmarks/spikingjelly_klif.py --data data.npz

With ``--curve 60 120 ...`` it instead trains until each of those seconds of
training and tests on all test images there (the curve of ``bench_fashion_curve.py``).
"""

import argparse
import json
import os
import time

WARMUP_BATCHES = 2  # as bench_keras.py
INFERENCE_PASSES = 3  # timed passes over the test images, after one warm-up pass

def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help=".npz with x_train, y_train, x_test, y_test")
    parser.add_argument("--channels", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--steps", type=int, default=4, help="T")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--epochs", type=int, default=2,
                        help="timed epochs (after 2 warm-up batches)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--curve", type=float, nargs="*", default=None,
                        help="accuracy-vs-time mode: test on all test images after these "
                             "seconds of training (tests not counted) and print the curve")
    return parser.parse_args()


def main():
    args = parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import numpy as np
    import spikingjelly
    import torch
    from spikingjelly.activation_based import functional, neuron, surrogate
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(args.threads)
    torch.manual_seed(args.seed)
    data = np.load(args.data)
    # NHWC floats in [0, 1] -> NCHW
    x_train = torch.from_numpy(np.ascontiguousarray(data["x_train"].transpose(0, 3, 1, 2)))
    x_test = torch.from_numpy(np.ascontiguousarray(data["x_test"].transpose(0, 3, 1, 2)))
    y_train = torch.from_numpy(data["y_train"].astype(np.int64))
    y_test = torch.from_numpy(data["y_test"].astype(np.int64))
    C, H, T = args.channels, args.hidden, args.steps
    rows, cols = x_train.shape[2:]

    def klif():
        return neuron.KLIFNode(surrogate_function=surrogate.ATan(alpha=2.0), step_mode="m")

    def conv_bn(c_in):
        return nn.Sequential(nn.Conv2d(c_in, C, 3, padding=1, bias=False), nn.BatchNorm2d(C))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.ModuleList([conv_bn(1) for _ in range(3)])
            self.sn1 = klif()
            self.conv = conv_bn(C)
            self.sn2 = klif()
            self.pool = nn.AvgPool2d(2)
            self.fc1 = nn.Sequential(nn.Linear(C * (rows // 2) * (cols // 2), H, bias=False),
                                     nn.BatchNorm1d(H))
            self.sn3 = klif()
            self.fc2 = nn.Sequential(nn.Linear(H, 100, bias=False), nn.BatchNorm1d(100))
            self.sn4 = klif()

        def forward(self, x):  # x: (N, 1, rows, cols)
            n = x.shape[0]
            encoded = sum(branch(x) for branch in self.encoder)  # once per image
            s = self.sn1(encoded.unsqueeze(0).repeat(T, 1, 1, 1, 1))  # (T, N, C, rows, cols)
            s = self.sn2(self.conv(s.flatten(0, 1)).view(T, n, C, rows, cols))
            s = self.pool(s.flatten(0, 1)).flatten(1)  # (T N, C rows/2 cols/2)
            s = self.sn3(self.fc1(s).view(T, n, H))
            s = self.sn4(self.fc2(s.flatten(0, 1)).view(T, n, 100))
            return s.view(T, n, 10, 10).mean(dim=3).mean(dim=0)  # voting, mean over T

    net = Net()
    optimiser = torch.optim.Adam(net.parameters(), lr=args.lr)
    ks = [m.k for m in net.modules() if isinstance(m, neuron.KLIFNode)]
    mse = nn.MSELoss()
    n_batches = len(x_train) // args.batch  # drop the remainder, as the Keras worker

    def train_batch(idx):
        optimiser.zero_grad(set_to_none=True)
        out = net(x_train[idx])
        loss = mse(out, nn.functional.one_hot(y_train[idx], 10).float())
        loss.backward()
        optimiser.step()
        with torch.no_grad():
            for k in ks:
                k.clamp_(0.5, 5.0)
        functional.reset_net(net)

    def epoch(generator, batches=n_batches):
        """Train one epoch; per-batch wall times and the process CPU time per batch."""
        net.train()
        order = torch.randperm(len(x_train), generator=generator)
        times, cpu = [], time.process_time()
        for b in range(batches):
            start = time.perf_counter()
            train_batch(order[b * args.batch:(b + 1) * args.batch])
            times.append(time.perf_counter() - start)
        return times, (time.process_time() - cpu) / batches

    def train_with_curve(generator, points):
        """Train until each of ``points`` (s of training, tests excluded), testing there."""
        points, curve, train_s, seen = sorted(points), [], 0.0, 0
        while points:
            order = torch.randperm(len(x_train), generator=generator)
            for b in range(n_batches):
                net.train()
                start = time.perf_counter()
                train_batch(order[b * args.batch:(b + 1) * args.batch])
                train_s += time.perf_counter() - start
                seen += args.batch
                if train_s < points[0]:
                    continue
                start = time.perf_counter()
                accuracy = inference()[2]
                curve.append(dict(train_seconds=train_s, examples=seen, accuracy=accuracy,
                                  test_seconds=time.perf_counter() - start))
                points = [p for p in points if p > train_s]
                if not points:
                    return curve
        return curve

    def inference():
        """One pass over the test images: per-batch wall times, CPU per batch, accuracy."""
        net.eval()
        correct, times, cpu = 0, [], time.process_time()
        with torch.no_grad():
            for b in range(0, len(x_test), args.batch):
                start = time.perf_counter()
                out = net(x_test[b:b + args.batch])
                functional.reset_net(net)
                times.append(time.perf_counter() - start)
                correct += int((out.argmax(1) == y_test[b:b + args.batch]).sum())
        return times, (time.process_time() - cpu) / len(times), correct / len(x_test)

    generator = torch.Generator().manual_seed(args.seed)
    versions = {"torch": torch.__version__, "spikingjelly": spikingjelly_version(spikingjelly)}
    if args.curve:
        curve = train_with_curve(generator, args.curve)
        print(json.dumps(dict(framework="spikingjelly", curve=curve, test_images=len(x_test),
                              threads=torch.get_num_threads(), k=[k.item() for k in ks],
                              versions=versions)))
        return
    start = time.perf_counter()
    epoch(generator, WARMUP_BATCHES)  # allocation, not timed
    warmup_s = time.perf_counter() - start
    train_batch_s, train_cpu_s = [], []
    for _ in range(args.epochs):
        times, cpu = epoch(generator)
        train_batch_s += times
        train_cpu_s.append(cpu)
    inference()  # warm-up
    infer_batch_s, infer_cpu_s = [], []
    for _ in range(INFERENCE_PASSES):
        times, cpu, accuracy = inference()
        infer_batch_s += times
        infer_cpu_s.append(cpu)
    print(json.dumps(dict(
        framework="spikingjelly", warmup_s=warmup_s, train_batch_s=train_batch_s,
        train_cpu_s=train_cpu_s, infer_batch_s=infer_batch_s, infer_cpu_s=infer_cpu_s,
        accuracy=accuracy, k=[k.item() for k in ks], threads=torch.get_num_threads(),
        versions=versions,
    )))


def spikingjelly_version(module):
    from importlib import metadata

    try:
        return metadata.version("spikingjelly")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return getattr(module, "__version__", "?")


if __name__ == "__main__":
    main()
