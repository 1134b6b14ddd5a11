"""cProfile of one Diehl & Cook presentation in ``nengo.Simulator``, grouped by component.

Builds the 400 + 400 network of :mod:`nengo_snnext.networks.diehl_cook`, shows an
image, runs 200 untimed steps, times ``--steps`` steps without and then with
cProfile, and prints each component's share of the profiled step time (the
figures of ``benchmarks/stdp_results.md``)::

    OMP_NUM_THREADS=1 python benchmarks/profile_stdp.py --steps 400
"""

import argparse
import cProfile
import pstats
import time

import nengo
import numpy as np
from threadpoolctl import threadpool_limits

from nengo_snnext.networks import diehl_cook

# component -> (file suffix, function name) pairs whose cumulative time it sums
COMPONENTS = {
    "ConductanceLIF steps (2 ensembles)": [("neurons/conductance_lif.py", "step")],
    "STDP operator": [("reference/stdp.py", "step_simstdp")],
    "weight products (SpikeDotInc, DotInc)": [
        ("reference/stdp.py", "step_spikedotinc"), ("nengo/builder/operator.py", "step_dotinc"),
        ("nengo/builder/operator.py", "step_dotinc_reshape"),
    ],
    "input sampling": [("neurons/bernoulli.py", "step"), ("nengo/neurons.py", "step")],
    "element-wise increments, copies, resets": [
        ("nengo/builder/operator.py", "step_elementwiseinc"),
        ("nengo/builder/operator.py", "step_copy"), ("nengo/builder/operator.py", "step_reset"),
    ],
    "Python nodes, synapses, probes": [
        ("nengo/builder/operator.py", "step_simpyfunc"),
        ("nengo/builder/processes.py", "step_simprocess"), ("nengo/simulator.py", "_probe"),
    ],
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-exc", type=int, default=400)
    parser.add_argument("--steps", type=int, default=400)
    args = parser.parse_args()
    rng = np.random.RandomState(0)
    image = rng.uniform(0, 255, 784) * (rng.uniform(size=784) < 0.3)
    net = diehl_cook.build(args.n_exc, 784, seed=0)
    with threadpool_limits(limits=1, user_api="blas"), nengo.Simulator(
        net, dt=diehl_cook.DT, progress_bar=False
    ) as sim:
        net.input.set_image(image, 2.0)
        sim.run_steps(200)
        t0 = time.perf_counter()
        sim.run_steps(args.steps)
        print(f"{args.steps} steps without the profiler: {time.perf_counter() - t0:.3f} s")
        profile = cProfile.Profile()
        profile.enable()
        sim.run_steps(args.steps)
        profile.disable()
    stats = pstats.Stats(profile).stats  # (file, line, function) -> (.., .., tottime, cumtime, ..)

    def cumulative(pairs):
        return sum(v[3] for k, v in stats.items() for f, name in pairs
                   if k[0].endswith(f) and k[2] == name)

    total = cumulative([("nengo/simulator.py", "step")])
    print(f"profiled: {total:.3f} s")
    listed = 0.0
    for component, pairs in COMPONENTS.items():
        t = cumulative(pairs)
        listed += t
        print(f"{component}: {100 * t / total:.0f} %")
    print(f"simulator loop and the rest: {100 * (total - listed) / total:.0f} %")


if __name__ == "__main__":
    main()
