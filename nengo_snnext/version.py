"""nengo-snnext version."""

version_info = (0, 1, 0)
version = ".".join(str(v) for v in version_info)
