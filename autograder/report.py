"""What people read: a feedback page per submission, `grades.csv`, and the class table.

Feedback shows each test's name, points and message, never the hidden test's code.
"""

import csv
import io
from collections import defaultdict

import jinja2

FEEDBACK = jinja2.Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Feedback: {{ student }} / {{ assignment }}</title>
<style>
 body { font-family: system-ui, sans-serif; max-width: 58rem; margin: 2rem auto; color: #222; }
 table { border-collapse: collapse; width: 100%; }
 td, th { padding: .35rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
 .pass { color: #1a7f37; } .fail { color: #b42318; } pre { white-space: pre-wrap; margin: 0; font-size: .9em; }
 .note { background: #fff7e6; padding: .6rem .8rem; border-left: 4px solid #f0a020; }
</style></head><body>
<h1>{{ assignment }}: {{ '%g' % score }} / {{ '%g' % max_score }}</h1>
<p>Student <b>{{ student }}</b>. Automatic tests only: the inline questions are graded by hand.
Hidden tests draw their own shapes and values (seed {{ seed }}).</p>
{% for note in notes %}<p class="note">{{ note }}</p>{% endfor %}
<table><tr><th>Test</th><th>Points</th><th>Result</th></tr>
{% for t in tests %}<tr><td>{{ t.name }}</td><td>{{ '%g' % t.score }} / {{ '%g' % t.max_score }}</td>
<td class="{{ 'pass' if t.score == t.max_score else 'fail' }}"><pre>{{ t.output }}</pre></td></tr>
{% endfor %}</table></body></html>
""")


def feedback_html(result):
    """The feedback page of one results.json dict."""
    extra = result["extra_data"]
    return FEEDBACK.render(student=extra["student_id"], assignment=extra["assignment_id"], seed=extra["seed"],
                           score=result["score"], max_score=extra["max_score"], tests=result["tests"],
                           notes=[n for n in result.get("output", "").split("\n") if n])


def grades_csv(results):
    """`grades.csv`: one row a submission, sorted by student then assignment."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["student_id", "assignment_id", "score", "max_score", "reason"])
    for r in sorted(results, key=lambda r: (r["extra_data"]["student_id"], r["extra_data"]["assignment_id"])):
        extra = r["extra_data"]
        writer.writerow([extra["student_id"], extra["assignment_id"], f"{r['score']:g}", f"{extra['max_score']:g}",
                         r.get("output", "").split("\n")[0]])
    return buf.getvalue()


def class_table(results):
    """A plain-text table: one row a submission, one column a graded function, then the total."""
    functions = []
    for r in results:
        for t in r["tests"]:
            fn = t["name"].split(":", 1)[0]
            if fn not in functions:
                functions.append(fn)
    header = ["student", "assignment", *functions, "total"]
    rows = []
    for r in sorted(results, key=lambda r: (r["extra_data"]["assignment_id"], r["extra_data"]["student_id"])):
        got, out_of = defaultdict(float), defaultdict(float)
        for t in r["tests"]:
            fn = t["name"].split(":", 1)[0]
            got[fn] += t["score"]
            out_of[fn] += t["max_score"]
        cells = [f"{got[fn]:g}/{out_of[fn]:g}" if fn in out_of else "-" for fn in functions]
        rows.append([r["extra_data"]["student_id"], r["extra_data"]["assignment_id"], *cells,
                     f"{r['score']:g}/{r['extra_data']['max_score']:g}"])
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
