"""``simulator(net, target=...)``: the chip where NxSDK is importable, else the emulator."""

import warnings

from nengo.exceptions import ValidationError
from nengo_loihi.hardware import HAS_NXSDK

from nengo_snnext.backends.compat import loihi_emulator

TARGETS = ("loihi", "sim", "simreal")
NO_NXSDK = (
    "target='loihi' needs Intel's NxSDK (Loihi 1 hardware access through the Intel "
    "Neuromorphic Research Community), which is not importable here; running on "
    "nengo-loihi's bit-accurate emulator (target='sim') instead"
)


class NoHardwareWarning(UserWarning):
    """NxSDK is not importable: the emulator runs in place of the chip."""


def resolve_target(target):
    """The target nengo-loihi will run: ``"loihi"`` only where NxSDK is importable."""
    if target is not None and target not in TARGETS:
        raise ValidationError(f"target={target!r}: choose one of {TARGETS}", attr="target")
    if target is None:
        return "loihi" if HAS_NXSDK else "sim"
    if target == "loihi" and not HAS_NXSDK:
        warnings.warn(NO_NXSDK, NoHardwareWarning, stacklevel=3)
        return "sim"
    return target


def simulator(net, *, target=None, **kwargs):
    """``nengo_loihi.Simulator(net, target=...)`` with the same builders on every target.

    Parameters
    ----------
    net : nengo.Network
        The network (see :func:`~nengo_snnext.loihi.prepare`).
    target : {"loihi", "sim", "simreal"}, optional
        ``"loihi"`` (default where NxSDK is importable) runs on the chip;
        without NxSDK it warns once (:class:`NoHardwareWarning`) and runs on
        the emulator ``"sim"``. ``"simreal"`` is the float emulator.
    **kwargs
        Passed on to ``nengo_loihi.Simulator`` (``dt``, ``seed``,
        ``precompute``, ``hardware_options``...).
    """
    return loihi_emulator(net, target=resolve_target(target), **kwargs)
