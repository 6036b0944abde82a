"""What the grader reads in a submission's source: data it holds, never a report of the learner's
process (issue 18: train's defaults were the worker's word, which the learner's code patched).

One question only: the literal default a function's parameter has in the source, when the
source is plain enough that the default is the one every call without the argument binds.
Anything else is None, and the check runs the call instead (behaviour). Parsing is bounded: the
code is capped in bytes, and a parse that fails (a syntax error, an AST too deep, out of memory)
simply means "not plain". The tree is walked iteratively (ast.walk), never recursively.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence, Set
from typing import TypeGuard

# A complete module of the course is ~20 KB; beyond this the source is not read, only run
# (a parse and walk of 128 KiB of one-line statements takes ~0.5 s in the grader).
MAX_SOURCE_BYTES = 128 * 1024

# Ways to reach a module's namespace, a frame, a function's internals, or to run code given
# as a string: honest chapter-1 code uses none of them, and with any of them the source no
# longer says what runs (e.g. `setattr(train, "__defaults__", ...)`). Conservative by design: a
# false "not plain" only makes the check run the call whole.
DENIED_NAMES = frozenset(
    "globals locals vars setattr delattr exec eval compile __import__ __builtins__ attrgetter "
    "methodcaller".split()
)
DENIED_MODULES = frozenset(  # only by an import: a variable may well be called `code`
    "builtins importlib ctypes gc pickle _pickle marshal copyreg doctest runpy code types".split()
)
DENIED_ATTRIBUTES = frozenset(
    "__dict__ __defaults__ __kwdefaults__ __code__ __globals__ __closure__ __builtins__ __setattr__ "
    "__delattr__ __set__ __getattribute__ __subclasses__ __self__ __func__ f_globals f_locals f_back "
    "f_builtins gi_frame cr_frame tb_frame modules _getframe currentframe stack settrace setprofile "
    "import_module setattr delattr attrgetter methodcaller get_field ctypes ctypeslib".split()
)
_DENIED_IMPORTS = DENIED_NAMES | DENIED_MODULES | DENIED_ATTRIBUTES
# The only modules a plain source imports (by top-level name): any other can rebind train with
# no name the lists above know (unittest.mock.patch("nn_basics.train", ...), inspect.getmembers
# of a frame, traceback.walk_stack...), and honest chapter-1 code needs none of them.
PLAIN_IMPORTS = frozenset("numpy math random typing time matplotlib __future__".split())


def _parse(code: Iterable[str | bytes]) -> list[ast.Module] | None:
    """Each unit parsed (a .py's bytes honour their coding line), or None: too large or not parsed."""
    units = list(code)
    if sum(len(u) for u in units) > MAX_SOURCE_BYTES:
        return None
    try:
        return [ast.parse(u) for u in units]
    except (SyntaxError, ValueError, LookupError, RecursionError, MemoryError):
        return None


def _reflective(node: ast.AST, called: Set[int] = frozenset()) -> bool:
    """Reaches a namespace, a frame or a function's internals, or runs a string (DENIED_*), or
    imports a module not in PLAIN_IMPORTS, or names a private attribute (`x._y`, `x.__y__`).
    called: ids of the `getattr` names that are called with a constant name (read below); any
    other `getattr` (`g = getattr; g(sys, "modu" + "les")`) reads a computed name."""
    if isinstance(node, ast.Name):
        return node.id in DENIED_NAMES or (node.id == "getattr" and id(node) not in called)
    if isinstance(node, ast.Attribute):
        return node.attr in DENIED_ATTRIBUTES or node.attr.startswith("_")
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
        if (isinstance(node, ast.ImportFrom) and node.level) or any(
            m.split(".")[0] not in PLAIN_IMPORTS for m in modules
        ):
            return True
        names = [a.name for a in node.names] + [a.asname or "" for a in node.names]
        return any(part in _DENIED_IMPORTS for n in modules + names for part in n.split("."))
    if _calls_getattr(node):
        # getattr(x, "name") reads what it names; a computed name could be anything
        name = node.args[1] if len(node.args) > 1 else None
        return not (isinstance(name, ast.Constant) and isinstance(name.value, str)) or (
            name.value in DENIED_ATTRIBUTES
        )
    return False


def _calls_getattr(node: ast.AST) -> TypeGuard[ast.Call]:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"


def _any_reflective(tree: ast.AST) -> bool:
    nodes = list(ast.walk(tree))
    called = {id(n.func) for n in nodes if isinstance(n, ast.Call) and _calls_getattr(n)}
    return any(_reflective(n, called) for n in nodes)


def _stores_into(node: ast.AST, name: str) -> bool:
    """`name.<anything> = / del`, or `<anything>.name = / del`: changes the function or rebinds it."""
    if not (isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del))):
        return False
    return node.attr == name or (isinstance(node.value, ast.Name) and node.value.id == name)


def _bindings(node: ast.AST, name: str) -> int:
    """How many times `node` binds `name` (a star import or a global declaration: many)."""
    many = 2
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return int(node.name == name)
    if isinstance(node, ast.Name):
        return int(node.id == name and isinstance(node.ctx, (ast.Store, ast.Del)))
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        if any(a.name == "*" for a in node.names):
            return many
        bound = [
            a.asname or (a.name.split(".")[0] if isinstance(node, ast.Import) else a.name) for a in node.names
        ]
        return bound.count(name)
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return many if name in node.names else 0
    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
        return int(node.name == name)
    if isinstance(node, ast.MatchMapping):
        return int(node.rest == name)
    return 0


def _default(function: ast.FunctionDef, parameter: str) -> ast.expr | None:
    args = function.args
    positional = args.posonlyargs + args.args
    defaults: dict[str, ast.expr | None] = dict.fromkeys(a.arg for a in positional)
    defaults.update(
        zip([a.arg for a in positional][len(positional) - len(args.defaults) :], args.defaults, strict=False)
    )
    defaults.update(zip([a.arg for a in args.kwonlyargs], args.kw_defaults, strict=False))
    return defaults.get(parameter)


# Inside the counted loop, what could end or change the run at one step only: a plain loop has none.
_LOOP_EXITS = (ast.Break, ast.Return, ast.Raise, ast.Yield, ast.YieldFrom, ast.Await, ast.Try)
_EXIT_CALLS = frozenset({"exit", "quit", "breakpoint", "input"})


def _counts_plainly(function: ast.FunctionDef, parameter: str, trees: Sequence[ast.Module]) -> bool:
    """`parameter` is read once, as `for ... in range(parameter):` (the builtin, never rebound in
    the module), never rebound, and that loop cannot end early or single out one step: then a
    call that leaves it to its default runs exactly the default's steps, as a call that passes
    the same number does (which the checks run). `if num_iterations == 5000: num_iterations = 10`
    or a loop that breaks at step 800 makes the source not plain: run whole, judged by what it does."""
    uses = [n for n in ast.walk(function) if isinstance(n, ast.Name) and n.id == parameter]
    loops = [
        n
        for n in ast.walk(function)
        if isinstance(n, ast.For)
        and isinstance(n.iter, ast.Call)
        and isinstance(n.iter.func, ast.Name)
        and n.iter.func.id == "range"
        and not n.iter.keywords
        and len(n.iter.args) == 1
        and isinstance(n.iter.args[0], ast.Name)
        and n.iter.args[0].id == parameter
    ]
    if len(uses) != 1 or len(loops) != 1 or loops[0].orelse:
        return False
    if any(_bindings(node, "range") for tree in trees for node in ast.walk(tree)):
        return False
    for node in ast.walk(loops[0]):
        if isinstance(node, _LOOP_EXITS):
            return False
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _EXIT_CALLS:
            return False
    return True


def literal_int_default(
    module_code: Sequence[str | bytes], sibling_code: Sequence[str | bytes], function: str, parameter: str
) -> int | None:
    """The literal int default (`5000`, not `5000.0`, `True` or `50 * 100`) of `parameter` in the source's `def function`,
    when the source is plain: `function` is bound exactly once in the whole module, by one
    top-level `def` without decorators; nothing assigns to its attributes or rebinds it as an
    attribute of anything; and neither the module nor a sibling module it could import uses
    reflection (DENIED_*), imports a module not in PLAIN_IMPORTS or names a private attribute;
    and `parameter` only counts a plain loop (_counts_plainly). Otherwise None."""
    trees = _parse(module_code)
    siblings = _parse(sibling_code)
    if not trees or siblings is None:
        return None
    defs = []
    bindings = 0
    for tree in trees:
        defs += [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function]
        if _any_reflective(tree):
            return None
        for node in ast.walk(tree):
            if _stores_into(node, function):
                return None
            bindings += _bindings(node, function)
    for tree in siblings:
        if _any_reflective(tree) or any(_stores_into(node, function) for node in ast.walk(tree)):
            return None
    if bindings != 1 or len(defs) != 1 or defs[0].decorator_list:
        return None
    if not _counts_plainly(defs[0], parameter, trees):
        return None
    default = _default(defs[0], parameter)
    return default.value if isinstance(default, ast.Constant) and type(default.value) is int else None
