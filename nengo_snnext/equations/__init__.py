"""Pure, array-namespace-agnostic equations: one source of truth per neuron family."""
