"""Does the export give each student's automatic and manual points together, in nbgrader's columns,
with every row intact whatever the names hold?

The class is three students of the sample class of 03_optimizers, recorded in a gradebook as
`grade` records them, with the points worked out by hand for each (their results are built from
those points rather than graded again, which test_batch does).
"""

import csv
import os
import shutil
from collections import defaultdict

import pytest
from nbgrader.apps import ExportApp
from nbgrader.plugins import CsvExportPlugin
from traitlets.config.loader import PyFileConfigLoader

from autograder import catalog, export, gradebook, notebook, report
from autograder.notebook import REPO_ROOT
from autograder.samples import build

ASSIGNMENT = notebook.load_assignment("03_optimizers")
SAMPLES = {s.student: s for s in catalog.samples(ASSIGNMENT.id) if s.student in ("alice", "bob", "carol")}
MANUAL = {"inline_question_1": 1.5, "inline_question_3": 0.5}  # carol's answers, graded by hand


def result_of(sample):
    """A results.json of the sample with its hand-worked points, one test per function."""
    tests = [{"name": f"{fn}: formula", "score": points, "max_score": ASSIGNMENT.points[fn], "output": "",
              "extra_data": {"function": fn}} for fn, points in sample.expected.items()]
    return {"score": sum(sample.expected.values()), "output": "", "tests": tests,
            "extra_data": {"student_id": sample.student, "assignment_id": ASSIGNMENT.id,
                           "notebook": ASSIGNMENT.notebook, "max_score": sum(ASSIGNMENT.points.values())}}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """The three students recorded and carol's answers graded by hand -> (gradebook file, results)."""
    folder = tmp_path_factory.mktemp("recorded")
    for student in SAMPLES:
        shutil.copytree(build.SUBMITTED / student / ASSIGNMENT.id, folder / "submitted" / student / ASSIGNMENT.id)
    url = f"sqlite:///{folder / 'gradebook.db'}"
    results = [result_of(s) for s in SAMPLES.values()]
    gradebook.record(url, ASSIGNMENT, results, folder / "submitted")
    with gradebook.open_gradebook(url) as gb:
        for question, score in MANUAL.items():
            gb.find_grade(question, "optimizers", ASSIGNMENT.id, "carol").manual_score = score
        gb.db.commit()
    return folder / "gradebook.db", results


@pytest.fixture
def course(recorded, tmp_path):
    """A course folder holding a copy of the recorded gradebook -> (folder, gradebook url, results)."""
    book, results = recorded
    shutil.copy(book, tmp_path / "gradebook.db")
    return tmp_path, f"sqlite:///{tmp_path / 'gradebook.db'}", results


def export_with(plugin, url, to):
    with gradebook.open_gradebook(url) as gb:
        plugin(to=str(to)).export(gb)
    return to.read_text()


def test_the_export_is_nbgraders_own_when_no_field_needs_quoting(course):
    """Same columns, same values, same bytes as nbgrader's own CSV export."""
    folder, url, _ = course
    with gradebook.open_gradebook(url) as gb:
        gb.update_or_create_student("alice", first_name="Alice", last_name="Liddell", email="alice@example.org")
        gb.db.commit()
    theirs = export_with(CsvExportPlugin, url, folder / "nbgrader.csv")
    assert export_with(export.CsvExport, url, folder / "ours.csv") == theirs
    assert "Liddell" in theirs and len(theirs.splitlines()) == 1 + len(SAMPLES)


def test_a_comma_in_a_name_and_a_quote_in_an_email_keep_their_row(course):
    """Read back with the csv module, every row has nbgrader's columns and carol's holds her name and
    email as given, and her automatic plus manual points; nbgrader's own export splits that row."""
    folder, url, _ = course
    with gradebook.open_gradebook(url) as gb:
        gb.update_or_create_student("carol", first_name="Carol", last_name="Smith, Jr.", email='carol"s@example.org')
        gb.db.commit()
    theirs = export_with(CsvExportPlugin, url, folder / "nbgrader.csv").splitlines()
    header = theirs[0].split(",")
    assert any(line.count(",") >= len(header) for line in theirs), \
        "nbgrader's own export now keeps the row whole: is this exporter still needed?"
    export_with(export.CsvExport, url, folder / "grades.csv")
    with (folder / "grades.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == header and all(len(row) == len(header) for row in rows)
    carol = next(dict(zip(header, row)) for row in rows if row[header.index("student_id")] == "carol")
    assert (carol["last_name"], carol["first_name"], carol["email"]) == ("Smith, Jr.", "Carol", 'carol"s@example.org')
    auto, manual = sum(SAMPLES["carol"].expected.values()), sum(MANUAL.values())
    assert float(carol["score"]) == float(carol["raw_score"]) == auto + manual
    assert float(carol["max_score"]) == ASSIGNMENT.max_points


def test_grades_csv_and_the_export_agree_on_every_score(course):
    """`grade`'s grades.csv (results plus the gradebook's manual points) and the export (the gradebook's
    sums) give every submission the same score out of the same maximum."""
    folder, url, results = course
    grades = list(csv.DictReader(report.grades_csv(results, gradebook.manual_scores(url, ASSIGNMENT, list(SAMPLES)))
                                 .splitlines()))
    ours = {(r["student_id"], r["assignment_id"]): (float(r["score"]), float(r["max_score"])) for r in grades}
    export_with(export.CsvExport, url, folder / "export.csv")
    with (folder / "export.csv").open(newline="") as fh:
        exported = {(r["student_id"], r["assignment"]): (float(r["score"]), float(r["max_score"]))
                    for r in csv.DictReader(fh)}
    assert exported == ours
    statuses = defaultdict(set)
    for r in grades:
        statuses[r["manual_status"]].add(r["student_id"])
    assert statuses == {"graded": {"bob"}, "to grade": {"alice", "carol"}}  # carol has one answer left


def test_nbgrader_export_with_the_course_config_uses_this_exporter(course, monkeypatch):
    """`nbgrader export` with the course's nbgrader_config.py (its ExportApp, in this process) writes the
    quoted export: nbgrader's own exporter would cut "Smith, Jr." at its comma."""
    folder, url, _ = course
    monkeypatch.setenv("PATH", os.environ.get("PATH", ""))  # the config puts the venv's tools on PATH: undo after
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO_ROOT)).load_config()
    app = ExportApp(config=config)
    app.init_plugin()
    app.plugin_inst.to = str(folder / "out.csv")
    with gradebook.open_gradebook(url) as gb:
        gb.update_or_create_student("carol", last_name="Smith, Jr.")
        gb.db.commit()
        app.plugin_inst.export(gb)
    with (folder / "out.csv").open(newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert rows["carol"]["last_name"] == "Smith, Jr." and float(rows["carol"]["score"]) == \
        sum(SAMPLES["carol"].expected.values()) + sum(MANUAL.values())
