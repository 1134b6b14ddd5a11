"""Command-line interface (``snnext``)."""
