"""``snnext demo``: the main job, train -> convert -> evaluate on every backend (needs [dl]).

See :mod:`nengo_snnext.demo.run`; the pieces are :mod:`.datasets`, :mod:`.train`,
:mod:`.backends` and :mod:`.plots`.
"""

from nengo_snnext.demo.run import BACKENDS, run_demo

__all__ = ["BACKENDS", "run_demo"]
