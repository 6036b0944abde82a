"""Pages checked in a real browser: Debian's headless Chromium, driven by selenium, opens the
learner's nbgrader feedback page and the formgrader's manual-grading view, and asserts what a
person sees there.

What they need (chromium, chromium-driver, a CJK font) is installed by `make browser-deps` (as
root; .ci/run runs it first), never by the tests themselves: where something is missing they skip
and name that command. All of them run in one xdist worker (`--dist loadgroup`), so the course is
graded and the browser started once.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tools import demo

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).resolve().parents[1]
# Debian's paths; another machine's browser and driver can be named in the environment
CHROMIUM = os.environ.get("NN_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("NN_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1600",
]
LEARNER = "lin"
WRITTEN_ANSWER = "激活函数（activation function）给网络引入非线性，否则多层网络等价于一层。"
HIDDEN_MARKERS = ("BEGIN HIDDEN TESTS", "grade_cell", "autograder", "BEGIN SOLUTION")


def cjk_fonts() -> list[str]:
    if not shutil.which("fc-list"):
        return []
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.strip()]


def browser_missing() -> list[str]:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    return missing + ([] if cjk_fonts() else ["a CJK font (fc-list :lang=zh)"])


def headless_chromium(tmp_path_factory, page_load_strategy: str, console: bool = False):
    """A selenium driver of headless Chromium with a fresh profile, for a module-scoped fixture to
    `yield from` (it quits when the fixture ends); skips, naming the command, where Chromium,
    its driver, a CJK font or selenium is missing. `console`: keep the page's console log."""
    if browser_missing():  # installing system packages is the machine owner's call, not a test's
        pytest.skip(
            f"no headless Chromium here: {', '.join(browser_missing())} missing; "
            "`make browser-deps` (as root) installs them"
        )
    pytest.importorskip("selenium", reason="selenium is not installed (requirements.txt)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    options.page_load_strategy = page_load_strategy
    if console:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    # eager: the pages' own scripts, not a CDN that cannot be reached
    yield from headless_chromium(tmp_path_factory, "eager")


def learner_notebook(release_nb):
    """A learner with three of the chapter's bugs (partial marks, feedback to show) who answered
    the first review question in Chinese."""
    nb = demo.submission(release_nb, demo.with_bugs(demo.answers()))
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "question_1":
            cell.source = WRITTEN_ANSWER
    return {LEARNER: nb}


@pytest.fixture(scope="module")
def course(browser, tmp_path_factory):
    """Graded through nbgrader's public commands, as an instructor would."""
    course = tmp_path_factory.mktemp("course")
    demo.build_course(course, learner_notebook)
    demo.nbgrader(course, "autograde", demo.ASSIGNMENT, "--force")
    demo.nbgrader(course, "generate_feedback", demo.ASSIGNMENT, "--force")
    return course


# --- the learner's feedback page ------------------------------------------------------------


@pytest.fixture(scope="module")
def feedback(browser, course):
    page = course / "feedback" / LEARNER / demo.ASSIGNMENT / f"{demo.ASSIGNMENT}.html"
    browser.get(page.as_uri())
    return browser


def test_feedback_shows_the_score_table(feedback):
    from selenium.webdriver.common.by import By

    heading = feedback.find_element(By.CSS_SELECTOR, "h4").text
    assert heading.startswith(f"{demo.ASSIGNMENT}：得分（score）: ")
    items = [li.text for li in feedback.find_elements(By.CSS_SELECTOR, "#toc li")]
    # the kit's template (autograder/doors/feedback_page.py): test cells named by their function
    tests = [t for t in items if "的检查：" in t]
    written = [t for t in items if t.startswith("书面回答（written answer）：")]
    assert len(tests) == 23 and len(written) == 7
    awaiting = [t for t in written if t.endswith("待批改（awaiting grading）")]
    assert len(awaiting) == 1  # the answered question, until a person grades it (max 2)
    scored = [
        tuple(float(v) for v in t.rsplit("：", 1)[1].split(" / "))
        for t in tests + written
        if t not in awaiting
    ]
    total, max_total = (float(v) for v in heading.rsplit(": ", 1)[1].split(" / "))
    assert max_total == 114 == sum(m for _, m in scored) + 2  # 100 autograded + 14 written
    assert total == sum(s for s, _ in scored)
    assert 0 < total < 100  # the chapter's bugs cost points; the written answer awaits its grader
    assert all(e.is_displayed() for e in feedback.find_elements(By.CSS_SELECTOR, "#toc li"))


def test_feedback_renders_chinese_not_tofu(feedback):
    from selenium.webdriver.common.by import By

    assert cjk_fonts(), "no CJK font: Chinese would render as empty boxes"
    title = feedback.find_element(By.CSS_SELECTOR, "h1").text
    assert "深度学习简介" in title
    # Draw two different characters in the heading's own font: a font without them draws the
    # same empty box (tofu) for both, a real CJK font two different glyphs.
    glyphs = feedback.execute_script("""
        const font = getComputedStyle(document.querySelector('h1')).font;
        const draw = (ch) => {
            const c = document.createElement('canvas'); c.width = c.height = 64;
            const g = c.getContext('2d'); g.font = font; g.fillText(ch, 4, 48);
            return Array.from(g.getImageData(0, 0, 64, 64).data).join(',');
        };
        return [draw('深'), draw('度'), draw('\\u{10FFFD}')];
    """)
    deep, degree, no_glyph = glyphs
    assert deep != degree, "two CJK characters drew the same box: no font has them"
    assert no_glyph not in (deep, degree)


def test_feedback_shows_no_hidden_test_code(feedback):
    text = feedback.find_element("tag name", "body").text
    source = feedback.page_source
    for marker in HIDDEN_MARKERS:
        assert marker not in text and marker not in source
    assert "check_sigmoid(sigmoid)" in text  # the visible test code is still there


# --- the formgrader's manual grading ---------------------------------------------------------

OTHER_SERVER_EXTENSIONS = (
    "jupyterlab",
    "notebook",
    "notebook_shim",
    "jupyter_lsp",
    "jupyter_server_terminals",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.validate_assignment",
)
# The formgrader's page loads MathJax from a CDN, which this machine cannot reach (only package
# registries); without it formgrade.js stops before it loads the grades. This stands in for the
# CDN only when the CDN's script fails to load.
MATHJAX_STAND_IN = """
window.addEventListener("error", (event) => {
    const src = (event.target && event.target.src) || "";
    if (src.includes("mathjax") && !window.MathJax) {
        window.MathJax = {Hub: {Config() {}, Queue() {}, Typeset() {},
            Startup: {signal: {Interest(listener) { setTimeout(() => listener("End"), 0); }}}}};
    }
}, true);
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def formgrader(course, tmp_path_factory):
    """jupyter server with nbgrader's formgrader on 127.0.0.1, in the course (nbgrader's docs)."""
    port, token = free_port(), secrets.token_hex(16)
    config = tmp_path_factory.mktemp("jupyter-config")
    # only the formgrader: the other installed extensions (lab, notebook, lsp...) cost start-up time
    extensions = dict.fromkeys(OTHER_SERVER_EXTENSIONS, False) | {
        "nbgrader.server_extensions.formgrader": True
    }
    (config / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": extensions}})
    )
    env = dict(
        os.environ,
        NN_KIT_COURSE_ROOT=str(course),
        JUPYTER_CONFIG_DIR=str(config),
        JUPYTER_RUNTIME_DIR=str(config / "runtime"),
    )
    log = (config / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter_server",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            "--ServerApp.open_browser=False",
            "--allow-root",
            f"--ServerApp.root_dir={course}",
        ],  # the course must lie under the server's root
        cwd=ROOT,  # where the formgrader finds the course's nbgrader_config.py
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError as refused:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"jupyter server did not start:\n{(config / 'server.log').read_text()}"
                    ) from refused
                time.sleep(0.3)
        yield base, token
    finally:
        stop_session(server)
        log.close()


def stop_session(process):
    """End the server and whatever it started (its own session), and nothing else."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=15)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def manual_score(course, grade_id):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return gb.find_grade(
            grade_id, demo.NOTEBOOK.removesuffix(".ipynb"), demo.ASSIGNMENT, LEARNER
        ).manual_score


def test_formgrader_grades_a_written_answer_by_hand(browser, course, formgrader):
    from nbgrader.api import Gradebook
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    base, token = formgrader
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submission_id = gb.find_submission_notebook(
            demo.NOTEBOOK.removesuffix(".ipynb"), demo.ASSIGNMENT, LEARNER
        ).id
    assert manual_score(course, "question_1") is None
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": MATHJAX_STAND_IN})
    wait = WebDriverWait(browser, 30)
    # log in as a person does, with the server's token on its login page (a token in the URL
    # alone lets the page in but not the page's own requests for the grades)
    browser.get(f"{base}/login")
    password = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "input[type=password]")))
    password.send_keys(token)
    password.submit()
    wait.until(lambda driver: "/login" not in driver.current_url)
    browser.get(f"{base}/formgrader/submissions/{submission_id}/")
    # the page's scripts have loaded this cell's grade: it is flagged as needing a manual grade
    score = wait.until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "input.score.needs_manual_grade#question_1"))
    )
    panel = score.find_element(By.XPATH, "ancestor::div[contains(@class, 'nbgrader_cell')]")
    assert WRITTEN_ANSWER in panel.text and "Student's answer" in panel.text
    assert score.is_displayed() and "/ 2" in panel.text
    score.clear()
    score.send_keys("2", Keys.TAB)  # leaving the field saves it, as a grader would
    deadline = time.monotonic() + 15
    while manual_score(course, "question_1") != 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert manual_score(course, "question_1") == 2
