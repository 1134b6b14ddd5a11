"""``snnext``: the nengo-snnext command line.

Each subcommand is a module of this package with ``add_parser(subparsers)``; the command
itself is a library call plus printing. Importing this module does not import TensorFlow:
subcommands import what they need when they run.
"""

import argparse
import importlib

from nengo_snnext.version import version  # nengo_snnext's own import does not import TensorFlow

SUBCOMMANDS = ("neurons", "demo", "reproduce", "evaluate")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="snnext",
        description="Neuron models from the spiking-network literature on every Nengo backend.",
    )
    parser.add_argument("--version", action="version", version=f"snnext {version}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in SUBCOMMANDS:
        importlib.import_module(f"nengo_snnext.cli.{name}").add_parser(sub)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
