"""Where nbgrader meets the kit's grader, so both give the same score for the same notebook.

- `SandboxGrades`: the autograde preprocessor that takes the place of nbgrader's Execute
  (nbgrader_config.py): no kernel runs the learner's notebook. It grades the learner's submitted
  folder by the one rule (submission.graded_file: the notebook, else the module), the path and
  pipeline `grade-all submitted/` grades (learner code only in the sandbox worker), writes each
  test cell's outputs: the feedback (led by why points were lost before any check, if they
  were), then the points earned as the cell's result, which nbgrader takes as partial credit;
  and logs one GRADED line per learner (score, time, that reason).
- `SubmissionExporter`, `OverwriteAllCells`, `init_notebooks_by_the_rule`: every submitted
  folder reaches SandboxGrades. A notebook nbgrader cannot read (invalid JSON, 0 bytes) is
  processed as an empty one, released cells missing from a notebook are added back wherever
  they went missing (nbgrader's own raised KeyError on an empty notebook), and a folder holding
  only nn_basics.py is autograded too (nbgrader skipped it: "No notebooks were matched").
- `InertLearnerHTML`: the autograde step after it: raw HTML in a learner's markdown or raw
  cells (`<script>`, `<img onerror=...>`) is escaped in the autograded notebook, which the
  feedback page and formgrader (in the instructor's Jupyter, same origin) both render.
  Then every Markdown link and image of those cells whose URL has a scheme other than http,
  https or mailto (`javascript:`, `data:`, `vbscript:`, `file:`, however written: entities, case,
  tabs) is defused: found by rendering the cell with nbconvert's own Markdown renderer (mistune)
  and reading the URLs the browser would get, whatever the cell holds (issue 18, attack 10).
- `StripHiddenTests`: a feedback preprocessor; nbgrader's feedback shows test cells in full,
  hidden blocks and tracebacks included, so we cut both before rendering.
- `CheckCellMetadata`: nbgrader's check of each cell's nbgrader metadata, with its JSON schema
  compiled once per run rather than once per cell (0.2-0.4 s a notebook saved).
- `ArchiveBoundCollector`: zip_collect's collector: a notebook is tied to the archive it came
  from (its learner id is the archive's), and a learner's second notebook is skipped, so one
  learner's zip neither submits for a classmate nor aborts the class's collection.
- `RestoreCellMetadata`: the sanitize step before nbgrader's own: each cell's nbgrader metadata
  as the released notebook has it (from the gradebook), so no learner's edit of it (`solution:
  true` on a locked test cell made nbgrader's OverwriteCells raise, and the whole autograde run
  exit 1) reaches nbgrader's steps.
"""

import glob
import html
import logging
import os
import re
import time
import traceback
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import bleach
import jsonschema
import nbformat
from nbconvert.exporters import NotebookExporter
from nbconvert.exporters.exporter import ResourcesDict
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbformat.v4.nbbase import random_cell_id
from nbgrader.api import Gradebook
from nbgrader.converters import NbGraderException
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator
from nbgrader.plugins import FileNameCollectorPlugin
from nbgrader.preprocessors import CheckCellMetadata as NbgraderCheckCellMetadata
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor, OverwriteCells
from traitlets import Bool, List

from autograder import messages
from autograder.core.intake import MODULE, NOTEBOOK, NoSubmission, Refused, graded_file
from autograder.doors.feedback_page import NOTES, figure_outputs, page_notes
from autograder.nbgrader_cells import is_grade, nbgrader_metadata, tested_function
from autograder.results import note as misconception_note
from autograder.results import number


def _grade(path):
    from autograder.core.grade import grade_submission  # deferred: keeps nbgrader's start-up light

    return grade_submission(path, figures=True)  # the feedback page shows each failing function's figure


def _graded(folder: Path):
    """The Results of the learner's submitted folder, by the kit's intake (intake.graded_file):
    the same path `grade-all submitted/` grades, so both give the same score, whatever the
    folder holds (a notebook nbgrader cannot read, a module only, a refused link)."""
    from autograder.core.grade import without_results

    try:
        graded_file(folder)
    except (NoSubmission, Refused) as missing:
        why = (
            messages.t("submission_is_link", name=missing.details.get("name", Path(folder).name))
            if isinstance(missing, Refused) and missing.kind == "link"
            else _refused_why(missing)
        )
        results = without_results(folder, why.en)
        results.tests = [replace(check, feedback=why) for check in results.tests]
        results.refused = why  # said once above the checks, in both languages
        return results
    return _grade(folder)


def _refused_why(missing: Exception) -> messages.Text:
    """Nothing to grade, or a file the rule picks that is not a regular one, in the learner's words."""
    if isinstance(missing, Refused):
        from autograder.checks.common import refusal_reason  # deferred, as grading is

        return messages.t("load_refused", reason=refusal_reason(missing))
    return messages.t("nothing_to_grade")


def _test_cells(nb):
    for cell in nb.cells:
        if (name := tested_function(cell)) is not None:
            yield cell, name


def function_report(results, name, lang="zh"):
    """(points earned for contract function `name`, the feedback text for its checks). A
    function that lost points shows first why the submission lost them before any check ran
    (a refusal, a load error, nothing defined), unless its checks' feedback already says it."""
    tests = [t for t in results.tests if name in t.tags]
    earned = sum(t.score for t in tests)
    lines = [t.render(lang) for t in tests if not t.passed]
    notice = results.notice.render(lang) if results.notice else ""
    if lines and notice and not any(notice in line for line in lines):
        lines.insert(0, notice)
    named = next((t for t in tests if not t.passed and t.misconception), None)
    if named is not None:  # once per function, after its failures (misconceptions.py)
        lines.append("→ " + misconception_note(named).render(lang))
    if not lines:
        lines = ["✓ " + messages.t("all_hidden_checks_passed").render(lang)]
    return round(earned, 6), "\n".join(lines) + "\n"


# The level of the one line a learner's autograde logs: above WARN, the course's log level, so
# `nbgrader autograde` says who it graded, and how, as it goes; not called a warning.
GRADED = logging.WARNING + 1
logging.addLevelName(GRADED, "GRADED")


class SandboxGrades(Preprocessor):
    """Autograde step: score every test cell from the sandboxed grader's results, graded from
    the learner's submitted folder by the one rule (a module-only learner too), and log one
    line per learner: score, time, and why points were lost before any check, if they were."""

    enabled = Bool(True)  # nbconvert skips preprocessors that are not enabled

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        started = time.perf_counter()
        results = _graded(self._submitted(info["student"], info["assignment"]))
        for cell, name in _test_cells(nb):
            earned, feedback = function_report(results, name)
            figure = results.figures.get(name)
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text=feedback),
                *(figure_outputs(figure) if figure is not None else []),
                nbformat.v4.new_output(
                    "execute_result",
                    data={"text/plain": repr(earned)},
                    execution_count=cell.get("execution_count"),
                ),
            ]
        # what the feedback page says on top (feedback_page.py); always written, so nothing a
        # learner put under this key in their notebook's metadata reaches the page
        nb.metadata[NOTES] = page_notes(results)
        self.log.log(
            GRADED,
            "%s: %s/%s in %.1f s%s",
            ascii(info["student"])[1:-1],
            str(number(results.score)),
            str(number(results.max_score)),
            time.perf_counter() - started,
            f" ({ascii(results.reason)[1:-1][:200]})" if results.reason else "",
        )
        return nb, resources

    def _submitted(self, student: str, assignment: str) -> Path:
        exporter = self.parent
        if exporter is None:  # a step of nbgrader's autograde only, which is its exporter's parent
            raise RuntimeError("SandboxGrades runs only inside nbgrader's autograde")
        converter = exporter.parent  # this step's exporter, then nbgrader's Autograde
        coursedir = converter.coursedir
        return Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))


# What one notebook's Markdown and raw cells may hand the HTML parsers, in nbgrader's own process
# (outside any sandbox budget): bleach's html5lib takes time growing faster than the square of
# the nesting (20,000 nested <b> 4 s, 40,000 22 s) and 10-70 µs a character of rendered Markdown
# (links, nested quotes; so at most ~17 s a notebook). The course's own cells hold 14 tags and
# 24 KB; a cell beyond is shown as text, unparsed.
MAX_CELL_TAGS = 2_000
MAX_NOTEBOOK_TAGS = 10_000
MAX_NOTEBOOK_CHARACTERS = 250_000
LANGUAGE_INFO = {"name": "python"}  # the released notebook's (release/ch01/ch01.ipynb)


class InertLearnerHTML(SanitizeHTML):
    """nbconvert's own sanitizer (bleach), on by default; text without a tag is left as it is,
    so a Markdown blockquote of the prose keeps its `>`. Within a budget per notebook (above)."""

    enabled = Bool(True)

    def sanitize_html_tags(self, html_str):
        return super().sanitize_html_tags(html_str) if "<" in html_str else html_str

    def preprocess(self, nb, resources):
        self._left = [MAX_NOTEBOOK_TAGS, MAX_NOTEBOOK_CHARACTERS]  # this notebook's budget
        # nbconvert highlights every code cell with the lexer `language_info` names (the feedback
        # page, the formgrader): the release's, never the learner's (pygments' zeek lexer takes
        # time cubic in a run of digits: 1,000 of them 62 s)
        nb.metadata["language_info"] = dict(LANGUAGE_INFO)
        return super().preprocess(nb, resources)

    def _take(self, source: str) -> bool:
        """Whether `source` fits what is left of the notebook's budget (and takes it)."""
        left = self.__dict__.setdefault("_left", [MAX_NOTEBOOK_TAGS, MAX_NOTEBOOK_CHARACTERS])
        tags = source.count("<")
        if tags > MAX_CELL_TAGS or tags > left[0] or len(source) > left[1]:
            return False
        left[0], left[1] = left[0] - tags, left[1] - len(source)
        return True

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type in ("markdown", "raw") and not self._take(cell.source):
            note = html.escape(messages.t("html_shown_as_text").render("zh"))
            text = _as_code(cell.source, note) if cell.cell_type == "markdown" else _as_pre(cell.source, note)
            cell.source = text
            return cell, resources
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type == "markdown":
            cell.source = inert_links(cell.source, cell.get("attachments") or {})
        elif cell.cell_type == "raw":
            cell.source = inert_raw(cell.source)
        return cell, resources


# --- links: what a browser would follow from a learner's Markdown --------------------------------

SAFE_SCHEMES = {"http", "https", "mailto"}
# Attributes whose value a browser loads or follows as a URL.
URL_ATTRIBUTES = {
    "href",
    "src",
    "xlink:href",
    "action",
    "formaction",
    "poster",
    "background",
    "cite",
    "data",
    "longdesc",
    "usemap",
    "ping",
    "codebase",
    "manifest",
    "icon",
    "lowsrc",
    "dynsrc",
    "profile",
    "archive",
    "classid",
}
# Elements that load or run something of their own: the sanitizer before escapes them as text,
# so one in the rendered cell means something came through.
ACTIVE_TAGS = {
    "script",
    "iframe",
    "frame",
    "object",
    "embed",
    "form",
    "base",
    "meta",
    "link",
    "style",
    "svg",
    "math",
}
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_URL_WHITESPACE = re.compile(r"[\t\n\r]")  # a browser drops these anywhere in a URL
_C0_AND_SPACE = "".join(map(chr, range(0x21)))  # ...and strips these from its ends
# What nbconvert's Markdown renders, kept when a cell's unsafe links are cut out of its HTML.
RENDERED_TAGS = {
    *("p", "br", "hr", "em", "strong", "del", "code", "pre", "blockquote", "a", "img", "span", "div"),
    *("ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "sup", "sub", "input"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}
RENDERED_ATTRIBUTES = {"*": {"class", "id"}, "a": {"href", "title"}, "img": {"src", "alt", "title"}}
RENDERED_ATTRIBUTES["input"] = {"type", "disabled", "checked"}  # a task list's checkboxes


def unsafe_url(url: str, attachment_ok: bool = False) -> bool:
    """Whether a browser given `url` would use a scheme other than http(s)/mailto. Strict: the
    URL as written, with HTML entities decoded and with percent-escapes decoded are all read."""
    for form in {url, html.unescape(url), unquote(url), unquote(html.unescape(url))}:
        scheme = _SCHEME.match(_URL_WHITESPACE.sub("", form).strip(_C0_AND_SPACE))
        if scheme and scheme[1].lower() not in SAFE_SCHEMES:
            if not (attachment_ok and scheme[1].lower() == "attachment"):
                return True
    return False


# A fenced code block of a learner's Markdown is highlighted by nbconvert (the feedback page, the
# formgrader) with the pygments lexer its info string names: some take time cubic in their text
# (zeek: 1,000 digits 62 s), Python's is quadratic on some strings. Any other language (mermaid
# too), or a longer block, is defused: shown as plain code (the course's Markdown has none).
HIGHLIGHTED_LANGUAGES = {"python", "py", "python3", "py3", "ipython", "ipython3", "text"}
HIGHLIGHTED_BLOCK = 20_000


class _AsWritten(IPythonRenderer):
    """nbconvert's renderer, with `attachment:` images left as written (checked, not embedded), and
    without what costs time but makes no link: code highlighting and heading anchors."""

    def __init__(self):
        super().__init__(escape=False, exclude_anchor_links=True)

    def _embed_image_or_attachment(self, src: str) -> str:
        return src

    def block_code(self, code: str, info: str | None = None) -> str:
        language = info.split(maxsplit=1)[0] if info and info.strip() else ""
        risky = language and (language.lower() not in HIGHLIGHTED_LANGUAGES or len(code) > HIGHLIGHTED_BLOCK)
        mark = f' data-risky-highlight="{html.escape(language)}"' if risky else ""
        return f"<pre><code{mark}>{html.escape(code)}</code></pre>\n"


_MARKDOWN = MarkdownWithMath(renderer=_AsWritten())


def _render(source: str) -> str:
    return _MARKDOWN.render(source)


class _UnsafeFinder(HTMLParser):
    """Reads rendered HTML as a browser parses it (entities decoded) and records what is unsafe."""

    def __init__(self, attachments):
        super().__init__(convert_charrefs=True)
        self.attachments, self.found = attachments, []

    def handle_starttag(self, tag, attrs):
        if tag in ACTIVE_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            image = tag == "img" and name == "src"
            if name.startswith("on") or name == "srcdoc":
                self.found.append(name)
            elif name == "srcset":
                self.found.extend(url for url in re.split(r"\s*,\s*", value) if unsafe_url(url.split(" ")[0]))
            elif name in URL_ATTRIBUTES and unsafe_url(value, attachment_ok=image):
                self.found.append(value)
            elif image and value.startswith("attachment:") and value[11:] not in self.attachments:
                self.found.append(value)  # nbconvert would raise on it: no feedback page at all
            elif name == "style" and re.search(r"url\s*\(|expression|@import", value, re.I):
                self.found.append(name)
            elif name == "data-risky-highlight":  # _AsWritten's mark: code nbconvert would highlight
                self.found.append(f"{CODE_FOUND}{value}")

    handle_startendtag = handle_starttag


def unsafe_html(rendered: str, attachments=None) -> list[str]:
    """The unsafe URLs, active elements and event attributes of HTML, as a browser parses it."""
    finder = _UnsafeFinder(attachments or {})
    finder.feed(rendered)
    finder.close()
    return finder.found


def unsafe_links(source: str, attachments=None) -> list[str]:
    """What is unsafe in a Markdown cell as nbconvert renders it; a cell the renderer cannot read
    (e.g. a missing attachment, on which nbconvert raises) counts as unsafe."""
    if not any(mark in source for mark in "[<`~"):
        return []  # no link, image, autolink, HTML or fenced code: a bare URL is linked only if http(s) or www.
    try:
        return unsafe_html(_render(source), attachments)
    except Exception as exc:  # noqa: BLE001 - learner text the renderer chokes on is shown as text
        return [f"not renderable: {type(exc).__name__}"]


CODE_FOUND = "code in "  # what _UnsafeFinder says of a code block it would not have highlighted


def _note(found: list[str] | None = None) -> str:
    """What was done to the cell: its links disabled, or (when that is all) its code unhighlighted."""
    code_only = bool(found) and all(what.startswith(CODE_FOUND) for what in found or [])
    return html.escape(messages.t("code_unhighlighted" if code_only else "links_defused").render("zh"))


def inert_links(source: str, attachments=None) -> str:
    """A Markdown cell's `source` itself when its links are safe; else its rendered HTML with the
    unsafe links and images cut out (their text kept, safe links still live), or, if that does
    not come out clean, the whole source shown as code. A note says what was done."""
    found = unsafe_links(source, attachments)
    if not found:
        return source
    try:
        rendered = _render(source)
    except Exception:  # noqa: BLE001 - shown as code below
        rendered = ""
    kept = bleach.clean(
        rendered,
        tags=RENDERED_TAGS,
        attributes=_kept_attribute,
        protocols=SAFE_SCHEMES,
        strip_comments=True,
    )
    # One HTML block for the Markdown parser: it ends at a blank line, so none is left blank.
    lines = [
        '<div class="nn-defused-links">',
        f"<p><em>{_note(found)}</em></p>",
        *kept.splitlines(),
        "</div>",
    ]
    defused = "\n".join(line if line.strip() else line + "<!---->" for line in lines)
    if kept and not unsafe_links(defused):
        return defused
    return _as_code(source, _note(found))


def _as_code(source: str, note: str) -> str:
    """Markdown showing `source` verbatim (a code block no backtick run inside can close), after
    `note` (HTML-escaped)."""
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", source)), default=0))
    return f"*{note}*\n\n{fence}\n{source}\n{fence}\n"


def _as_pre(source: str, note: str) -> str:
    """A raw cell's `source` as escaped text, after `note` (HTML-escaped): inert as HTML or Markdown."""
    return f"<pre>{note}\n\n{html.escape(source)}</pre>"


def _kept_attribute(tag: str, name: str, value: str) -> bool:
    """bleach's attribute filter for a cell's rendered HTML: what the renderer writes, and no URL
    that `unsafe_url` refuses (bleach's own protocol check lets percent-escaped ones through)."""
    if name not in RENDERED_ATTRIBUTES["*"] | RENDERED_ATTRIBUTES.get(tag, set()):
        return False
    return name not in ("href", "src") or not unsafe_url(value)


def inert_raw(source: str) -> str:
    """A raw cell is emitted as HTML (text/html) or rendered as Markdown: unsafe either way, it
    is shown as escaped text, which is inert either way."""
    if not (unsafe_html(source) or unsafe_links(source)):
        return source
    return _as_pre(source, _note())


class StripHiddenTests(ClearHiddenTests):
    """Feedback step: hidden blocks out of the source, tracebacks out of test-cell errors."""

    # nbgrader's preprocessors declare this trait without `config=True`, so the exporter's
    # `NbConvertBase.display_data_priority` made traitlets warn on every generate_feedback.
    display_data_priority = List(ClearHiddenTests.display_data_priority.default_value).tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type == "code" and is_grade(cell):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


class _SchemaCompiledOnce(BaseMetadataValidator):
    """nbgrader validates each cell with `jsonschema.validate(meta, schema)`, which checks the
    schema itself and builds a new validator every time (~3 ms a cell, ~130 cells, twice per
    notebook). Placed between nbgrader's MetadataValidator and its base class, this validates
    a current-version cell with one validator built once; anything else (no nbgrader metadata,
    an old or new schema_version and the error nbgrader raises for it) goes to nbgrader's code."""

    _compiled: dict[int, Any] = {}  # schema_version: the jsonschema validator of nbgrader's schema

    def validate_cell(self, cell):
        meta = nbgrader_metadata(cell)
        if not meta or meta.get("schema_version", 0) != self.schema_version:
            return super().validate_cell(cell)
        if self.schema_version not in self._compiled:
            cls = jsonschema.validators.validator_for(self.schema)
            cls.check_schema(self.schema)
            self._compiled[self.schema_version] = cls(self.schema)
        self._compiled[self.schema_version].validate(meta)


class _QuickMetadataValidator(MetadataValidator, _SchemaCompiledOnce):
    pass


class CheckCellMetadata(NbgraderCheckCellMetadata):
    """nbgrader's CheckCellMetadata (same checks, same error) on `_QuickMetadataValidator`."""

    def preprocess(self, nb, resources):
        try:
            _QuickMetadataValidator().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources


class RestoreCellMetadata(NbGraderPreprocessor):
    """Sanitize step: a cell whose nbgrader id is one of the released notebook's gets exactly the
    released metadata back (grade, solution, locked, task, points, checksum); nbgrader metadata on
    any other cell (an unknown or malformed id, a cell the learner added) is removed: that cell is
    the learner's text, and a test cell it replaced is added back by OverwriteCells."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            released = released_metadata(gradebook.find_notebook(info["notebook"], info["assignment"]))
        seen: set[str] = set()
        # Backwards, as nbgrader's DeduplicateIds keeps the last cell of an id: an id is the
        # release's on one cell only, of the release's type. A copy (a learner's cell carrying a
        # released id, or a markdown cell a code cell's) left to DeduplicateIds got nbgrader
        # metadata {} and OverwriteCells raised KeyError 'grade_id': the notebook ungraded, exit 1.
        for cell in reversed(nb.cells):
            if "nbgrader" not in cell.get("metadata", {}):
                continue
            grade_id = nbgrader_metadata(cell).get("grade_id")  # {} when not a dict
            expected = released.get(grade_id) if isinstance(grade_id, str) and grade_id not in seen else None
            if expected is not None and cell.get("cell_type") != expected["cell_type"]:
                expected = None
            if expected is not None:
                seen.add(grade_id)
            if expected is None:
                self.log.warning("nbgrader metadata removed from a cell that is not in the release")
                del cell.metadata["nbgrader"]
            elif cell.metadata["nbgrader"] != expected:
                self.log.warning("nbgrader metadata of cell %s restored from the release", grade_id)
                cell.metadata["nbgrader"] = nbformat.from_dict(expected)
        return nb, resources


def released_metadata(notebook) -> dict[str, dict]:
    """{grade_id: the nbgrader metadata generate_assignment wrote} for a gradebook notebook."""
    graded = {cell.name: cell.max_score for cell in notebook.grade_cells}
    tasks = {cell.name: cell.max_score for cell in notebook.task_cells}
    solutions = {cell.name for cell in notebook.solution_cells}
    released = {}
    for cell in notebook.source_cells:
        meta = {
            "cell_type": cell.cell_type,
            "checksum": cell.checksum,
            "grade": cell.name in graded,
            "grade_id": cell.name,
            "locked": bool(cell.locked),
            "schema_version": 3,
            "solution": cell.name in solutions,
        }
        if cell.name in graded:
            meta["points"] = graded[cell.name]
        if cell.name in tasks:
            meta.update(task=True, points=tasks[cell.name])
        released[cell.name] = meta
    return released


class ArchiveBoundCollector(FileNameCollectorPlugin):
    """nbgrader's FileNameCollectorPlugin, with `named_regexp` matched against the whole path below
    zip_collect's extracted/ folder rather than an absolute path whose folders nothing anchors.
    An archive <student>_ch01.zip is extracted into extracted/<student>_ch01/, so a regex can
    require the file's learner id to be the archive's (nbgrader_config.py: `(?P=student_id)`).
    Learner-controlled folders inside an archive (e.g. a nested extracted/) then match nothing.
    A second notebook of the same learner is skipped with a warning: nbgrader, finding two
    without timestamps, stopped collecting for the whole class."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._collected: dict[tuple[str, str], str] = {}  # (learner, file): the path kept

    def collect(self, submitted_file):
        relative = self._below_extracted(submitted_file)
        if relative is None:
            self.log.warning("Skipped %s: not below zip_collect's extracted folder", submitted_file)
            return None
        info = super().collect(relative)
        if info is None:
            if "/" in relative and relative.endswith((".ipynb", MODULE)):  # not a helper module
                self.log.warning(
                    "Skipped %s: a file in an archive must carry the archive's own learner id",
                    relative,
                )
            return None
        key = (info["student_id"], info["file_id"])
        seen = self.__dict__.setdefault("_collected", {})
        if key in seen:
            self.log.warning(
                "Skipped %s: a second %s of learner %s (kept: %s)", relative, *key[::-1], seen[key]
            )
            return None
        seen[key] = relative
        return info

    def _below_extracted(self, submitted_file: str) -> str | None:
        app = self.parent
        try:
            extracted = app._format_collect_path(app.extracted_directory)
        except AttributeError:  # not run by zip_collect: nothing to anchor the path to
            return None
        relative = os.path.relpath(os.path.abspath(submitted_file), os.path.abspath(extracted))
        if relative.startswith(os.pardir + os.sep) or relative == os.pardir or os.path.isabs(relative):
            return None
        return relative.replace(os.sep, "/")


# --- every submitted folder gets a notebook nbgrader can process ---------------------------------


class SubmissionExporter(NotebookExporter):
    """Autograde's exporter (nbgrader_config.py): a submitted notebook nbgrader cannot read
    (invalid JSON, 0 bytes, not a notebook, too big, a link, or absent: a module-only learner)
    is processed as an empty notebook instead of failing the learner's autograde. The released
    test cells are then added back (OverwriteAllCells) and scored by SandboxGrades, which grades
    what the learner handed in, by the one rule, and says why it scored 0 in each of them."""

    def from_filename(self, filename, resources=None, **kw):
        resources = resources if resources is not None else ResourcesDict()
        if not resources.get("metadata"):
            resources["metadata"] = ResourcesDict()
        path, basename = os.path.split(filename)
        resources["metadata"].update(name=os.path.splitext(basename)[0], path=path)
        return self.from_notebook_node(self._readable(filename), resources, **kw)

    def _readable(self, filename):
        try:
            return readable_notebook(filename)
        except Exception as error:  # noqa: BLE001 - whatever the bytes are, the learner gets a grade
            self.log.info("%s is not a readable notebook (%s): graded as handed in", filename, error)
            return nbformat.v4.new_notebook()


def readable_notebook(filename):
    """The notebook at `filename`, read as the kit's grader reads one (no link followed, its size
    and JSON shape bounded before parsing), then by nbformat; raises if any of it fails."""
    from autograder.core.intake import read
    from autograder.sandbox.notebook import read_notebook

    data = read(filename).data  # as the grader reads it: Refused for a link, a FIFO, a size over the limit
    read_notebook(data)  # bounded checks first: nbformat's parser is not
    return nbformat.reads(data.decode("utf-8"), as_version=4)


class OverwriteAllCells(OverwriteCells):
    """nbgrader's OverwriteCells with `add_missing_cells`, for any notebook: nbgrader puts a
    missing test cell after the cell released before it and raised KeyError when that one was
    missing too (an empty notebook: KeyError 'sigmoid', the whole run exit 1). Here it goes
    after the nearest earlier released cell that is present, else first; one warning a notebook."""

    def add_missing_grade_cells(self, nb, resources):
        source = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        graded = {cell.name: cell.max_score for cell in source.grade_cells}
        solutions = {cell.name for cell in source.solution_cells}
        where = {_grade_id(cell): index for index, cell in enumerate(nb.cells) if _grade_id(cell)}
        added, handed_in = [], bool(nb.cells)
        after = -1  # the index of the last released cell present, in release order
        for cell in source.source_cells:
            if cell.name in where:
                after = where[cell.name]
                continue
            if cell.name not in graded:
                continue
            after += 1
            restored = self.missing_cell_transform(cell, graded[cell.name], cell.name in solutions)
            restored.id = random_cell_id()  # nbformat 4.5 requires one; DeduplicateIds ran before
            nb.cells.insert(after, restored)
            where = {k: v + (v >= after) for k, v in where.items()}
            added.append(cell.name)
        if added and handed_in:  # an empty or unreadable notebook is said once, by SandboxGrades
            student = ascii(resources["nbgrader"].get("student", "?"))[1:-1]
            self.log.warning(
                "%d released cells were missing from %s's notebook: added back", len(added), student
            )
        return nb, resources


def _grade_id(cell):
    meta = nbgrader_metadata(cell)
    grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
    return grade_id if isinstance(grade_id, str) and (meta.get("grade") or meta.get("solution")) else None


def init_notebooks_by_the_rule(self) -> None:
    """nbgrader's BaseConverter.init_notebooks for Autograde, with the one rule: a submitted
    folder without a notebook is autograded too, from a notebook path that does not exist
    (SubmissionExporter reads it as empty; SandboxGrades grades the folder as grade-all does:
    from nn_basics.py, or 0 with the reason when there is nothing to grade). nbgrader skipped
    such a learner ("No notebooks were matched"): missing from its gradebook, not from grade-all's."""
    self.assignments = {}
    self.notebooks = []
    pattern = self._format_source(self.coursedir.assignment_id, self.coursedir.student_id)
    for folder in sorted(glob.glob(pattern)):
        found = glob.glob(os.path.join(folder, self.coursedir.notebook_id + ".ipynb"))
        if not found and self.coursedir.notebook_id in ("*", Path(NOTEBOOK).stem):
            if os.path.isdir(folder) or os.path.islink(folder):
                found = [os.path.join(folder, NOTEBOOK)]
        if found:
            self.assignments[folder] = found
    if not self.assignments:
        message = f"No notebooks were matched by {pattern!r}"
        self.log.error(message)
        raise NbGraderException(message)


def module_only(folder) -> bool:
    """Whether the one rule grades `folder` from the module (no notebook there)."""
    try:
        return graded_file(folder).name == MODULE
    except (NoSubmission, Refused):
        return False


def quiet_for_modules(record) -> bool:
    """A logging filter: nbgrader's "No submitted file: .../ch01.ipynb" is not news when the
    folder holds the module that is graded instead."""
    message = record.getMessage()
    prefix = "No submitted file: "
    return not (message.startswith(prefix) and module_only(os.path.dirname(message[len(prefix) :])))
