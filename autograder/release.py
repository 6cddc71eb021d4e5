"""Generate the student release (`assignments/`) from the nbgrader source (`solutions/`).

nbgrader's own `generate_assignment` does the work (stubs for solutions, no hidden tests, no
outputs, locked-cell checksums); this module only points it at the right folders, so that
`make release` and the drift test produce byte-identical files.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.notebook import REPO_ROOT, list_assignments, load_assignment
from autograder.runner import check_points

RELEASE_DIR = REPO_ROOT / "assignments"


def generate(assignment_id, release_dir=RELEASE_DIR, source_dir=REPO_ROOT / "solutions"):
    """Write `release_dir/<assignment_id>/` from `source_dir/<assignment_id>/` with nbgrader."""
    with tempfile.TemporaryDirectory() as course:
        # A scratch course folder: nbgrader also writes a gradebook, which the release must not touch.
        cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment_id,
               "--force", "--no-db", "--log-level=WARN",
               f"--CourseDirectory.root={course}",
               f"--CourseDirectory.source_directory={Path(source_dir).resolve()}",
               f"--CourseDirectory.release_directory={Path(course) / 'release'}"]
        shutil.copy(REPO_ROOT / "nbgrader_config.py", course)
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=course)
        if done.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment {assignment_id} failed:\n{done.stdout}{done.stderr}")
        target = Path(release_dir) / assignment_id
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(Path(course) / "release" / assignment_id, target)
    return target


def main():
    """Release every assignment; stop, naming the function, when points disagree (exit status 2)."""
    try:
        for assignment_id in list_assignments():
            check_points(load_assignment(assignment_id))
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for assignment_id in list_assignments():
        print(f"released {generate(assignment_id).relative_to(REPO_ROOT)}")
    return 0
