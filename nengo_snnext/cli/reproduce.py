"""``snnext networks`` and ``snnext reproduce NAME``: the seeds' reference networks."""

import json
import os
import sys


def list_networks(args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # a network module may import TF
    from nengo_snnext.networks import available, load

    for name in available():
        module = load(name)
        figures = {k: v for k, v in module.SEED_FIGURES.items() if k != "source"}
        print(f"{name}: {module.TITLE}")
        print(f"    seed: {module.SEED_FIGURES.get('source', '')}")
        if figures:
            print("    " + ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                                     for k, v in figures.items()))


def reproduce(args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from nengo_snnext.backends.extras import MissingExtraError, extra_for
    from nengo_snnext.data import DatasetNotFoundError
    from nengo_snnext.networks import load

    try:
        module = load(args.name)
        result = module.reproduce(quick=args.quick, data_dir=args.data_dir, seed=args.seed,
                                  progress=not args.quiet, out=args.out)
    except (ValueError, MissingExtraError, DatasetNotFoundError) as error:
        sys.exit(f"snnext reproduce: {error}")
    except ModuleNotFoundError as error:
        extra = extra_for(error.name or "")
        if extra is None:
            raise
        sys.exit(f"snnext reproduce {args.name}: needs {error.name}, which the [{extra}] extra "
                 f'installs: pip install "nengo-snnext[{extra}]"')
    text = json.dumps(result, indent=2, default=str)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")


def add_parser(sub):
    p = sub.add_parser("networks", help="list the seeds' reference networks and their figures")
    p.set_defaults(func=list_networks)
    p = sub.add_parser("reproduce", help="train and evaluate a reference network "
                                         "(see `snnext networks`)")
    p.add_argument("name", help="the network (see `snnext networks`)")
    p.add_argument("--quick", action="store_true", help="a short run that checks the setup")
    p.add_argument("--data-dir", help="look for the dataset's files here first")
    p.add_argument("--out", help="write the network's outputs (plots, JSON) here")
    p.add_argument("--json", metavar="PATH", help="also write the result as JSON here")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=reproduce)
