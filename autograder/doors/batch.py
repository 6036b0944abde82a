"""Grade a whole class: every learner of a folder, in parallel, each in a sandbox of their own.

The kit's intake (`intake.find_submissions`) reads every layout an instructor has and lists every
learner, those without a submission too; links are refused by name, never followed.

Each of `jobs` long-lived grader processes (a `Slot`, in a session of its own, with one warm
sandbox zygote for its whole life) grades learners one after another, so start-up and imports
are paid once per slot, not per learner. Learner code runs only in the sandbox's per-submission
workers; what one submission does (hang, crash, forged output) ends in its own worker. A grader
fault on one learner is that learner's grader error; a slot that stops answering within
`timeout` is killed with everything it started, that learner scored 0 with the reason in the
gradebook's `error` column, and the next learner gets a fresh slot. The gradebook is written
straight from each learner's `Results`, which slots send back as the lossless dict of
results.py in JSON (no pickle) and every report holds. The slots are slots.py's, the gradebook
gradebook.py's (shard.py's merge writes it too).
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from ..core.intake import (  # noqa: F401  (discovery, re-exported: grade-all's, shard's, classroom's names)
    CLASSROOM_PREFIX,
    MAX_ID_BYTES,
    NO_SUBMISSION,
    SKIPPED,
    Found,
    as_text,
    entries,
    find_submissions,
    learner_names,
    submission_in,
)
from ..settings import SETTINGS
from .gradebook import GRADEBOOK, Row, write_gradebook
from .slots import Slots, failure_row

DEFAULT_TIMEOUT = SETTINGS.grade_all_timeout


def grade_all(
    directory: Path,
    output_dir: Path,
    jobs: int = 1,
    lang: str = "zh",
    timeout: float = DEFAULT_TIMEOUT,
    shard=None,
) -> list[Row]:
    """Grade every entry of `directory` (only those of `shard`, a shard.Shard, if given); write
    output_dir/gradebook.csv and output_dir/<learner>.json."""
    from tqdm import tqdm  # here, not at import: `grade` should not pay for it

    from ..core.grade import load_rubric

    functions = list(load_rubric())
    output_dir.mkdir(parents=True, exist_ok=True)
    learners = find_submissions(directory)
    if shard is not None:  # after naming, so a learner's name does not depend on the split
        learners = [found for found in learners if shard.holds(found.learner)]
    rows = [
        failure_row(found.entry, output_dir / f"{found.learner}.json", found.problem, lang)
        for found in learners
        if found.path is None
    ]
    gradable = [(found.learner, found.path) for found in learners if found.path is not None]
    slots = Slots(output_dir)
    try:
        with (
            ThreadPoolExecutor(max_workers=jobs) as pool,
            tqdm(
                total=len(learners), initial=len(rows), desc="grading", unit="learner", file=sys.stderr
            ) as bar,
        ):
            # absolute(), not resolve(): a learner's entry that is a link is refused by the
            # grader's intake, never followed here (resolve() would hand it the link's target)
            futures = [
                pool.submit(slots.grade_one, path, output_dir / f"{learner}.json", lang, timeout)
                for learner, path in gradable
            ]
            for future in as_completed(futures):
                rows.append(future.result())
                bar.update(1)
    finally:
        slots.close()
    rows.sort(key=lambda row: row.learner)
    write_gradebook(output_dir / GRADEBOOK, rows, functions)
    return rows
