"""The learner process's work once confined (worker.learner_process): load the submission as the
module the grader names, then the reply to each call frame, its Callbacks carried to the grader
and back (protocol.py). Part of the worker's runtime (workdir.RUNTIME_FILES), imported flat by
worker.py before confinement: after it, the runtime's folder may not be readable."""

import json
import os
import sys
import traceback
import types

import arena
import codec
import ipysyntax
import protocol
import shims

GRADER_GONE = 75  # the learner process's exit when its request pipe closed without a bye


def grader_line(req_fd, resp_fd):
    """ask(handle, arg) for the Callbacks of a call: the `eval` frame out on the reply pipe, the
    grader's `value` frame back on the request pipe. The grader judges what is asked
    (sandbox/callbacks.py); this only carries it."""

    def ask(handle, arg):
        request = protocol.evaluation(handle, arg)
        codec.write_frame_blocking(resp_fd, codec.dumps(request, protocol.Callback, codec.MAX_REPLY_BYTES))
        payload = codec.read_frame_blocking(req_fd)
        if payload is None or payload == protocol.BYE_FRAME:  # the grader gave up on this call
            os._exit(GRADER_GONE if payload is None else 0)
        answer = codec.loads(payload)
        if not protocol.is_value(answer):
            raise RuntimeError("the grader did not answer the evaluation")
        return answer["value"]

    return ask


def callback_builder(ask):
    """codec's `testfn` for a call frame: a Callback for each handle the grader sent."""

    def build(kind, data):
        if kind != protocol.CALLBACK or type(data) is not str:
            raise ValueError(f"not a function handle: {kind!r}")
        return protocol.Callback(data, ask)

    return build


def describe(exc):
    try:
        text = str(exc)
    except BaseException:
        text = "<unprintable>"
    return type(exc).__name__, text[: protocol.MAX_TEXT]


def failed_at(where, exc):
    """One load error: where, the exception's type and its text."""
    kind, text = describe(exc)
    return f"{where}: {kind}: {text}"


def line_in(exc, filename):
    """The line of `filename` where `exc` was raised (its last frame there), or 0: so the grader
    can quote the learner's line from the source it holds itself."""
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        return exc.lineno or 0
    line, tb = 0, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def load(cfg):
    """The submission's code run as the module the grader names; (module, load error or None)."""
    name = cfg["module"]
    module = types.ModuleType(name)
    module.__file__ = os.path.join(cfg["sub_dir"], name + ".py")
    sys.modules[name] = module
    errors = []
    if cfg["kind"] == "py":
        try:
            with open(module.__file__, "rb") as f:
                exec(compile(f.read(), module.__file__, "exec"), module.__dict__)
        except BaseException as exc:  # SystemExit/KeyboardInterrupt at import too: recorded
            errors.append(failed_at(f"line {line_in(exc, module.__file__)}", exc))
    else:
        module.__dict__["get_ipython"] = shims.NoIPython
        for cell in cfg["cells"]:
            try:  # like nbgrader's allow_errors: a failing cell is recorded, the next one runs
                source = ipysyntax.transform(cell["source"]) if cell["ipython"] else cell["source"]
                filename = f"<cell {cell['index']}>"
                exec(compile(source, filename, "exec"), module.__dict__)
            except BaseException as exc:
                errors.append(failed_at(f"cell {cell['index']:d}, line {line_in(exc, filename)}", exc))
    return module, ("; ".join(errors)[: protocol.MAX_LOAD_ERROR] or None)


def serve(module, payload, memory, ask=None):
    """The reply to one call frame: its encoded bytes, or a message when encoding failed. A full
    call's arrays are views into the arena `memory`: what the code writes there, the grader
    reads; the arguments themselves are never sent back. `ask`: how the call's Callbacks reach
    the grader (grader_line)."""
    try:
        req = codec.loads(payload, testfn=callback_builder(ask))
        if not protocol.is_call(req):
            raise ValueError("not a call frame")
        args = arena.views(req["args"], req["arena"], memory)
        kwargs = arena.views(req["kwargs"], req["arena"], memory)
    except Exception as exc:  # the grader read this request as we do before sending it
        try:
            rid = json.loads(payload)["id"]
        except Exception:
            rid = None
        return protocol.reply(rid, protocol.REQUEST_ERROR, message=str(exc)[: protocol.MAX_TEXT])
    rid = req["id"]
    fn = module.__dict__.get(req["name"])
    if not callable(fn):
        return protocol.reply(rid, protocol.MISSING)
    try:
        value = fn(*args, **kwargs)
    except NotImplementedError as exc:
        return protocol.reply(rid, protocol.NOT_IMPLEMENTED, message=describe(exc)[1])
    except BaseException as exc:  # SystemExit, KeyboardInterrupt...: that call fails, we go on
        exc_type, message = describe(exc)
        try:
            tb = "".join(traceback.format_exception(exc))[-protocol.MAX_TRACEBACK :]
        except BaseException:
            tb = ""
        return protocol.reply(rid, protocol.EXCEPTION, exc_type=exc_type, message=message, traceback=tb)
    reply = protocol.reply(rid, protocol.OK, value=value)
    try:  # encoding walks learner objects: done here, so a bad value is reported, not fatal
        return codec.dumps(reply, testfn=protocol.Callback, limit=codec.MAX_REPLY_BYTES)
    except BaseException as exc:
        return protocol.reply(rid, protocol.BAD_RETURN, message=describe(exc)[1])
