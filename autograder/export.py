"""`nbgrader export` with every field quoted as CSV needs: nbgrader's columns and values, one row a
student and assignment.

nbgrader's own CsvExportPlugin joins the fields with commas as they are, so a name or an email
holding a comma or a quote shifts or breaks its row. This plugin writes the same columns with the
same values through Python's csv module (identical bytes when no field needs quoting);
nbgrader_config.py makes it the exporter of `nbgrader export`. A submission's `score` is
nbgrader's: the sum of its grades, the automatic scores `grade` records on the check cells and the
manual scores given in formgrader, less the late penalty. A student who handed in nothing scores 0.
"""

import csv

from nbgrader.api import MissingEntry
from nbgrader.plugins import CsvExportPlugin

# The columns of nbgrader's CsvExportPlugin, in its order.
COLUMNS = ("assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
           "raw_score", "late_submission_penalty", "score", "max_score")


def _field(value):
    """A value as nbgrader's exporter writes it: None as an empty field, anything else as str()."""
    return "" if value is None else str(value)


def rows(gradebook, assignments=(), students=()):
    """The export's rows (lists in COLUMNS order), every student for every assignment, as nbgrader orders
    them; `assignments` and `students` (names and ids) keep only those when given."""
    for assignment in gradebook.assignments:
        if assignments and assignment.name not in assignments:
            continue
        for student in gradebook.students:
            if students and student.id not in students:
                continue
            try:
                submission = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                timestamp, raw, penalty, score = None, 0.0, 0.0, 0.0
            else:
                timestamp, raw, penalty = submission.timestamp, submission.score, submission.late_submission_penalty
                score = max(0.0, raw - penalty)
            yield [_field(v) for v in (assignment.name, assignment.duedate, timestamp, student.id, student.last_name,
                                       student.first_name, student.email, raw, penalty, score, assignment.max_score)]


class CsvExport(CsvExportPlugin):
    """nbgrader's CSV export (`--to`, `--assignment`, `--student` as nbgrader's), quoted properly."""

    def export(self, gradebook):
        dest = self.to or "grades.csv"
        self.log.info("Exporting grades to %s", dest)
        with open(dest, "w", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(rows(gradebook, [str(a) for a in self.assignment], [str(s) for s in self.student]))
