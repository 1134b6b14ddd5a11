"""The scenario table crafts with one network and infers with another."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from nengo_snnext import attacks  # noqa: E402
from nengo_snnext.attacks.tests.conftest import linear_model  # noqa: E402


def test_scenario_table_crafts_with_one_network_and_infers_with_the_other(rng):
    x = rng.uniform(0, 1, size=(40, 6))
    y = rng.randint(0, 3, size=40)
    networks = {name: linear_model(rng.normal(size=(6, 3)), rng.normal(size=3))
                for name in ("LIF", "NO", "ALT")}
    crafted_with = []

    def recording_fgsm(model, x, y, eps, batch_size):
        crafted_with.append(next(n for n, m in networks.items() if m is model))
        return attacks.fgsm(model, x, y, eps=eps, batch_size=batch_size)

    eps = 0.2
    table = attacks.scenario_table(networks, x, y, attacks={"clean": None, "FGSM": recording_fgsm},
                                   eps=eps, progress=False)
    assert set(table) == set(attacks.SCENARIOS)
    # every crafting network crafts once, whatever number of scenarios use it
    assert sorted(crafted_with) == ["ALT", "LIF", "NO"]
    for scenario, (craft, infer) in attacks.SCENARIOS.items():
        adversarial = attacks.fgsm(networks[craft], x, y, eps=eps)
        assert table[scenario]["FGSM"] == attacks.accuracy(networks[infer], adversarial, y)
        assert table[scenario]["clean"] == attacks.accuracy(networks[infer], x, y)
    # the transfer scenarios differ from white-box ones on these unrelated networks
    assert table["4"]["FGSM"] != table["1"]["FGSM"] or table["3"]["FGSM"] != table["1"]["FGSM"]
    text = attacks.format_table(table, {"4": {"FGSM": 56.5}})
    assert "| FGSM |" in text and "(56.5)" in text


def test_scenario_table_needs_the_networks(rng):
    model = linear_model(rng.normal(size=(6, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="need networks"):
        attacks.scenario_table({"NO": model}, np.zeros((2, 6)), np.zeros(2, int),
                               scenarios={"4": ("ALT", "NO")}, progress=False)
    # only the scenarios whose networks are given, by default
    table = attacks.scenario_table({"NO": model}, np.zeros((2, 6)), np.zeros(2, int),
                                   attacks={"clean": None}, progress=False)
    assert list(table) == ["1"]
