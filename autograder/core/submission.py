"""The names of autograder/core/intake.py under their former module, for code written against it:
the rule of what is graded, the refusal (`LinkRefused` and `NotRegular` are now the one
`Refused`, whichever kind it is) and nothing-there (`NoSubmission`). New code imports intake."""

from __future__ import annotations

from .intake import (
    ASSIGNMENT,
    GRADED_NAMES,
    MODULE,
    MODULE_NAME,
    NOTEBOOK,
    SUFFIXES,
    NoSubmission,
    Refused,
    graded_file,
    open_graded,
)

LinkRefused = NotRegular = Refused

__all__ = [
    "ASSIGNMENT",
    "GRADED_NAMES",
    "MODULE",
    "MODULE_NAME",
    "NOTEBOOK",
    "SUFFIXES",
    "LinkRefused",
    "NoSubmission",
    "NotRegular",
    "Refused",
    "graded_file",
    "open_graded",
]
