"""The one rule for what is graded (autograder.core.submission.graded_file), and that grading follows it:
a folder is graded from ch01.ipynb when it holds one, else from nn_basics.py; links are refused."""

import shutil
from pathlib import Path

import pytest

from autograder.core.grade import grade_submission
from autograder.core.submission import LinkRefused, NoSubmission, graded_file
from tests.mistakes import correct_source

ROOT = Path(__file__).resolve().parents[1]
RELEASE_NOTEBOOK = ROOT / "release" / "ch01" / "ch01.ipynb"


def test_a_folder_is_graded_from_its_notebook_when_it_holds_one(tmp_path):
    (tmp_path / "nn_basics.py").write_text("")
    assert graded_file(tmp_path) == tmp_path / "nn_basics.py"
    (tmp_path / "ch01.ipynb").write_text("{}")
    assert graded_file(tmp_path) == tmp_path / "ch01.ipynb"


def test_a_file_named_directly_is_graded_as_it_is(tmp_path):
    (tmp_path / "ch01.ipynb").write_text("{}")
    (tmp_path / "mine.py").write_text("")
    assert graded_file(tmp_path / "mine.py") == tmp_path / "mine.py"


def test_nothing_to_grade(tmp_path):
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "ch01.ipynb").mkdir()  # a folder by that name is not a notebook
    with pytest.raises(NoSubmission, match="neither ch01.ipynb nor nn_basics.py"):
        graded_file(tmp_path)
    with pytest.raises(NoSubmission):
        graded_file(tmp_path / "absent")


def test_links_are_refused_not_followed(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "nn_basics.py").write_text("")
    (tmp_path / "linked_folder").symlink_to(real)
    with pytest.raises(LinkRefused):
        graded_file(tmp_path / "linked_folder")
    learner = tmp_path / "learner"
    learner.mkdir()
    (learner / "nn_basics.py").write_text("")
    (learner / "ch01.ipynb").symlink_to("/etc/passwd")
    with pytest.raises(LinkRefused, match="ch01.ipynb is a symbolic link"):
        graded_file(learner)  # not graded from nn_basics.py behind the learner's back either
    (tmp_path / "dangling.py").symlink_to(tmp_path / "nowhere")
    with pytest.raises(LinkRefused):
        graded_file(tmp_path / "dangling.py")


@pytest.mark.slow  # two gradings
def test_grading_a_folder_follows_the_rule(tmp_path):
    # issue 12: a complete module beside an untouched notebook got 0 from nbgrader, 100 from the CLI
    (tmp_path / "nn_basics.py").write_text(correct_source(), encoding="utf-8")
    shutil.copy(RELEASE_NOTEBOOK, tmp_path / "ch01.ipynb")
    assert grade_submission(tmp_path).score == 0
    (tmp_path / "ch01.ipynb").unlink()
    assert grade_submission(tmp_path).score == 100
