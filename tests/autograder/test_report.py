"""Are the feedback page, grades.csv and the class table right, and safe with hostile text?"""

import csv
import io

from autograder import report


def result(student, tests, output=""):
    return {"score": sum(t["score"] for t in tests), "tests": tests, "output": output,
            "extra_data": {"student_id": student, "assignment_id": "03_optimizers", "seed": 7,
                           "max_score": sum(t["max_score"] for t in tests)}}


def outcome(name, score, max_score=1.0, output="passed", hint=None):
    fn = name.split(": ")[0]
    return {"name": name, "score": score, "max_score": max_score, "output": output, "tags": [fn],
            "extra_data": {"function": fn, "hint": hint}}


def test_feedback_escapes_what_student_code_wrote():
    page = report.feedback_html(result("<b>eve</b>", [outcome("sgd: x", 0.0, output="<script>alert(1)</script>")],
                                       output="note <img src=x onerror=alert(1)>"))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<img" not in page and "<b>eve</b>" not in page


def test_feedback_shows_score_seed_and_notes():
    page = report.feedback_html(result("amy", [outcome("sgd: a", 1.0), outcome("adam: b", 0.0, 2.0, "wrong")],
                                       output="first note\nsecond note"))
    assert "1 / 3" in page and "seed (7)" in page and "first note" in page and "second note" in page


def test_feedback_groups_tests_by_function_and_names_a_mistake_once():
    page = report.feedback_html(result("amy", [
        outcome("adam: with config=None", 0.0, 0.5, "differs\nKnown mistake: no bias correction", "no bias correction"),
        outcome("adam: with hyperparameters", 0.0, 1.0, "differs too", "no bias correction"),
        outcome("adam: keeps its state in config", 0.25, 0.25), outcome("sgd: with config=None", 0.5, 0.5)]))
    assert page.count("Known mistake: no bias correction") == 1
    assert page.count("<section>") == 2 and "0.25 / 1.75" in page and "0.5 / 0.5" in page
    assert "differs too" in page and page.index("adam") < page.index("sgd")


def test_grades_csv_adds_the_manual_points_under_one_maximum():
    rows = list(csv.DictReader(io.StringIO(report.grades_csv(
        [result("amy", [outcome("sgd: a", 1.0, 3.0)])], {("amy", "03_optimizers"): (1.5, 6.0, "graded")}))))
    assert [(r["score"], r["max_score"], r["auto_score"], r["manual_score"], r["manual_status"]) for r in rows] == [
        ("2.5", "9", "1", "1.5", "graded")]


def test_grades_csv_sorted_with_the_first_note_as_reason():
    rows = list(csv.DictReader(io.StringIO(report.grades_csv([
        result("zed", [outcome("sgd: a", 1.0)]),
        result("amy", [outcome("sgd: a", 0.0)], output="no notebook handed in\nmore"),
    ]))))
    assert [(r["student_id"], r["score"], r["max_score"], r["reason"]) for r in rows] == [
        ("amy", "0", "1", "no notebook handed in"), ("zed", "1", "1", "")]


def test_class_table_sums_points_per_function():
    table = report.class_table([result("amy", [outcome("sgd: a", 0.5, 0.5), outcome("sgd: b", 0.0, 0.5),
                                                outcome("adam: c", 1.0)])])
    title, header, rule, row = table.splitlines()
    assert title == "03_optimizers"
    assert header.split() == ["student", "sgd", "adam", "total"]
    assert row.split() == ["amy", "0.5/1", "1/1", "1.5/2"]
