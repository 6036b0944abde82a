"""The checks' registry: `@check` and `case` declare a check under its full name (its key in
rubric.toml), `REGISTRY` holds them, `Failed` is how a check says the learner lost its points."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..results import Text

if TYPE_CHECKING:  # the context a check runs in; common.py imports this module
    from .common import Context


class Failed(Exception):
    """Ends a check as failed; `text` is the learner-facing feedback."""

    def __init__(self, text: Text, cause: str = ""):
        super().__init__(text.en)
        self.text = text
        # what failed, when it is not the check's own comparison (a call that raised, a function
        # missing): checks failing with one cause are told once (grade.collapse_causes)
        self.cause = cause


@dataclass(frozen=True)
class Check:
    """A registered check. Its name is its key in rubric.toml, which alone says which contract
    function it grades and what it is worth."""

    name: str
    run: Callable[[Context], None]
    # Checks that must pass before this one pays: a property (arguments unchanged, x restored,
    # returns a float, ...) holds for hollow code too, so it is worth points only beside a
    # right value. rubric.toml must list them under the same function (grade.load_rubric).
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    """One member of a family of checks: its full name, written out, and its parameters."""

    name: str
    params: dict
    requires: tuple[str, ...] = ()


def case(name: str, *, requires: Sequence[str] = (), **params) -> Case:
    return Case(name, params, tuple(requires))


REGISTRY: dict[str, Check] = {}


def check(*cases: Case, requires: Sequence[str] = ()):
    """Decorator, the one way to declare checks (as pytest's parametrize declares cases):

        @check(requires=("a_value_check",))
        def some_property_check(ctx): ...        # one check, named by its def

        @check(case("sigmoid_matches_reference", fn="sigmoid"),
               case("tanh_matches_reference", fn="tanh"))
        def matches_reference(ctx, fn): ...      # one check per case, run(ctx, **params)

    Every full name is written out, so a rubric name greps back to its code. `requires` on the
    decorator applies to every case, a case's own `requires=` to that case.
    """

    def decorate(run):
        for member in cases or (Case(run.__name__, {}),):
            if member.name in REGISTRY:
                raise ValueError(f"duplicate check name {member.name!r}")
            bound = functools.partial(run, **member.params) if member.params else run
            REGISTRY[member.name] = Check(member.name, bound, tuple(requires) + member.requires)
        return run

    return decorate
