"""Parameter descriptors shared by every neuron family."""

import numpy as np
from nengo.exceptions import ValidationError
from nengo.params import NumberParam
from nengo.utils.numpy import is_number


class FiniteNumberParam(NumberParam):
    """A ``NumberParam`` that also rejects ``nan`` and ``inf`` with a ``ValidationError``.

    Every numeric parameter of a nengo-snnext neuron type is one: an infinite
    time constant or a NaN threshold would otherwise pass the bounds check (or
    fail in it with a ``TypeError``) and break the model at build time.
    """

    def coerce(self, instance, num):
        if is_number(num) and not np.isfinite(num):
            raise ValidationError(f"Must be finite (got {num})", attr=self.name, obj=instance)
        return super().coerce(instance, num)
