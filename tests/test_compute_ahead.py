"""The reference's descents computed ahead in a forked child of the grader (checks/common.py
compute_ahead): the same answers as computed in the grader, and a child that gets stuck costs
nothing but its own time limit."""

from __future__ import annotations

import time
import types

import numpy as np

from autograder.checks import common, xor
from autograder.core.grade import load_reference


def test_answers_computed_ahead_are_the_ones_the_grader_computes():
    ref = load_reference()
    here = {key: compute() for key, compute in xor.reference_descents(ref)}
    stand_in = types.ModuleType("reference_stand_in")  # a fresh cache key, the reference's functions
    stand_in.__dict__.update({k: v for k, v in vars(ref).items() if not k.startswith("__")})
    common.compute_ahead(stand_in, xor.reference_descents(stand_in))
    assert stand_in in common._AHEAD  # a child is computing them
    ctx = common.Context(None, stand_in)
    for key in here:
        params, costs = ctx.expected(key, lambda: (_ for _ in ()).throw(AssertionError("computed here")))
        want_params, want_costs = here[key]
        assert all(np.array_equal(params[k], want_params[k]) for k in want_params) and np.array_equal(
            costs, want_costs
        )
    assert stand_in not in common._AHEAD


def test_a_stuck_child_is_killed_and_each_check_computes_its_own(monkeypatch):
    monkeypatch.setattr(common, "AHEAD_SECONDS", 0.5)
    stand_in = types.ModuleType("stuck_reference")
    common.compute_ahead(stand_in, [("slow", lambda: time.sleep(60))])
    started = time.monotonic()
    ctx = common.Context(None, stand_in)
    assert ctx.expected("slow", lambda: "computed here") == "computed here"
    assert time.monotonic() - started < 10
