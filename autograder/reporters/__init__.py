"""Reporters: each module renders the one results model (`render(results, lang) -> str`).

Adding a format is adding a module with a `render` function and a line in FORMATS.
"""
from importlib import import_module

FORMATS = {
    "text": "text",
    "json": "json_report",
    "gradescope": "gradescope",
    "junit": "junit",
    "markdown": "markdown",
}


def render(results, fmt: str, lang: str | None = None) -> str:
    module = import_module(f"{__name__}.{FORMATS[fmt]}")
    return module.render(results, lang=lang or results.lang)


def number(value: float):
    """Points as JSON-friendly numbers: 3 rather than 3.0, 1.5 stays."""
    return int(value) if float(value).is_integer() else round(float(value), 6)
