"""nbgrader settings for this course: solutions/ is the source, assignments/ the release."""

c = get_config()  # noqa: F821 (injected by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "cs231n-training"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
# The release carries no outputs, so students start from a clean page.
c.ClearOutput.enabled = True
