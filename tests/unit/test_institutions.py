"""Decision rules, veto players, blockers."""

from __future__ import annotations

from ceasefire.institutions import decide, veto_players
from ceasefire.scenario import Institution


def test_unanimity_and_all():
    for rule in ("unanimity", "all"):
        inst = Institution(id="i", rule=rule, members=("A", "B", "C"))
        assert decide(inst, {"A": True, "B": True, "C": True}).passed
        v = decide(inst, {"A": True, "B": False, "C": False})
        assert not v.passed and v.blockers == ("B", "C")
        assert veto_players(inst) == ("A", "B", "C")


def test_qualified_majority_weights_threshold_and_count():
    inst = Institution(
        id="qmv",
        rule="qualified-majority",
        members=("A", "B", "C", "D"),
        weights={"A": 40, "B": 30, "C": 20, "D": 10},
        threshold=0.65,
        min_count=2,
    )
    assert decide(inst, {"A": True, "B": True, "C": False, "D": False}).passed  # 70 %
    v = decide(inst, {"A": True, "B": False, "C": True, "D": False})  # 60 %
    assert not v.passed and v.blockers == ("B", "D")
    assert abs(v.accepted_weight_share - 0.6) < 1e-12
    # count rule: one member with enough weight is not enough
    solo = Institution(
        id="s",
        rule="qualified-majority",
        members=("A", "B"),
        weights={"A": 90, "B": 10},
        threshold=0.5,
        min_count=2,
    )
    assert not decide(solo, {"A": True, "B": False}).passed
    # A alone can sink it (the rest weigh 60 % < 65 %); no one else can
    assert veto_players(inst) == ("A",)


def test_threshold_reached_exactly_passes():
    inst = Institution(id="q", rule="qualified-majority", members=("A", "B", "C"), threshold=2 / 3)
    assert decide(inst, {"A": True, "B": True, "C": False}).passed
