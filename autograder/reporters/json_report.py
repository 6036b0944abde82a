"""`--format json`: the Gradescope shape, plus per-function totals and the submission's name
(Gradescope itself gets only its own keys, from gradescope.py)."""
import json

from . import gradescope, number


def render(results, lang: str = "zh") -> str:
    data = gradescope.to_dict(results, lang)
    data["submission"] = results.submission
    data["functions"] = {f: {"score": number(s), "max_score": number(m)}
                         for f, (s, m) in results.by_function().items()}
    data["load_error"] = results.load_error
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
