"""One mistake, one charge: a function is judged right when it is right given the learner's own
helpers (the contract functions it calls).

A check first compares the learner's function with the reference, as always. Only when that
fails, and the function calls other contract functions (HELPERS), is it asked again against
`WithLearnersHelpers`: the reference's own code run here, in the grader, with those helpers
replaced by calls of the learner's helpers in the sandbox, on the values the grader computes.
backward_prop is then held to the reference's chain rule with the learner's σ', forward_prop to
the reference's layers with the learner's σ, and so on. The reference never enters the sandbox;
the learner's helpers only answer calls on inputs the grader chose.

Such a check pays only where it can tell right logic from hollow code, i.e. when the expectation
built from the helpers is non-degenerate:
- some helper's value differed from the reference's (else the expectation is the reference's,
  which the function already failed), and
- no helper's value is hollow where the reference's is not: an array of more than one element
  whose finite values are all equal (zeros, a constant, NaN everywhere), or one of the call's
  own arguments unchanged (identity). Code in the dependent function that returns zeros, a constant or its input would
  then agree with the expectation without doing its work; a check may add its own test
  (`mark_degenerate`: predict's expected labels all alike, gradient_check's expected errors all
  equal, train's descent that does not move).
A helper's reply stands in the replay only where its own checks charged it for a deviation: an
activation (ELEMENTWISE), whose value checks split by input size, answers as the learner's only
on inputs of a size whose value checks failed on its own finding; elsewhere it is held to the
reference's code of it given its own helpers (where they paid it through one) or to the reference.
A helper not wrong on its own but paid through one of its helpers is never asked: the replay runs
the reference's code of it with its helpers (`_through_writers`). A helper right on its checks
that answers its caller's inputs otherwise (it recognises them, by state) then excuses nothing:
the caller is judged as if with the reference's helper, and pays.
A function whose reference code path does not call the helper (a learner who inlined a correct
σ while their separate sigmoid is wrong) is right by the first, ordinary comparison.

A helper that writes into its arguments (a σ computed in place: `writes_input`, one probe call)
is replayed with that write: the replay's arrays are changed as the learner's helper changed its
copies (the arguments after the call, read from the arena), so the caller is judged given the
changed arrays the learner's caller gets; the write itself is the helper's own check's to charge.

A check paid this way, or failed while a helper of its function differed from the reference,
names the root cause (`Context.root_cause`): the helper whose mistake it is, followed down
(train -> backward_prop -> sigmoid_derivative names sigmoid_derivative).
"""

from __future__ import annotations

import hashlib
import pickle
import time
import types
from collections.abc import Callable

import numpy as np

from ..messages import t
from ..sandbox import TestFunction
from ..sandbox.errors import SubmissionError
from .common import CALL_TIMEOUT, Context
from .expectations import as_array, expect_float64
from .registry import REGISTRY, Failed

# The contract functions each function calls in the reference (and the corpus' cascades).
HELPERS: dict[str, tuple[str, ...]] = {
    "sigmoid_derivative": ("sigmoid",),
    "tanh_derivative": ("tanh",),
    "swish": ("sigmoid",),
    "swish_derivative": ("sigmoid",),
    "forward_prop": ("sigmoid",),
    "backward_prop": ("sigmoid_derivative",),
    "predict": ("forward_prop",),
    "gradient_check": ("numerical_gradient", "relative_error"),
    "train": ("init_params", "forward_prop", "cost_function", "backward_prop", "update_params"),
}


def _tanh_by_sigmoid(helpers: dict) -> Callable:
    """tanh(x) = 2σ(2x) - 1, the identity the notebook suggests."""
    return lambda x: 2 * helpers["sigmoid"](2 * np.asarray(x, dtype=float)) - 1


def _swish_derivative_by_swish(helpers: dict) -> Callable:
    """swish'(x) = β·f + σ(βx)·(1 - β·f), f = swish(x): the derivative written with swish."""

    def derivative(x, beta=1.0):
        x = np.asarray(x, dtype=float)
        f = helpers["swish"](x, beta=beta)
        return beta * f + helpers["sigmoid"](beta * x) * (1 - beta * f)

    return derivative


# Other ways the chapter's functions are written with a helper, which the reference does not
# take: {fn: [(helpers, form)]}, form(functions by name) is fn written with those helpers.
FORMS: dict[str, list[tuple[tuple[str, ...], Callable[[dict], Callable]]]] = {
    "tanh": [(("sigmoid",), _tanh_by_sigmoid)],
    "swish_derivative": [(("swish", "sigmoid"), _swish_derivative_by_swish)],
}
# Functions whose checks judge the expectation's degeneracy themselves, from every value they
# expect (mark_degenerate), so a helper's constant reply is not hollow by itself there: an
# all-at-once numerical_gradient returns one directional derivative in every element, yet the
# relative errors gradient_check computes with it differ from one wrong gradient to the next
# (zeros from numerical_gradient make them all equal: that check's own test refuses it).
OWN_DEGENERACY_TEST = {"gradient_check"}
# Calls of learner helpers one submission may be asked (each a sandbox round trip, 1-3 ms), and
# the wall time they may take together: beyond either, a check is not judged by helpers and its
# ordinary failure stands. The most a submission needs is about 250 calls (every helper of
# train wrong: 50 steps of descent each, and the other callers' few); a helper that takes just
# under its time limit on every call cannot make grading that much slower.
MAX_HELPER_CALLS = 600
MAX_HELPER_SECONDS = 10.0


class Unjudgeable(Exception):
    """A helper's reply cannot stand in for the reference's (it raised, or has another shape)."""


def _raw_leaves(value) -> list:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _raw_leaves(v)]
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in _raw_leaves(v)]
    return [value]


def _dtypes(value) -> list:
    """The dtype of each array in a value (None for anything else)."""
    return [leaf.dtype if isinstance(leaf, np.ndarray) else None for leaf in _raw_leaves(value)]


def _in_dtypes_of(value, got):
    """`value` (conformed: float64) with each array in the float dtype the learner's reply had."""
    if isinstance(value, dict):
        return {k: _in_dtypes_of(v, got[k]) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_in_dtypes_of(v, g) for v, g in zip(value, got, strict=True))
    if isinstance(value, np.ndarray) and isinstance(got, np.ndarray) and got.dtype.kind == "f":
        return value.astype(got.dtype)
    return value


def judged_float64(ctx: Context, fn: str, got, label: str, value_of: Callable[[object], object]) -> None:
    """The dtype property: float64 arrays; or (given the learner's helpers) each array of the
    dtype the reference's code gives with the learner's helpers' replies in their own dtypes,
    `value_of(ref)` (a σ returning float32 makes the reference's σ' float32: σ's to pay for)."""

    def body(ref):
        if ref is ctx.ref:
            expect_float64(got, label)
            return
        ref.keep_dtype = True
        with np.errstate(all="ignore"):
            expected = value_of(ref)
        for part, wanted in zip(_raw_leaves(got), _raw_leaves(expected), strict=False):
            arr = as_array(part, label)
            if arr.dtype != np.asarray(wanted).dtype:
                raise Failed(t("wrong_dtype", call=label, got=arr.dtype))

    judged(ctx, fn, body)


def _keyable(value):
    """value with test functions (which hold a lambda) as their kind and coefficients."""
    if isinstance(value, TestFunction):
        return ("TestFunction", value.kind, value.data)
    if isinstance(value, dict):
        return {k: _keyable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_keyable(v) for v in value]
    return value


def _key(name, args, kwargs) -> str:
    data = pickle.dumps((name, _keyable(args), _keyable(sorted(kwargs.items()))), protocol=5)
    return hashlib.sha1(data).hexdigest()


def _leaves(value) -> list[np.ndarray]:
    """The arrays in a value (tuple, list, dict of arrays), as float arrays."""
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in _leaves(v)]
    return [np.asarray(value, dtype=float)]


def conform(got, reference):
    """The learner's reply shaped as the reference's value (float arrays, the same containers,
    keys and shapes), or Unjudgeable."""
    if isinstance(reference, dict):
        if not isinstance(got, dict) or set(got) != set(reference):
            raise Unjudgeable
        return {k: conform(got[k], reference[k]) for k in reference}
    if isinstance(reference, (list, tuple)):
        if not isinstance(got, (list, tuple)) or len(got) != len(reference):
            raise Unjudgeable
        return type(reference)(conform(g, r) for g, r in zip(got, reference, strict=True))
    try:
        arr = np.asarray(got)
    except Exception:  # noqa: BLE001 - a ragged list or the like: not a stand-in
        raise Unjudgeable from None
    # a number where the reference returns a float: any one-element array (a cost_function
    # returning [J] is its own mistake, charged there; train computes right with it)
    scalar = isinstance(reference, float) and arr.size == 1
    if arr.dtype.kind not in "biuf" or not (scalar or arr.shape == np.shape(reference)):
        raise Unjudgeable
    value = arr.astype(float)
    return float(value.reshape(())) if isinstance(reference, float) else value


def same(a, b) -> bool:
    return all(
        x.shape == y.shape and np.allclose(x, y, rtol=1e-9, atol=1e-12, equal_nan=True)
        for x, y in zip(_leaves(a), _leaves(b), strict=True)
    )


def _constant(value) -> bool:
    """An array value (of more than one element) whose finite values are all equal."""
    leaves = [leaf for leaf in _leaves(value) if leaf.size > 1]
    if not leaves:
        return False
    flat = np.concatenate([leaf.ravel() for leaf in leaves])
    return np.unique(flat[np.isfinite(flat)]).size < 2


def _echoes(value, args) -> bool:
    """value is one of the call's array arguments unchanged."""
    return any(
        isinstance(arg, (np.ndarray, dict)) and np.size(_leaves(arg)[0]) > 1 and _same_structure(value, arg)
        for arg in args
    )


def hollow(value, reference, args, constant_is_hollow: bool = True) -> bool:
    """The learner's reply is hollow where the reference's is not: constant (zeros, a constant,
    NaN everywhere; unless the caller's check tests that itself) or one of its own arguments
    unchanged (identity)."""
    return (constant_is_hollow and _constant(value) and not _constant(reference)) or (
        _echoes(value, args) and not _echoes(reference, args)
    )


def _same_structure(value, arg) -> bool:
    try:
        return same(value, arg)
    except (ValueError, TypeError):
        return False


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    return np.copy(value) if isinstance(value, np.ndarray) else value


class WithLearnersHelpers:
    """The reference's functions, with `helpers` replaced by the learner's: attribute access as
    on the reference module; the reference's code that calls a helper calls the learner's.

    differed: helpers whose value differed from the reference's on some call; degenerate:
    helpers (or a check's reason) that make the expectation one hollow code could meet."""

    def __init__(
        self, ctx: Context, helpers: tuple[str, ...], forms: dict | None = None, caller: str | None = None
    ):
        self._ctx = ctx
        self._caller = caller
        self._constant_is_hollow = caller not in OWN_DEGENERACY_TEST
        self._helpers = helpers
        self._forms = forms or {}
        self.differed: set[str] = set()
        self.degenerate: set[str] = set()
        self.keep_dtype = False  # replies keep their float dtype (float32 stays float32)
        self._helpers = _through_writers(ctx, helpers)
        self._globals = dict(vars(ctx.ref))
        for name, value in vars(ctx.ref).items():  # the reference's functions, calling these globals
            if isinstance(value, types.FunctionType) and value.__module__ == ctx.ref.__name__:
                self._globals[name] = self._rebind(value)
        self._globals.update({h: self._proxy(h) for h in self._helpers})

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._helpers:
            return self._globals[name]
        if name in self._forms:
            return self._forms[name](self._globals)
        return self._rebind(getattr(self._ctx.ref, name))

    def _rebind(self, f):
        return types.FunctionType(f.__code__, self._globals, f.__name__, f.__defaults__, f.__closure__)

    def mark_degenerate(self, reason: str) -> None:
        self.degenerate.add(reason)

    def _proxy(self, name: str) -> Callable:
        def learners(*args, **kwargs):
            reference = getattr(self._ctx.ref, name)(*_copy(args), **_copy(kwargs))
            key = ("helper", _key(name, args, kwargs))
            spent = self._ctx.helper_calls
            if key not in self._ctx._memo and (
                spent[0] >= MAX_HELPER_CALLS or spent[1] >= MAX_HELPER_SECONDS
            ):
                raise Unjudgeable
            if name in self._ctx._broken:  # it hung or crashed in its own checks
                raise Unjudgeable
            try:
                got, args_after = self._ctx.memo(key, lambda: self._ask(name, args, kwargs))
            except (Failed, SubmissionError):  # the helper raised (a stub, a crash): its own checks say so
                raise Unjudgeable from None
            try:
                value = conform(got, reference)
            except Unjudgeable:  # another shape or type: it differs from the reference
                self.differed.add(name)
                raise
            value = self._charged_only(name, args, kwargs, value, reference)
            if (
                not same(value, reference)
                or (isinstance(reference, float) and np.shape(got) != ())
                or _dtypes(got) != _dtypes(reference)
            ):
                self.differed.add(name)
            if self.keep_dtype:  # the reply's own float dtypes, for a caller's dtype property
                value = _in_dtypes_of(value, got)
            if hollow(value, reference, args, self._constant_is_hollow):
                self.degenerate.add(name)
            return self._mirror(name, args, args_after, value)

        return learners

    def _charged_only(self, name, args, kwargs, value, reference):
        """The learner's values where their deviation is charged to the helper, elsewhere what
        it is held to. An activation's checks split by input size (ordinary arrays; extreme
        inputs): where those of inputs that size failed on their own finding, the helper paid
        for its values there; where they were paid through a helper of its own (σ' right given
        a wrong σ), it is held to the reference's code of it given that helper; where they all
        passed, to the reference. A reply that differs on the replay's inputs otherwise (a
        helper that recognises what its caller was given) then excuses no caller."""
        if name not in ELEMENTWISE or not args:
            return value
        ordinary_charge, extreme_charge = (
            _charge(self._ctx, name, checks) for checks in (ORDINARY_CHECKS, EXTREME_CHECKS)
        )
        if {ordinary_charge, extreme_charge} <= {"own", "unknown"}:
            return value
        with np.errstate(invalid="ignore"):
            ordinary = np.abs(np.asarray(args[0], dtype=float)) <= ORDINARY_SCALE
        if ordinary.shape != np.shape(value):
            return value
        charge = np.where(ordinary, ordinary_charge, extreme_charge)
        held_to = reference
        if (charge == "through").any():
            held_to = np.where(
                charge == "through", self._given_its_helpers(name, args, kwargs, reference), reference
            )
        replaced = np.isin(charge, ("through", "none")) & ~np.isclose(
            value, held_to, rtol=1e-9, atol=1e-12, equal_nan=True
        )
        if not replaced.any():  # the reply itself: a writer's caller may hold it under two names
            return value
        kept = np.where(replaced, held_to, value)
        return float(kept) if isinstance(reference, float) else kept

    def _given_its_helpers(self, name, args, kwargs, reference):
        """The value of `name` as the reference computes it with the learner's helpers of it
        (or the first of its FORMS that has some: tanh by σ), each held to its own charges."""
        candidates = [(HELPERS.get(name, ()), {})] + [
            (uses, {name: form}) for uses, form in FORMS.get(name, [])
        ]
        for uses, forms in candidates:
            uses = differing(self._ctx, uses)
            if uses:
                nested = WithLearnersHelpers(self._ctx, uses, forms, caller=self._caller)
                with np.errstate(all="ignore"):
                    value = conform(getattr(nested, name)(*_copy(args), **_copy(kwargs)), reference)
                self.degenerate |= nested.degenerate
                return value
        return reference

    def _mirror(self, name, args, args_after, value):
        """What the learner's helper did to its arguments, done to the replay's own: a helper
        that writes into its input (a σ computed in place) hands its caller the changed array in
        the learner's code too, so the caller is judged given that. The change is the helper's
        mistake (its own "leaves input unchanged" check charges it); one that leaves an argument
        hollow (constant where it was not) is an expectation hollow code could meet. Returns
        `value`, or the changed argument itself when that is what came back (`return x` after
        writing into x): the caller then holds one array under two names, as in the learner's."""
        for arg, after in zip(args, args_after or (), strict=False):
            for before, changed in _changed_arrays(arg, after):
                self.differed.add(name)
                self._ctx.writes_input.add(name)
                if _constant(changed) and not _constant(before):
                    self.degenerate.add(name)
                np.copyto(before, changed)
                if (
                    isinstance(value, np.ndarray)
                    and value.shape == before.shape
                    and np.array_equal(value, before)
                ):
                    value = before
        return value

    def _ask(self, name, args, kwargs):
        """The learner's helper called on copies of the grader's arguments, counted in the
        submission's budget (calls, wall seconds). Straight to the submission, not through
        Context.call: a helper that hangs or crashes on these inputs, which its own checks never
        gave it, is not marked broken for its own later checks (its grade is its checks')."""
        started = time.perf_counter()
        try:
            value, args_after, _ = self._ctx.sub.call_full(
                name, *_copy(args), timeout=CALL_TIMEOUT, **_copy(kwargs)
            )
            return value, args_after
        finally:
            calls, seconds = self._ctx.helper_calls
            self._ctx.helper_calls = (calls + 1, seconds + time.perf_counter() - started)


# The activations the contract's functions call, element-wise: their value checks
# (checks/activations.py) are split by input size, ordinary inputs (|x| <= ORDINARY_SCALE: the
# checks' ordinary arrays reach 5.6) and extreme ones (beyond, up to ±1000), each its own charge.
ELEMENTWISE = {"sigmoid", "tanh", "sigmoid_derivative", "swish"}
ORDINARY_SCALE = 10.0
ORDINARY_CHECKS = ("matches_reference", "matches_numerical_gradient")
EXTREME_CHECKS = ("correct_at_extreme_inputs",)


def _charge(ctx: Context, helper: str, kinds: tuple[str, ...]) -> str:
    """What `helper`'s checks of these kinds charged it for its values: "own" (one failed on its
    own finding, not for its gate nor through a helper), "through" (one was paid, or failed,
    through a helper of its own), "none" (all passed), or "unknown" (none has run yet: a check
    run on its own, whose helper's replies are taken as they come)."""
    results = [ctx.results[f"{helper}_{kind}"] for kind in kinds if f"{helper}_{kind}" in ctx.results]
    if not results:
        return "unknown"
    if any(not r.passed and not r.root_cause and not _gate_failed(ctx, r.name) for r in results):
        return "own"
    return "through" if any(r.root_cause for r in results) else "none"


def _changed_arrays(arg, after) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(the replay's float array, what the learner's helper left in its copy)] of every array
    in `arg` (an array, or a list, tuple or dict of them) that the call changed; an `after` of
    another structure, shape or kind is not the replay's to take."""
    if isinstance(arg, dict):
        if not isinstance(after, dict) or set(after) != set(arg):
            return []
        return [pair for k in arg for pair in _changed_arrays(arg[k], after[k])]
    if isinstance(arg, (list, tuple)):
        if not isinstance(after, (list, tuple)) or len(after) != len(arg):
            return []
        return [pair for a, b in zip(arg, after, strict=True) for pair in _changed_arrays(a, b)]
    if not (isinstance(arg, np.ndarray) and arg.dtype.kind == "f" and arg.flags.writeable):
        return []
    try:
        changed = np.asarray(after, dtype=float)
    except Exception:  # noqa: BLE001 - the learner's claim of what it left: junk is no change
        return []
    if changed.shape != arg.shape or np.array_equal(changed, arg, equal_nan=True):
        return []
    return [(arg, changed)]


def _below(helper: str) -> set[str]:
    """The contract functions `helper` calls, directly or through others."""
    return {h for direct in HELPERS.get(helper, ()) for h in {direct} | _below(direct)}


def _wrong_on_its_own(ctx: Context, function: str) -> bool:
    """A check of `function` failed on its own finding, not through a helper's mistake."""
    return any(
        result.function == function
        and not result.passed
        and not result.root_cause
        and not _gate_failed(ctx, name)
        for name, result in ctx.results.items()
    )


def _paid_through(ctx: Context, function: str) -> bool:
    """A check of `function` was paid, or failed, through a helper of its own."""
    return any(result.function == function and result.root_cause for result in ctx.results.values())


def _through_writers(ctx: Context, helpers: tuple[str, ...]) -> tuple[str, ...]:
    """`helpers`, each that is not wrong on its own and calls a helper seen writing into its
    arguments or was paid through a helper, replaced by its own helpers (followed down): the
    replay runs the reference's code of it, right given them. So the arrays the writer changes
    are shared as in the learner's process (values crossing the sandbox are copies, which would
    lose that); and a helper charged nothing itself cannot answer its caller's inputs otherwise
    than its checks saw (forward_prop right given a wrong σ, but not on predict's calls)."""
    expanded: list[str] = []
    for helper in helpers:
        if (
            helper in HELPERS
            and (_below(helper) & ctx.writes_input or _paid_through(ctx, helper))
            and not _wrong_on_its_own(ctx, helper)
        ):
            expanded += [h for h in _through_writers(ctx, HELPERS[helper]) if h not in expanded]
        elif helper not in expanded:
            expanded.append(helper)
    return tuple(expanded)


def differing(ctx: Context, helpers: tuple[str, ...]) -> tuple[str, ...]:
    """Those of `helpers` that may differ from the reference: every one with a check that failed
    on its own finding (not for its gate) or paid through a helper of theirs, that has no
    results yet (a check run on its own), or that writes into its arguments (`writes_input`:
    its "leaves input unchanged" check runs after every value check, so it is asked once here)
    or calls one that does. A helper right on all its own checks so far is the reference's, and
    not asked again."""
    graded = {result.function for result in ctx.results.values()}
    differ = {
        result.function
        for result in ctx.results.values()
        if (not result.passed and not _gate_failed(ctx, result.name)) or result.root_cause
    }
    return tuple(
        h
        for h in helpers
        if h in differ or h not in graded or writes_input(ctx, h) or _below(h) & ctx.writes_input
    )


# Helpers asked whether they write into their argument (one call each, only when a caller is
# judged through its helpers): the activations the contract's functions call.
PROBED_FOR_WRITES = {"sigmoid", "tanh", "sigmoid_derivative", "swish"}
WRITES_PROBE = np.array([[-2.0, -0.5, 0.0], [0.5, 2.0, -3.0]])


def writes_input(ctx: Context, helper: str) -> bool:
    """Whether the learner's `helper` changes the array it is given (seen in the arena after one
    call on WRITES_PROBE); noted in ctx.writes_input."""
    if helper not in PROBED_FOR_WRITES or helper in ctx._broken:  # a hang is not asked again
        return helper in ctx.writes_input

    def probe():
        try:
            _, args_after, _ = ctx.sub.call_full(helper, WRITES_PROBE.copy(), timeout=CALL_TIMEOUT)
        except SubmissionError:
            return False
        return bool(_changed_arrays(WRITES_PROBE.copy(), args_after[0] if args_after else None))

    if ctx.memo(("writes input", helper), probe):
        ctx.writes_input.add(helper)
    return helper in ctx.writes_input


def _gate_failed(ctx: Context, name: str) -> bool:
    """A check that failed only because a check it requires failed (not its own finding)."""
    return any(gate in ctx.results and not ctx.results[gate].passed for gate in REGISTRY[name].requires)


def root_of(ctx: Context, helper: str) -> str:
    """The function whose own mistake a helper's deviation is: the helper, or the root cause
    it was itself judged through."""
    return ctx.root_causes.get(helper, helper)


def judged(ctx: Context, fn: str, body: Callable[[object], None], helpers: tuple[str, ...] | None = None):
    """Run `body(ref)` against the reference; if it fails, again against the reference with the
    learner's helpers of `fn` (then each of fn's FORMS), and pay (noting the root cause) when one
    passes and is not degenerate. The first failure stands otherwise, with the root cause named
    when a helper differed (the function may be right, but cannot be judged until it is)."""
    try:
        body(ctx.ref)
        return
    except Failed as failed:
        first = failed
    candidates: list[tuple[tuple[str, ...], dict[str, Callable]]] = [
        (HELPERS.get(fn, ()) if helpers is None else helpers, {})
    ]
    candidates += [(uses, {fn: form}) for uses, form in FORMS.get(fn, [])]
    outcomes = []  # (consistent, rebound, its helpers) of each way fn may be written
    for uses, forms in candidates:
        uses = differing(ctx, uses)
        if not uses:
            continue
        rebound = WithLearnersHelpers(ctx, uses, forms, caller=fn)
        try:
            with np.errstate(all="ignore"):
                body(rebound)
            consistent = True
        except (Failed, Unjudgeable):
            consistent = False
        if not rebound.differed:
            continue
        if consistent and not rebound.degenerate:
            ctx.root_cause = _root(ctx, rebound, uses)
            ctx.root_causes.setdefault(fn, ctx.root_cause)
            return
        outcomes.append((consistent, rebound, uses))
    if not outcomes:
        raise first
    consistent, rebound, uses = max(outcomes, key=lambda outcome: outcome[0])  # degenerate first
    root = _root(ctx, rebound, uses)
    if not consistent:  # the function may have a mistake of its own: no root cause claimed
        raise Failed(t("root_cause_first", fn=fn, helper=root) + first.text, first.cause)
    ctx.root_cause = root
    raise Failed(t("root_cause_degenerate", fn=fn, helper=root) + first.text, first.cause)


def _root(ctx: Context, rebound: WithLearnersHelpers, uses: tuple[str, ...]) -> str:
    """The root cause: the first of `uses` that differed, followed down."""
    return root_of(ctx, min(rebound.differed, key=lambda h: uses.index(h) if h in uses else len(uses)))
