"""``snnext neurons``: tuning curves, rasters and rates of every neuron type in nengo.Simulator."""

import sys


def run(args):
    from nengo_snnext.gallery import gallery_types, run_gallery

    types = gallery_types()
    if args.types:
        unknown = [t for t in args.types if t not in types]
        if unknown:
            sys.exit(f"unknown neuron type(s) {unknown}; choose from {list(types)}")
        types = {t: types[t] for t in args.types}
    table = run_gallery(args.out, types=types, progress=not args.quiet)
    print(table)
    print(f"\nwrote {args.out}/tuning_curves.png, {args.out}/rasters.png, {args.out}/rates.txt")


def add_parser(sub):
    p = sub.add_parser(
        "neurons",
        help="simulate every neuron type in nengo.Simulator; write tuning curves, rasters, rates",
    )
    p.add_argument("--out", default="snnext-neurons",
                   help="output directory (default: %(default)s)")
    p.add_argument("--types", nargs="*", help="only these gallery labels")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
