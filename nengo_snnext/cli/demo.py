"""``snnext demo``: train a KLIF CNN, convert it, evaluate it spiking on every backend."""

import os
import sys


def run(args):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from nengo_snnext.backends.extras import MissingExtraError, require
    from nengo_snnext.data import DatasetNotFoundError

    try:
        require("dl", "snnext demo")
        from nengo_snnext.demo import run_demo

        run_demo(args.dataset, quick=args.quick, out=args.out, json_path=args.json,
                 data_dir=args.data_dir, seed=args.seed, progress=not args.quiet,
                 backends=args.backends,
                 nengo_images="auto" if args.nengo_images is None else args.nengo_images,
                 time_budget=args.time_budget)
    except (MissingExtraError, DatasetNotFoundError) as error:
        sys.exit(f"snnext demo: {error}")


def add_parser(sub):
    from nengo_snnext.demo.datasets import DATASETS
    from nengo_snnext.demo.run import BACKENDS

    p = sub.add_parser(
        "demo",
        help="train a KLIF CNN in Keras, convert it, evaluate it spiking on nengo_dl, nengo "
             "and Loihi; print a table, write plots",
    )
    p.add_argument("--dataset", choices=DATASETS, default="digits",
                   help="digits (scikit-learn, always present; default) or fashion-mnist "
                        "(idx files, e.g. apt-get install dataset-fashion-mnist)")
    p.add_argument("--data-dir", help="look for the dataset's files here first")
    p.add_argument("--out", default="snnext-demo", help="output directory (default: %(default)s)")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    p.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    p.add_argument("--nengo-images", type=int,
                   help="test images for nengo.Simulator and the Loihi emulator (default: "
                        "all of digits, 500 of fashion-mnist)")
    p.add_argument("--time-budget", type=float, help="seconds of training (default: the "
                   "dataset's full schedule)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true",
                   help="a seconds-long run (narrow network, 100 test images) to check the setup")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)
