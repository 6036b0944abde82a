"""The kit's settings, in one typed object: time limits, the language, the pass mark and the size
limits every door and the sandbox read from here (before, each module kept its own copy, and the
sandbox's default call limit, 10 s, was not the 2 s every check passed).

A leaf module: it imports nothing of the kit, so the sandbox and every door can read it.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class Settings:
    # seconds of wall time for one call into learner code; train's learning runs get longer
    call_timeout: float = 2.0
    train_timeout: float = 30.0
    load_timeout: float = 15.0  # importing the module or running the notebook's cells
    budget: float = 90.0  # the whole submission's learner time (sandbox/cpuwait.py stretches it)
    # grade-all: beyond the sandbox's own budget (90 s, which ends by 180 s in wall time on a
    # loaded machine) plus start-up, so it only fires when grading itself is stuck
    grade_all_timeout: float = 240.0
    lang: str = "zh"  # the learner's language when nobody says otherwise
    reports_dir: str = "reports"  # grade-all's, merge's and similarity's output (pages link each other)
    pass_mark: float = 60.0  # percent of the maximum score for a CI success status
    # what the intake reads (autograder/core/intake.py): a complete module of the course is ~20 KB,
    # a notebook with every plot rendered ~1-2 MB
    max_module_bytes: int = 1 << 20
    max_notebook_bytes: int = 16 << 20
    max_siblings: int = 20  # a learner folder's other modules brought along
    # a pull request's repository tarball: everything decompressed up to the member taken (gzip
    # shrinks zeros a thousandfold: ~0.2 s of gunzip at worst); the member itself is capped as
    # on disk
    max_unpacked_bytes: int = 100 << 20


SETTINGS = Settings()


def add_lang_argument(
    parser: argparse.ArgumentParser,
    what: str = "feedback",
    default: str | None = SETTINGS.lang,
    shown_default: str = SETTINGS.lang,
) -> None:
    """`--lang`, as every command declares it: `what` is the text it chooses the language of;
    `default` None lets the command fall back on its own configuration (`shown_default` says
    which in the help)."""
    parser.add_argument(
        "--lang", choices=LANGUAGES, default=default, help=f"{what} language (default: {shown_default})"
    )


def add_output_dir_argument(parser: argparse.ArgumentParser, what: str, beside: str = "") -> None:
    """`--output-dir`, as every command that writes the class's reports declares it: `what` goes
    there; `beside`, what else it sits with by default."""
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=Path(SETTINGS.reports_dir),
        help=f"where {what} (default: {SETTINGS.reports_dir}{beside})",
    )
