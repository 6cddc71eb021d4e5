"""nbgrader settings for this course: solutions/ is the source, assignments/ the release.

Every nbgrader command run in this folder loads this file, and so does the formgrader of a Jupyter
server started here (`make formgrader`, or `.venv/bin/jupyter lab`).
"""

from autograder.gradebook import alembic_on_path

c = get_config()  # noqa: F821 (injected by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "cs231n-training"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
# The release carries no outputs, so students start from a clean page.
c.ClearOutput.enabled = True
# `nbgrader export`: nbgrader's columns, every field quoted as CSV needs (a comma in a name keeps its row).
c.ExportApp.plugin_class = "autograder.export.CsvExport"

# nbgrader runs the `alembic` command by name when it creates the gradebook; without it on PATH (a
# server started as `.venv/bin/jupyter lab`, the venv not activated) formgrader answers HTTP 500 and
# leaves a half-made gradebook. This puts the venv's tools on PATH.
alembic_on_path()
