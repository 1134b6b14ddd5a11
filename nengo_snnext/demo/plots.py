"""The demo's pictures: accuracy vs time steps, a spike raster, a confusion matrix."""

import numpy as np


def _figure(*args, **kwargs):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt, plt.subplots(*args, **kwargs)


def accuracy_vs_steps(results, path, steps, dt=0.001):
    """Accuracy after each number of steps, one line per backend with outputs.

    A backend that gives only its final decision is one marker at ``steps``.
    """
    from nengo_snnext.demo.backends import accuracy_at

    plt, (fig, ax) = _figure(figsize=(5, 3.5))
    for result in results:
        if result.supported:
            curve = accuracy_at(result.outputs, result.labels)
            label = f"{result.backend} ({result.n_images} images)"
            if len(curve) > 1:
                ax.plot(np.arange(1, len(curve) + 1), 100 * curve, marker="o", ms=3, label=label)
            else:
                ax.plot([steps], 100 * curve, marker="s", ms=6, ls="",
                        label=f"{label}, final decision")
    ax.set_xlabel(f"time steps presented (dt = {dt * 1000:g} ms)")
    ax.set_ylabel("test accuracy (%)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def raster(spikes_by_layer, path, label=None, max_neurons=200, seed=0):
    """Spike raster of one image: up to ``max_neurons`` neurons of each layer, stacked."""
    plt, (fig, ax) = _figure(figsize=(6, 4))
    rng = np.random.RandomState(seed)
    offset, ticks = 0, []
    for name, spikes in spikes_by_layer.items():
        spikes = np.asarray(spikes).reshape(len(spikes), -1)
        keep = np.sort(rng.permutation(spikes.shape[1])[:max_neurons])
        steps, neurons = np.nonzero(spikes[:, keep])
        ax.scatter(steps + 1, neurons + offset, s=4, marker="|")
        ticks.append((offset + len(keep) / 2, f"{name}\n({spikes.shape[1]} neurons)"))
        offset += len(keep) + 5
    ax.set_yticks([t for t, _ in ticks], [n for _, n in ticks])
    ax.set_xlabel("time step")
    ax.set_title("spikes of one test image" + (f" (label {label})" if label is not None else ""))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def confusion_matrix(predicted, labels, path, title=""):
    """Counts of (true class, predicted class)."""
    n = int(max(np.max(labels), np.max(predicted))) + 1
    counts = np.zeros((n, n), dtype=int)
    np.add.at(counts, (np.asarray(labels), np.asarray(predicted)), 1)
    plt, (fig, ax) = _figure(figsize=(4.5, 4))
    image = ax.imshow(counts, cmap="Blues")
    for (i, j), c in np.ndenumerate(counts):
        if c:
            ax.text(j, i, c, ha="center", va="center", fontsize=6,
                    color="white" if c > counts.max() / 2 else "black")
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return counts
