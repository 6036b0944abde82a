"""Values as feedback shows them (short: a learner reads them in a terminal), and what is never
shown: the arguments of a check whose inputs stay hidden."""

from __future__ import annotations

import numpy as np

from ..messages import t


def hides_arguments(label: str) -> bool:
    """Whether a call's label keeps an argument back: `seed=...`, or the default `fn(...)`."""
    return "..." in label


# What the feedback of a call that hides its inputs shows in place of anything the learner's code
# chose (a dict key, a shape, a value, an exception's class name, an exit status): learner code
# holds the hidden inputs, and any text it chooses could spell them (f"seed={seed}", in hex...).
HIDDEN = t("hidden_returned")


def shown_keys(got: dict, expected, call: str):
    """A returned dict's keys for the feedback of `call`: a few of them, or, when the call hides
    its inputs, only those it should have, the others counted."""
    if not hides_arguments(call):
        return keys_text(got)
    return t(
        "hidden_keys", keys=sorted(k for k in expected if k in got), more=sum(k not in expected for k in got)
    )


# --- formatting values for feedback (short: a learner reads them in a terminal) --------------


def short(text: str, limit: int = 200) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fmt(value) -> str:
    """A short rendering of a number, an array or anything else the learner returned."""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return f"{float(value):.6g}" if isinstance(value, (float, np.floating)) else str(value)
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return fmt(value.item())
        return short(
            np.array2string(value, precision=6, threshold=8, edgeitems=2, max_line_width=120, separator=", "),
            300,
        )
    if isinstance(value, dict):
        return short("{" + ", ".join(f"{k!r}: {fmt(v)}" for k, v in value.items()) + "}", 300)
    return short(repr(value), 200)


def told_apart(expected, got) -> dict[str, str]:
    """{"expected": ..., "got": ...}: two numbers with the significant digits it takes to see
    how they differ: to the first digit that differs and one more, so a difference never reads
    as rounding ("1.56585" / "1.56586" is "1.565854" / "1.565856"); 6 digits at least."""
    if not all(isinstance(v, (int, float, np.integer, np.floating)) for v in (expected, got)):
        return {"expected": fmt(expected), "got": fmt(got)}
    e, g = float(expected), float(got)
    digits = max(6, min(first_difference(e, g), 16) + 1)
    return {"expected": f"{e:.{digits}g}", "got": f"{g:.{digits}g}"}


def first_difference(a: float, b: float) -> int:
    """The position (1 = leading) of the first significant digit where a and b differ, read to
    17 digits; 1 when their signs or magnitudes differ, 17 when they agree throughout."""
    if not (np.isfinite(a) and np.isfinite(b)) or (a < 0) != (b < 0):
        return 1
    a_digits, a_exp = f"{a:.16e}".split("e")  # "-1.5658540000000000", "+00"
    b_digits, b_exp = f"{b:.16e}".split("e")
    if a_exp != b_exp:
        return 1
    a_digits, b_digits = a_digits.lstrip("-").replace(".", ""), b_digits.lstrip("-").replace(".", "")
    return next((i + 1 for i, (x, y) in enumerate(zip(a_digits, b_digits, strict=True)) if x != y), 17)


def keys_text(mapping: dict, shown: int = 8) -> str:
    """A dict's keys for feedback, a few of them: a learner's dict may have 500,000."""
    keys = [short(repr(k), 40) for k in list(mapping)[:shown]]
    more = len(mapping) - shown
    return "[" + ", ".join(keys) + (f", … ({more} more)" if more > 0 else "") + "]"


def type_name(value, call: str = "") -> str:
    """What a returned value is; its shape and dtype too unless `call` hides its inputs."""
    if isinstance(value, np.ndarray) and hides_arguments(call):
        return "numpy array"
    if isinstance(value, np.ndarray):
        return f"numpy array, shape {value.shape}, dtype {value.dtype}"
    return type(value).__name__


def shown_shape(arr: np.ndarray, call: str):
    return HIDDEN if hides_arguments(call) else arr.shape


def item_label(label: str, item: str) -> str:
    """A call's label with `item` (a key, "→ name") right after the call, before the context:
    "backward_prop(...)['bh'], X.shape = ...", never "..., X.shape = (6, 3)['bh']"."""
    depth = 0
    for position, char in enumerate(label):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ")" and depth == 0:
            return label[: position + 1] + item + label[position + 1 :]
    return label + item


def index_text(index: tuple) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]" if index else ""
