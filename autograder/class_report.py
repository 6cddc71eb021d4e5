"""The class report for instructors: what the class got right and which known mistakes it made.

`python -m autograder report OUT` reads every `OUT/<student>/<assignment>/results.json` and writes
`OUT/class_report.html` (a page that opens in a browser on its own: the plots are inline PNGs) and
`OUT/class_report.csv`. Per assignment and graded function: the share of the class with full marks,
and the known mistakes (the tests' `extra_data.hint`) ranked by how many students made them, each
with one example of its feedback in which the student is only "student A", "student B"...

The report names no student: it counts, and quotes feedback (never hidden test code, which the
results do not hold). The same results give the same report, byte for byte.
"""

import base64
import csv
import io
import itertools
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from autograder import notebook
from autograder.batch import write_atomic
from autograder.report import by_function

NOT_WRITTEN = "not written yet"  # how the runner begins the feedback of a function that is still its stub
FULL, NAMED, STUB, OTHER = "full marks", "known mistake", "not written", "other losses"
COLORS = {FULL: "#2e7d32", STUB: "#d0d0d0", OTHER: "#707070"}
MISTAKE_COLORS = ["#c62828", "#ef6c00", "#f9a825", "#8e24aa", "#1565c0", "#6d4c41"]  # by rank; the last for the rest


class ReportError(Exception):
    """The output folder holds nothing to report on."""


@dataclass
class MistakeStats:
    """One known mistake of one function, and the students whose feedback named it."""

    hint: str
    rank: int = 0
    students: list = field(default_factory=list)
    example: str = ""
    label: str = ""  # the neutral name of the student in the example


@dataclass
class FunctionStats:
    """How the class did on one graded function.

    outcomes: {student: FULL, NAMED, STUB or OTHER}, one per student (a bar segment each);
    a student whose feedback names several mistakes counts under the most common of them in `bar`.
    """

    name: str
    max_score: float = 0.0
    outcomes: dict = field(default_factory=dict)
    mistakes: list = field(default_factory=list)  # MistakeStats, ranked
    bar: dict = field(default_factory=dict)  # {FULL | rank | STUB | OTHER: students}

    def count(self, outcome):
        return sum(1 for o in self.outcomes.values() if o == outcome)


@dataclass
class AssignmentStats:
    """How the class did on one assignment."""

    id: str
    max_score: float
    scores: list  # total automatic score of each submission
    functions: list  # FunctionStats, in notebook order where known, else in the order the tests ran


def load_results(out):
    """Every `out/<student>/<assignment>/results.json` -> (results, problems): what cannot be read is
    skipped and said in `problems`, so that one damaged file does not hide the class."""
    out = Path(out)
    if not out.is_dir():
        raise ReportError(f"{out} is not a folder (expected grade's output: OUT/<student>/<assignment>/results.json)")
    results, problems = [], []
    for path in sorted(out.glob("*/*/results.json")):
        where = path.relative_to(out)
        try:
            result = json.loads(path.read_text(encoding="utf-8"))
            _check_shape(result)
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as err:
            problems.append(f"{where}: not a results.json of the grader ({type(err).__name__}: {err}); skipped")
            continue
        results.append(result)
    if not results:
        raise ReportError(f"no results.json under {out}/<student>/<assignment>/: grade the class first "
                          f"(python -m autograder grade SUBMITTED --out {out})")
    return results, problems


def _check_shape(result):
    """Raise KeyError, TypeError or ValueError unless `result` has what the report reads."""
    extra = result["extra_data"]
    if not isinstance(extra["student_id"], str) or not isinstance(extra["assignment_id"], str):
        raise TypeError("student_id and assignment_id must be strings")
    float(result["score"])
    for t in result["tests"]:
        if not (isinstance(t["name"], str) and isinstance(t["output"], str)
                and isinstance(t["extra_data"]["function"], str)):
            raise TypeError("a test's name, output and function must be strings")
        float(t["score"]) + float(t["max_score"])


def summarize(results, order=None):
    """The results.json dicts of a class -> [AssignmentStats], assignments in id order.

    order: {assignment id: graded functions in notebook order}; otherwise the order the tests ran.
    """
    assignments, labels = [], itertools.count()
    for assignment_id in sorted({r["extra_data"]["assignment_id"] for r in results}):
        group = sorted((r for r in results if r["extra_data"]["assignment_id"] == assignment_id),
                       key=lambda r: r["extra_data"]["student_id"])
        feedback = {(r["extra_data"]["student_id"], f.name): f for r in group for f in by_function(r)}
        functions = {}
        for (student, name), f in feedback.items():
            stats = functions.setdefault(name, FunctionStats(name))
            stats.max_score = max(stats.max_score, f.max_score)
            stats.outcomes[student] = _outcome(f)
            for hint in f.hints:
                _mistake(stats, hint).students.append(student)
        known = (order or {}).get(assignment_id, ())
        functions = {fn: functions[fn] for fn in [*(f for f in known if f in functions), *functions]}
        for stats in functions.values():
            _rank(stats, feedback)
            for m in stats.mistakes:
                m.label = f"student {_letters(next(labels))}"
                m.example = _example(stats.name, m, feedback)
        assignments.append(AssignmentStats(assignment_id, max(r["extra_data"].get("max_score", 0.0) for r in group),
                                           [r["score"] for r in group], list(functions.values())))
    return assignments


def _outcome(f):
    if f.score >= f.max_score - 1e-9:
        return FULL
    if f.hints:
        return NAMED
    failed = [t for t in f.tests if t["score"] < t["max_score"]]
    return STUB if all(t["message"].startswith(NOT_WRITTEN) for t in failed) else OTHER


def _mistake(stats, hint):
    for m in stats.mistakes:
        if m.hint == hint:
            return m
    stats.mistakes.append(MistakeStats(hint))
    return stats.mistakes[-1]


def _rank(stats, feedback):
    """Rank the function's mistakes (most students first, then by hint) and put each student in one
    bar segment (a student with several mistakes: the most frequent of them)."""
    stats.mistakes.sort(key=lambda m: (-len(m.students), m.hint))
    rank_of = {m.hint: rank for rank, m in enumerate(stats.mistakes, 1)}
    for m in stats.mistakes:
        m.rank = rank_of[m.hint]
    for student, outcome in stats.outcomes.items():
        key = min(rank_of[h] for h in feedback[student, stats.name].hints) if outcome == NAMED else outcome
        stats.bar[key] = stats.bar.get(key, 0) + 1


def _example(function, mistake, feedback):
    """The feedback one student read for `function`: each failed property and why, then the mistake;
    the student's id, wherever the output repeats it, replaced by the mistake's label.

    Each example gets its own label, so that the page does not link one student's mistakes together;
    the student is one whose feedback names this mistake alone, where there is one (the clearest).
    """
    student = min(mistake.students, key=lambda s: (len(feedback[s, function].hints) > 1, s))
    own_id = re.compile(rf"(?<!\w){re.escape(student)}(?!\w)")
    lines = [f"{t['title']} ({t['score']:g} / {t['max_score']:g}): {own_id.sub(mistake.label, t['message'])}"
             for t in feedback[student, function].tests if t["score"] < t["max_score"]]
    return "\n".join([*lines, f"Known mistake: {mistake.hint}"])


def _letters(n):
    """0 -> A, 25 -> Z, 26 -> AA..."""
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(ord("A") + r) + s
    return s


# ---- plots -------------------------------------------------------------------------------------------------

def _png(fig):
    """A figure as a data URI (no file beside the page; no date or version in the bytes, so reruns match)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def outcome_plot(a):
    """One bar per graded function, stacked: full marks, each known mistake (numbered by rank), not
    written, other losses."""
    with matplotlib.rc_context({"text.parse_math": False}):
        fig = Figure(figsize=(8, 0.45 * len(a.functions) + 1.6))
        ax = fig.add_subplot()
        names = [f.name for f in a.functions][::-1]
        most = max((m.rank for f in a.functions for m in f.mistakes), default=0)
        for y, f in enumerate(a.functions[::-1]):
            left = 0
            keys = [FULL, *range(1, len(f.mistakes) + 1), STUB, OTHER]
            for key in keys:
                width = f.bar.get(key, 0)
                if not width:
                    continue
                color = COLORS[key] if key in COLORS else MISTAKE_COLORS[min(key, len(MISTAKE_COLORS)) - 1]
                ax.barh(y, width, left=left, color=color, edgecolor="white", height=0.7)
                if isinstance(key, int):
                    ax.text(left + width / 2, y, f"#{key}", ha="center", va="center", color="white", fontsize=8)
                left += width
        ax.set_yticks(range(len(names)), names)
        ax.set_xlabel("students")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_title(f"{a.id}: outcome per graded function")
        legend = [Patch(color=COLORS[FULL], label=FULL)]
        legend += [Patch(color=c, label=f"known mistake #{i}" + (" and after" if i == len(MISTAKE_COLORS) else ""))
                   for i, c in enumerate(MISTAKE_COLORS[:most], 1)]
        legend += [Patch(color=COLORS[STUB], label=STUB), Patch(color=COLORS[OTHER], label=OTHER)]
        ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
        fig.tight_layout()
        return _png(fig)


def score_plot(a):
    """A histogram of the submissions' total automatic scores, with the median marked."""
    fig = Figure(figsize=(6, 2.8))
    ax = fig.add_subplot()
    top = a.max_score or max(a.scores, default=0) or 1.0
    ax.hist(a.scores, bins=[top * i / 10 for i in range(11)], color="#1565c0", edgecolor="white")
    ax.axvline(_median(a.scores), color="#222", linestyle="--", linewidth=1, label=f"median {_median(a.scores):g}")
    ax.set_xlim(0, top)
    ax.set_xlabel(f"total automatic score (of {top:g})")
    ax.set_ylabel("submissions")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"{a.id}: total scores")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return _png(fig)


def _median(xs):
    s = sorted(xs)
    return (s[(len(s) - 1) // 2] + s[len(s) // 2]) / 2 if s else 0.0


# ---- outputs -----------------------------------------------------------------------------------------------

PAGE = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>Class report</title>
<style>
 body { font-family: system-ui, sans-serif; max-width: 64rem; margin: 2rem auto; color: #222; }
 h2 { border-top: 2px solid #ccc; padding-top: .8rem; } h3 { font-size: 1.05rem; margin: 1.2rem 0 .3rem; }
 table { border-collapse: collapse; width: 100%; }
 td, th { text-align: left; vertical-align: top; padding: .25rem .5rem; border-bottom: 1px solid #eee; }
 td.n { text-align: right; white-space: nowrap; }
 pre { white-space: pre-wrap; font-size: .85em; background: #f6f6f6; padding: .4rem .6rem; margin: .3rem 0; }
 img { max-width: 100%; } .problems { background: #fff7e6; padding: .6rem .8rem; border-left: 4px solid #f0a020; }
</style></head><body>
<h1>Class report</h1>
<p>Per assignment and graded function: the students with full marks, and the known mistakes their feedback named,
most frequent first, each with one student's feedback as an example (students are not named). A student may make
several mistakes in one function; in the bars each student counts once, under the most frequent of them.</p>
{% if problems %}<p class="problems">Not counted: {{ problems|length }} results.json that could not be read
(the report command names them; this page names no student).</p>
{% endif %}
{% for a in assignments %}
<h2>{{ a.id }}</h2>
<p>{{ a.scores|length }} submission{{ '' if a.scores|length == 1 else 's' }}; median total {{ '%g' % median(a.scores) }}
of {{ '%g' % a.max_score }}.</p>
<img alt="histogram of total scores in {{ a.id }}" src="{{ score_plot(a) }}">
{% if a.functions %}
<img alt="outcome per graded function in {{ a.id }}" src="{{ outcome_plot(a) }}">
{% endif %}
{% for f in a.functions %}
<h3>{{ f.name }} ({{ '%g' % f.max_score }} points): full marks {{ f.count(FULL) }} of {{ f.outcomes|length }}
({{ pct(f.count(FULL), f.outcomes|length) }})</h3>
{% if f.mistakes or f.count(STUB) or f.count(OTHER) %}
<table><tr><th>#</th><th>known mistake</th><th>students</th><th>example</th></tr>
{% for m in f.mistakes %}
<tr><td>{{ m.rank }}</td><td>{{ m.hint }}</td>
<td class="n">{{ m.students|length }} ({{ pct(m.students|length, f.outcomes|length) }})</td>
<td><details><summary>{{ m.label }}</summary><pre>{{ m.example }}</pre></details></td></tr>
{% endfor %}
{% for kind, what in [(STUB, 'still the stub'), (OTHER, 'points lost where no known mistake was named')] %}
{% if f.count(kind) %}<tr><td></td><td>{{ kind }}: {{ what }}</td>
<td class="n">{{ f.count(kind) }} ({{ pct(f.count(kind), f.outcomes|length) }})</td><td></td></tr>
{% endif %}
{% endfor %}
</table>
{% endif %}
{% endfor %}
{% endfor %}
</body></html>
""")


def report_html(assignments, problems=()):
    """The class report as one self-contained page."""
    return PAGE.render(assignments=assignments, problems=problems, median=_median, pct=_pct, FULL=FULL, STUB=STUB,
                       OTHER=OTHER, score_plot=score_plot, outcome_plot=outcome_plot)


def _pct(n, total):
    return f"{100 * n / total:.0f}%" if total else "-"


CSV_HEADER = ["assignment_id", "function", "max_score", "students", "outcome", "rank", "mistake", "count", "share",
              "example_label", "example"]


def report_csv(assignments):
    """One row per (assignment, function, outcome): full marks, each known mistake (ranked), not
    written, other losses. `count` students of `students`; a student may count under several mistakes."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for a in assignments:
        for f in a.functions:
            n = len(f.outcomes)
            rows = [(FULL, "", "", f.count(FULL), "", "")]
            rows += [(NAMED, m.rank, m.hint, len(m.students), m.label, m.example) for m in f.mistakes]
            rows += [(kind, "", "", f.count(kind), "", "") for kind in (STUB, OTHER) if f.count(kind)]
            for outcome, rank, hint, count, label, example in rows:
                writer.writerow([a.id, f.name, f"{f.max_score:g}", n, outcome, rank, hint, count,
                                 f"{count / n:.3f}" if n else "", label, example])
    return buf.getvalue()


def write_report(out):
    """Write `out/class_report.html` and `out/class_report.csv` -> (their paths, problems)."""
    results, problems = load_results(out)
    assignments = summarize(results, {a: notebook.load_assignment(a).functions for a in notebook.list_assignments()})
    html, table = Path(out) / "class_report.html", Path(out) / "class_report.csv"
    write_atomic(html, report_html(assignments, problems))
    write_atomic(table, report_csv(assignments))
    return (html, table), problems


def main(out):
    """The `report` command: write the class report and say where, and what was left out."""
    try:
        (html, table), problems = write_report(out)
    except ReportError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    print(f"class report: {html} (open it in a browser), {table}")
    return 0
