"""Learner text made inert: the one quoting helper every report uses.

Anything a learner controls (exception messages, printed output, returned values shown in
feedback, file and folder names) may hold terminal escapes, Markdown, HTML, XML-invalid
characters, lone surrogates, GitHub workflow commands or megabytes of text. Each renderer
passes it through one of these before it becomes part of a report:

- `clean(text, limit)`: plain text, safe for a terminal, a file, JSON and XML: control
  characters (C0 but newline and tab, DEL, C1: so ANSI CSI and OSC sequences lose their ESC),
  bidirectional overrides, non-characters and lone surrogates are shown as escapes (`\\x1b`,
  `\\u202e`, `\\ud800`); a line that a GitHub runner would read as a workflow command
  (`::set-output …`, `##[…]`) is defused; the length is capped. Idempotent.
- `fenced(text, info)`: a Markdown fenced code block whose fence outruns every backtick run
  inside, so nothing in it can become a heading, link, image, mention or HTML.
- `code_span(text)`: the same for one line inside a sentence or a table cell.
- `html_text(text)`: for HTML (nbgrader feedback): clean, then HTML-escaped.

Caps: FEEDBACK_LIMIT per check, so a report of ~80 checks stays far below the 1 MiB GitHub
allows a job summary; a cut is said at the end of the text.
"""

from __future__ import annotations

import html
import re

FEEDBACK_LIMIT = 4096  # characters of one check's feedback (or a load error, printed output)
LINE_LIMIT = 300  # one-line values: a file name, a function name

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 (not \t \n), DEL, C1: ESC starts ANSI CSI / OSC sequences
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional controls ("Trojan source")
    "\u2028\u2029"  # line / paragraph separators
    "\ud800-\udfff"  # lone surrogates: not encodable, crash a UTF-8 write
    "\ufeff\ufff9-\ufffb\ufffe\uffff]"  # BOM, interlinear annotations, non-characters (XML-invalid)
)
# A GitHub runner reads a stdout line as a command if, after leading white space, it starts with
# "::" (or the older "##["). Breaking the prefix with a space shows the text but runs nothing.
_WORKFLOW_COMMAND = re.compile(r"(?m)^([ \t]*)(:):|^([ \t]*)(#)#\[")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _defuse(match: re.Match) -> str:
    if match.group(2):
        return f"{match.group(1)}: :"
    return f"{match.group(3)}# #["


_SLACK = 48  # the cut notice's length: text already cut is not cut again (clean is idempotent)


def cap(text: str, limit: int = FEEDBACK_LIMIT) -> str:
    """`text` cut to about `limit` characters, saying how much was cut."""
    if len(text) <= limit + _SLACK:
        return text
    cut = len(text) - limit
    return f"{text[:limit]}… [{cut} more characters cut]"


def clean(text, limit: int | None = FEEDBACK_LIMIT) -> str:
    """Plain, inert, capped text: see the module's docstring."""
    if text is None or text == "":  # most feedback (every passed check's) is empty: read back by the thousand
        return ""
    text = str(text)
    if limit is not None and len(text) > 4 * limit:
        text = text[: 4 * limit]  # escapes grow text at most 6x: never clean megabytes to cut them
    text = text.replace("\r\n", "\n")
    text = _UNSAFE.sub(_escape, text)
    text = _WORKFLOW_COMMAND.sub(_defuse, text)
    return cap(text, limit) if limit is not None else text


def one_line(text, limit: int = LINE_LIMIT) -> str:
    """clean(), with line breaks shown as `\\n`: for a value inside a heading, a row, a path."""
    return clean(str(text).replace("\n", "\\n").replace("\t", " "), limit)


def fenced(text, info: str = "text", limit: int = FEEDBACK_LIMIT) -> str:
    """A Markdown fenced code block holding `text` verbatim (cleaned): no run of backticks inside
    can close it, and nothing inside is Markdown or HTML."""
    body = clean(text, limit)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"


def code_span(text, limit: int = LINE_LIMIT) -> str:
    """An inline Markdown code span holding `text` on one line (cleaned): literal, never markup.
    Pipes are escaped, as GitHub splits table cells on them even inside code spans."""
    body = one_line(text, limit).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body.strip() else ""
    return f"{ticks}{pad}{body}{pad}{ticks}"


def html_text(text, limit: int = FEEDBACK_LIMIT) -> str:
    """clean(), then HTML-escaped (quotes too): for text inside HTML, e.g. nbgrader feedback."""
    return html.escape(clean(text, limit), quote=True)
