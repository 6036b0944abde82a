"""A notebook cell's IPython syntax (`files = !ls`, `y = %time f()`, `obj?`) as the Python IPython
would run.

Self-contained: the worker runs a copy of this file, in the learner process, for the cells the
grader flagged (notebook.py, within its caps): IPython's transformer takes time linear in a
cell's bytes per transform (95 transforms over a 120 KB line: half a minute), so it runs under
the load timeout and rlimits, never in the grader process (issue 18, attack 12). The supervisor
imports IPython's transformer before the privilege drop, only when some cell is flagged.
"""

MODULE = "IPython.core.inputtransformer2"


def transform(source):
    """The cell as plain Python; as it is when IPython is missing or cannot transform it (the
    worker's compile then reports it as that cell's error)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except Exception:
        return source
