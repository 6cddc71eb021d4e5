"""Are the feedback page, grades.csv and the class table right, and safe with hostile text?"""

import csv
import io

from autograder import report


def result(student, tests, output=""):
    return {"score": sum(t["score"] for t in tests), "tests": tests, "output": output,
            "extra_data": {"student_id": student, "assignment_id": "03_optimizers", "seed": 7,
                           "max_score": sum(t["max_score"] for t in tests)}}


def outcome(name, score, max_score=1.0, output="passed"):
    return {"name": name, "score": score, "max_score": max_score, "output": output}


def test_feedback_escapes_what_student_code_wrote():
    page = report.feedback_html(result("<b>eve</b>", [outcome("sgd: x", 0.0, output="<script>alert(1)</script>")],
                                       output="note <img src=x onerror=alert(1)>"))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<img" not in page and "<b>eve</b>" not in page


def test_feedback_shows_score_seed_and_notes():
    page = report.feedback_html(result("amy", [outcome("sgd: a", 1.0), outcome("adam: b", 0.0, 2.0, "wrong")],
                                       output="first note\nsecond note"))
    assert "1 / 3" in page and "seed 7" in page and "first note" in page and "second note" in page


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
    header, rule, row = table.splitlines()
    assert header.split() == ["student", "assignment", "sgd", "adam", "total"]
    assert row.split() == ["amy", "03_optimizers", "0.5/1", "1/1", "1.5/2"]
