"""Does the class report count and rank what the class really did, name no student, and stand alone?

A small sample class is graded for real by the `demo` command (which then writes the report); the
points each sample student must get were worked out by hand (autograder/samples/). Ranking,
anonymisation and escaping are checked on hand-written results of the documented shape.
"""

import base64
import csv
import io
import json
import re
import shutil

import pytest

from autograder import catalog, class_report, cli
from autograder.notebook import load_assignment

CLASS = {"03_optimizers": ["alice", "bob", "carol", "dave", "grace"], "01_regularization": ["alice", "kim"]}


@pytest.fixture(scope="module")
def demo(tmp_path_factory, monkeypatch_module):
    """A part of the sample class graded by `demo` -> (out folder, exit code, console output, CSV rows)."""
    base = tmp_path_factory.mktemp("demo")
    for assignment, students in CLASS.items():
        for student in students:
            shutil.copytree(cli.SAMPLES / student / assignment, base / "samples" / student / assignment)
    monkeypatch_module.setattr(cli, "SAMPLES", base / "samples")
    code = cli.main(["demo", "--out", str(base / "out"), "--jobs", "1", "--timeout", "5", "--no-progress"])
    rows = list(csv.DictReader(io.StringIO((base / "out" / "class_report.csv").read_text())))
    return base / "out", code, rows


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def rows_of(rows, assignment, function):
    return [r for r in rows if (r["assignment_id"], r["function"]) == (assignment, function)]


def test_demo_writes_the_report_beside_the_grades(demo):
    out, code, rows = demo
    assert code == 0
    assert (out / "grades.csv").exists() and (out / "class_report.html").exists()
    for assignment in CLASS:  # functions in notebook order, as the class table shows them
        functions = [r["function"] for r in rows if r["assignment_id"] == assignment]
        assert list(dict.fromkeys(functions)) == list(load_assignment(assignment).functions)


@pytest.mark.parametrize("assignment", sorted(CLASS))
def test_full_marks_per_function_are_the_students_who_earned_them(demo, assignment):
    """Who earns full marks is known by hand for each sample student: the report counts exactly them."""
    _, _, rows = demo
    points = load_assignment(assignment).points
    expected = {s.student: s.expected for s in catalog.samples(assignment) if s.student in CLASS[assignment]}
    for fn in points:
        (full,) = [r for r in rows_of(rows, assignment, fn) if r["outcome"] == "full marks"]
        earned = sum(expected[s][fn] == points[fn] for s in CLASS[assignment])
        assert (int(full["count"]), int(full["students"])) == (earned, len(CLASS[assignment])), fn
        assert float(full["share"]) == pytest.approx(earned / len(CLASS[assignment]), abs=1e-3)


def test_each_student_lands_in_one_outcome_per_function(demo):
    """bob handed in the blank release (not written), grace a broken file (other losses); carol (adam) and
    dave (sgd_momentum, rmsprop) each made one known mistake there."""
    _, _, rows = demo
    named = {r["function"]: (r["mistake"], int(r["count"]), r["rank"]) for r in rows
             if r["assignment_id"] == "03_optimizers" and r["outcome"] == "known mistake"}
    assert sorted(named) == ["adam", "rmsprop", "sgd_momentum"]
    for fn, (hint, count, rank) in named.items():
        assert hint in {m.hint for m in catalog.mistakes("03_optimizers") if m.function == fn}
        assert (count, rank) == (1, "1")
    for fn in load_assignment("03_optimizers").points:
        outcomes = {r["outcome"]: int(r["count"]) for r in rows_of(rows, "03_optimizers", fn)}
        assert outcomes.pop("not written") == 1 and outcomes.pop("other losses") == 1, fn
        assert sum(outcomes.values()) == 3, fn  # alice, carol, dave: full marks or one named mistake


def test_the_page_names_no_student_and_has_its_plots_inline(demo):
    out, _, rows = demo
    page = (out / "class_report.html").read_text()
    for student in {s for students in CLASS.values() for s in students}:
        assert not re.search(rf"\b{student}\b", page), student
        assert not any(re.search(rf"\b{student}\b", " ".join(r.values())) for r in rows), student
    sources = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert len(sources) == 2 * len(CLASS)  # a histogram and a bar chart per assignment, nothing else
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n")


def test_a_rerun_gives_the_same_report_byte_for_byte(demo, capsys):
    out, _, _ = demo
    before = [(out / name).read_bytes() for name in ("class_report.html", "class_report.csv")]
    assert cli.main(["report", str(out)]) == 0
    assert "class_report.html" in capsys.readouterr().out
    assert [(out / name).read_bytes() for name in ("class_report.html", "class_report.csv")] == before


# ---- hand-written results ----------------------------------------------------------------------------------

def case(fn, title, score, max_score=1.0, output="passed", hint=None):
    """One test of a results.json, as the grader writes it."""
    return {"name": f"{fn}: {title}", "score": score, "max_score": max_score, "output": output,
            "status": "passed" if score >= max_score else "failed", "tags": [fn], "visibility": "visible",
            "extra_data": {"function": fn, "hint": hint}}


def result(student, tests, assignment="03_optimizers"):
    return {"score": sum(t["score"] for t in tests), "tests": tests, "output": "",
            "extra_data": {"student_id": student, "assignment_id": assignment, "seed": 1,
                           "max_score": sum(t["max_score"] for t in tests)}}


NO_BIAS, NO_STATE = "no bias correction", "state kept outside config"


def adam(student, *hints, sgd=1.0):
    """A student's results on adam (a formula test and a state test) and sgd; hints: (formula, state)."""
    formula, state = (hints + (None, None))[:2]
    return result(student, [
        case("adam", "formula", 0.0, 2.0, f"off by 0.1\nKnown mistake: {formula}", formula) if formula
        else case("adam", "formula", 2.0, 2.0),
        case("adam", "state", 0.0, 0.5, "state lost", state) if state else case("adam", "state", 0.5, 0.5),
        case("sgd", "formula", sgd, 1.0, "passed" if sgd else "not written yet (the function still raises ...)")])


def test_mistakes_are_ranked_by_how_many_students_made_them():
    """Three students lack bias correction, one of them also keeps state outside config, one only that;
    a sixth is right. The most frequent mistake comes first; in the bar each student counts once."""
    (a,) = class_report.summarize([adam("s1", NO_BIAS), adam("s2", NO_BIAS, NO_STATE), adam("s3", NO_BIAS),
                                   adam("s4", None, NO_STATE), adam("s5"), adam("s6", sgd=0.0)])
    fn = {f.name: f for f in a.functions}
    assert [(m.rank, m.hint, sorted(m.students)) for m in fn["adam"].mistakes] == [
        (1, NO_BIAS, ["s1", "s2", "s3"]), (2, NO_STATE, ["s2", "s4"])]
    assert fn["adam"].bar == {1: 3, 2: 1, "full marks": 2}
    assert fn["sgd"].bar == {"full marks": 5, "not written": 1} and fn["sgd"].mistakes == []
    assert a.scores == [1.5, 1.0, 1.5, 3.0, 3.5, 2.5] and a.max_score == 3.5


def test_functions_follow_the_notebook_order_when_it_is_given():
    assert [f.name for f in class_report.summarize([adam("s1")])[0].functions] == ["adam", "sgd"]
    (a,) = class_report.summarize([adam("s1")], {"03_optimizers": ("sgd", "rmsprop", "adam")})
    assert [f.name for f in a.functions] == ["sgd", "adam"]


def test_ties_are_ranked_by_the_hint_so_that_reruns_agree():
    (a,) = class_report.summarize([adam("s2", "zeta"), adam("s1", "alpha")])
    assert [m.hint for m in a.functions[0].mistakes] == ["alpha", "zeta"]


def test_the_csv_has_one_row_per_assignment_function_and_outcome():
    results = [adam("s1", NO_BIAS), adam("s2", NO_BIAS, NO_STATE), adam("s3", sgd=0.0),
               result("s1", [case("l2_penalty", "grad", 0.5, 1.0, "off")], "01_regularization")]
    rows = list(csv.DictReader(io.StringIO(class_report.report_csv(class_report.summarize(results)))))
    keys = [(r["assignment_id"], r["function"], r["outcome"], r["mistake"]) for r in rows]
    assert keys == [("01_regularization", "l2_penalty", "full marks", ""),
                    ("01_regularization", "l2_penalty", "other losses", ""),
                    ("03_optimizers", "adam", "full marks", ""),
                    ("03_optimizers", "adam", "known mistake", NO_BIAS),
                    ("03_optimizers", "adam", "known mistake", NO_STATE),
                    ("03_optimizers", "sgd", "full marks", ""),
                    ("03_optimizers", "sgd", "not written", "")]
    assert [(r["rank"], r["count"], r["share"], r["students"]) for r in rows[2:5]] == [
        ("", "1", "0.333", "3"), ("1", "2", "0.667", "3"), ("2", "1", "0.333", "3")]


def test_an_example_quotes_the_feedback_with_the_student_replaced_by_a_label():
    """s2's output repeats its id: the example replaces it (as a whole word only) by "student A"."""
    leaky = result("s2", [case("adam", "formula", 0.0, 2.0, "in s2/adam.py, line 3: off (not s22)", NO_BIAS)])
    (a,) = class_report.summarize([leaky, adam("s1", NO_BIAS, NO_STATE)])
    first, second = a.functions[0].mistakes
    assert first.label == "student A" and second.label == "student B"
    assert first.example == "formula (0 / 2): in student A/adam.py, line 3: off (not s22)\nKnown mistake: " + NO_BIAS
    assert "s1" not in second.example and second.example.startswith("formula (0 / 2): off by 0.1\nstate (0 / 0.5)")


def test_text_from_submissions_is_escaped():
    evil = "<script>alert(1)</script>"
    results = [result("<b>eve</b>", [case("adam", "formula", 0.0, 1.0, f"<img src=x onerror=alert(1)> {evil}", evil)])]
    page = class_report.report_html(class_report.summarize(results))
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x" in page and "<b>eve" not in page


def test_bad_input_is_said_and_the_rest_is_counted(tmp_path, capsys):
    (tmp_path / "zoe" / "03_optimizers").mkdir(parents=True)
    (tmp_path / "zoe" / "03_optimizers" / "results.json").write_text('{"score": 1, "tests": [')
    (tmp_path / "amy" / "03_optimizers").mkdir(parents=True)
    (tmp_path / "amy" / "03_optimizers" / "results.json").write_text(json.dumps(adam("amy", NO_BIAS)))
    (tmp_path / "bob" / "03_optimizers").mkdir(parents=True)
    (tmp_path / "bob" / "03_optimizers" / "results.json").write_text(json.dumps({"score": 1, "tests": []}))
    assert cli.main(["report", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "zoe/03_optimizers/results.json: not a results.json" in err and "JSONDecodeError" in err
    assert "bob/03_optimizers/results.json: not a results.json" in err and "extra_data" in err
    page = (tmp_path / "class_report.html").read_text()
    assert "Not counted: 2 results.json" in page and "zoe" not in page and NO_BIAS in page


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "missing", "missing is not a folder (expected grade's output: OUT/<student>/<assignment>/"),
    (lambda p: p, "grade the class first (python -m autograder grade SUBMITTED --out"),
])
def test_nothing_to_report_is_an_error_that_says_what_to_do(tmp_path, capsys, make, message):
    assert cli.main(["report", str(make(tmp_path))]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "class_report.html").exists()
