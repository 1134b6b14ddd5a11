"""Shared helpers of the benchmark scripts: timing and the sections of ``results.md``."""

import os
import platform
import re
import time
from pathlib import Path

import nengo
import numpy as np

HEADER = "# Benchmark results\n"


def timed(fn):
    """``(wall seconds, CPU seconds of this process)`` of ``fn()``.

    The CPU time (all threads of the process: TensorFlow's, BLAS's) is what the
    process itself spent: on a machine shared with other jobs it is less
    sensitive to their load than the wall time.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def interleaved_medians(jobs, repeats, *, warmup=True):
    """``{name: (median wall s, median CPU s)}`` of ``jobs`` (name -> callable), round-robin."""
    if warmup:
        for fn in jobs.values():  # tracing and first-call costs
            fn()
    times = {name: [] for name in jobs}
    for _ in range(repeats):
        for name, fn in jobs.items():
            times[name].append(timed(fn))
    return {name: tuple(np.median(np.array(t), axis=0)) for name, t in times.items()}


def cpu_model():
    """The CPU's model name, and whether it has AVX-512 (numpy's SIMD exp/log use it)."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    name = re.search(r"^model name\s*:\s*(.+)$", info, re.M)
    avx512 = re.search(r"^flags\s*:.*\bavx512f\b", info, re.M)
    return (f"{platform.machine()} {name.group(1).strip() if name else ''}"
            f"{' with AVX-512' if avx512 else ', no AVX-512'}")


def machine(extra=""):
    """One line naming the machine and the stack."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"Machine: {cpu_model()}, {os.cpu_count()} CPU cores "
        f"(load average {load:.1f} when the run ended; shared with other jobs), Python "
        f"{platform.python_version()}, numpy {np.__version__}, nengo {nengo.__version__}"
        f"{extra}."
    )


def write_section(path, name, text):
    """Replace (or append) the section ``name`` of the Markdown file ``path``.

    A section sits between ``<!-- name -->`` and ``<!-- /name -->``, so that each
    benchmark script rewrites only its own part of ``results.md``.
    """
    begin, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{begin}\n{text.rstrip()}\n{end}\n"
    old = open(path).read() if os.path.exists(path) else HEADER
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end) + r"\n?", re.S)
    if pattern.search(old):
        new = pattern.sub(lambda _: block, old)
    else:
        new = old.rstrip() + "\n\n" + block
    with open(path, "w") as f:
        f.write(new)
