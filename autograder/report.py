"""What people read: a feedback page per submission, `grades.csv`, and the class table.

Feedback is grouped by graded function: its points, the properties it failed with what went
wrong, and the known mistake it matches, said once. It never shows the hidden tests' code.
"""

import csv
import io
from dataclasses import dataclass, field

import jinja2

FEEDBACK = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Feedback: {{ student }} / {{ assignment }}</title>
<style>
 body { font-family: system-ui, sans-serif; max-width: 58rem; margin: 2rem auto; color: #222; }
 section { border-top: 1px solid #ddd; padding: .4rem 0 .8rem; }
 h2 { font-size: 1.1rem; margin: .6rem 0 .3rem; } .points { float: right; }
 ul { margin: .3rem 0; padding-left: 1.4rem; } li { margin: .25rem 0; }
 .pass { color: #1a7f37; } .fail { color: #b42318; } pre { white-space: pre-wrap; margin: .2rem 0; font-size: .9em; }
 .note { background: #fff7e6; padding: .6rem .8rem; border-left: 4px solid #f0a020; }
 .mistake { background: #fdecea; padding: .5rem .8rem; border-left: 4px solid #b42318; }
</style></head><body>
<h1>{{ assignment }}: {{ '%g' % score }} / {{ '%g' % max_score }}</h1>
<p>Student <b>{{ student }}</b>. Automatic tests only: the inline questions are graded by hand.
The hidden tests draw their own shapes and values from this submission's seed ({{ seed }}); a regrade of the
same notebook draws the same ones and gives the same result.</p>
{% for note in notes %}<p class="note">{{ note }}</p>
{% endfor %}
{% for f in functions %}
<section><h2>{{ f.name }} <span class="points {{ 'pass' if f.score == f.max_score else 'fail' }}">
{{ '%g' % f.score }} / {{ '%g' % f.max_score }}</span></h2>
{% for hint in f.hints %}<p class="mistake">Known mistake: {{ hint }}</p>
{% endfor %}
<ul>
{% for t in f.tests %}<li class="{{ 'pass' if t.score == t.max_score else 'fail' }}">{{ t.title }}
({{ '%g' % t.score }} / {{ '%g' % t.max_score }})
{%- if t.score < t.max_score %}<pre>{{ t.message }}</pre>{% endif %}</li>
{% endfor %}
</ul></section>
{% endfor %}
</body></html>
""")


@dataclass
class FunctionFeedback:
    """One graded function's part of the feedback."""

    name: str
    score: float = 0.0
    max_score: float = 0.0
    tests: list = field(default_factory=list)  # dicts: title, score, max_score, message
    hints: list = field(default_factory=list)  # known mistakes matched, each once


def function_of(test):
    """The graded function a results.json test belongs to."""
    return test["extra_data"]["function"]


def by_function(result):
    """The results.json tests grouped by graded function, in the order they ran."""
    groups = {}
    for test in result["tests"]:
        fn = function_of(test)
        group = groups.setdefault(fn, FunctionFeedback(fn))
        group.score += test["score"]
        group.max_score += test["max_score"]
        hint = test["extra_data"].get("hint")
        if hint and test["score"] < test["max_score"] and hint not in group.hints:
            group.hints.append(hint)
        message = test["output"].split("\nKnown mistake: ", 1)[0]
        group.tests.append({"title": test["name"].split(": ", 1)[-1], "score": test["score"],
                            "max_score": test["max_score"], "message": message})
    return list(groups.values())


def feedback_html(result):
    """The feedback page of one results.json dict."""
    extra = result["extra_data"]
    return FEEDBACK.render(student=extra["student_id"], assignment=extra["assignment_id"], seed=extra["seed"],
                           score=result["score"], max_score=extra["max_score"], functions=by_function(result),
                           notes=[n for n in result.get("output", "").split("\n") if n])


GRADES_HEADER = ["student_id", "assignment_id", "score", "max_score", "auto_score", "auto_max_score",
                 "manual_score", "manual_max_score", "manual_status", "reason"]


def grades_csv(results, manual=None):
    """`grades.csv`: one row a submission, automatic and manual points together under one maximum.

    manual: {(student, assignment): (score, max_score, status)} from the gradebook, where status is
        "graded", "to grade" (answers wait for a person) or "none" (no inline questions).
    """
    manual = manual or {}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(GRADES_HEADER)
    for r in sorted(results, key=lambda r: (r["extra_data"]["student_id"], r["extra_data"]["assignment_id"])):
        extra = r["extra_data"]
        m_score, m_max, status = manual.get((extra["student_id"], extra["assignment_id"]), (0.0, 0.0, "none"))
        writer.writerow([extra["student_id"], extra["assignment_id"], f"{r['score'] + m_score:g}",
                         f"{extra['max_score'] + m_max:g}", f"{r['score']:g}", f"{extra['max_score']:g}",
                         f"{m_score:g}", f"{m_max:g}", status, r.get("output", "").split("\n")[0]])
    return buf.getvalue()


def class_table(results, order=None):
    """A plain-text table per assignment: one row a submission, one column a graded function, then the total.

    order: {assignment id: graded functions in notebook order}; otherwise the order the tests ran.
    """
    tables = []
    for assignment in sorted({r["extra_data"]["assignment_id"] for r in results}):
        group = sorted((r for r in results if r["extra_data"]["assignment_id"] == assignment),
                       key=lambda r: r["extra_data"]["student_id"])
        functions = list(dict.fromkeys(function_of(t) for r in group for t in r["tests"]))
        known = (order or {}).get(assignment, ())
        functions = [f for f in known if f in functions] + [f for f in functions if f not in known]
        header = ["student", *functions, "total"]
        rows = []
        for r in group:
            parts = {f.name: f for f in by_function(r)}
            rows.append([r["extra_data"]["student_id"],
                         *(f"{parts[fn].score:g}/{parts[fn].max_score:g}" if fn in parts else "-" for fn in functions),
                         f"{r['score']:g}/{r['extra_data']['max_score']:g}"])
        widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
        lines = ["  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip() for row in [header, *rows]]
        lines.insert(1, "  ".join("-" * w for w in widths))
        tables.append(f"{assignment}\n" + "\n".join(lines))
    return "\n\n".join(tables)
