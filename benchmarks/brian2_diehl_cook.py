"""Diehl & Cook network in Brian2 2.9, the same network as ``nengo_snnext.networks.diehl_cook``.

Run by ``bench_stdp.py`` with a separate Python that has Brian2 (Brian2 is not a
dependency of nengo-snnext): ``/tmp/brian2-venv/bin/python brian2_diehl_cook.py
--target numpy --n-exc 400``. Prints one JSON line: build seconds, seconds of the
timed presentation(s), spike counts.

Same model as ours: conductance LIF (Diehl & Cook parameters; exponential Euler as
our ``method="exponential"``), theta +0.05 mV per spike with the 20 mV offset,
triplet STDP with depression (``w -= 0.0001 post1`` on pre spikes, ``w += 0.01
pre post2before`` on post spikes, clipped to [0, 1]), E->I one-to-one 10.4,
I->E all-but-self 17, Poisson input at pixel / 4 Hz, dt = 0.5 ms. One untimed
warm-up presentation (code generation / compilation), then ``--repeats`` timed
presentations of ``--t-present`` + ``--t-rest`` seconds.
"""

import argparse
import json
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", choices=["numpy", "cython"], default="numpy")
    parser.add_argument("--n-exc", type=int, default=400)
    parser.add_argument("--t-present", type=float, default=0.35)
    parser.add_argument("--t-rest", type=float, default=0.15)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import brian2 as b

    b.prefs.codegen.target = args.target
    b.defaultclock.dt = 0.5 * b.ms
    b.seed(args.seed)
    rng = np.random.RandomState(args.seed)
    n_in, n = 784, args.n_exc
    image = rng.uniform(0, 255, n_in) * (rng.uniform(size=n_in) < 0.3)

    t0 = time.perf_counter()
    eqs_e = """
    dv/dt = ((-65*mV - v) + ge*(0*mV - v) + gi*(-100*mV - v)) / (100*ms) : volt (unless refractory)
    dge/dt = -ge / (1*ms) : 1
    dgi/dt = -gi / (2*ms) : 1
    dtheta/dt = -theta / (1e7*ms) : volt
    """
    eqs_i = """
    dv/dt = ((-60*mV - v) + ge*(0*mV - v) + gi*(-85*mV - v)) / (10*ms) : volt (unless refractory)
    dge/dt = -ge / (1*ms) : 1
    dgi/dt = -gi / (2*ms) : 1
    """
    exc = b.NeuronGroup(
        n, eqs_e, threshold="v > theta - 20*mV - 52*mV",
        reset="v = -65*mV; theta += 0.05*mV", refractory=5 * b.ms,
        method="exponential_euler",
    )
    exc.v = -65 * b.mV
    exc.theta = 20 * b.mV
    inh = b.NeuronGroup(
        n, eqs_i, threshold="v > -40*mV", reset="v = -45*mV", refractory=2 * b.ms,
        method="exponential_euler",
    )
    inh.v = -60 * b.mV
    inp = b.PoissonGroup(n_in, rates=np.zeros(n_in) * b.Hz)
    stdp = b.Synapses(
        inp, exc,
        model="""w : 1
        post2before : 1
        dpre/dt = -pre / (20*ms) : 1 (event-driven)
        dpost1/dt = -post1 / (20*ms) : 1 (event-driven)
        dpost2/dt = -post2 / (40*ms) : 1 (event-driven)""",
        on_pre="ge_post += w; pre = 1.; w = clip(w - 0.0001 * post1, 0, 1)",
        on_post="""post2before = post2
        w = clip(w + 0.01 * pre * post2before, 0, 1)
        post1 = 1.
        post2 = 1.""",
    )
    stdp.connect(True)
    stdp.w = rng.uniform(0.003, 0.3, n_in * n)
    e_to_i = b.Synapses(exc, inh, on_pre="ge_post += 10.4")
    e_to_i.connect(j="i")
    i_to_e = b.Synapses(inh, exc, on_pre="gi_post += 17.0")
    i_to_e.connect(condition="i != j")
    spikes = b.SpikeMonitor(exc)
    net = b.Network(exc, inh, inp, stdp, e_to_i, i_to_e, spikes)
    build = time.perf_counter() - t0

    def present():
        inp.rates = image / 4 * b.Hz
        net.run(args.t_present * b.second)
        inp.rates = 0 * b.Hz
        if args.t_rest > 0:
            net.run(args.t_rest * b.second)

    t0 = time.perf_counter()
    present()  # warm-up: code generation and, for cython, compilation
    warmup = time.perf_counter() - t0
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        present()
        times.append(time.perf_counter() - t0)
    print(json.dumps({
        "backend": f"brian2-{args.target}", "n_exc": n, "build_s": build, "warmup_s": warmup,
        "run_s": times, "exc_spikes": int(spikes.num_spikes),
    }))


if __name__ == "__main__":
    main()
