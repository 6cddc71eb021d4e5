"""Does cleaning up a sandbox's folder remove what the student locked, and never touch anything
outside the folder, even when the folder is gone already (cleanup runs again at garbage collection)?"""

import os
import stat

from autograder.sandbox.process import cleanup


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_second_cleanup_leaves_the_parent_folder_as_it_was(tmp_path):
    """The system's temporary folder is the parent in real use: it must stay open to every user (1777)."""
    parent = tmp_path / "tmp"
    parent.mkdir()
    parent.chmod(0o1777)
    folder = parent / "sandbox-1"
    folder.mkdir()
    cleanup([], str(folder))
    cleanup([], str(folder))
    assert not folder.exists() and mode(parent) == 0o1777


def test_a_folder_the_student_made_read_only_is_removed(tmp_path):
    folder = tmp_path / "sandbox-2"
    locked = folder / "work" / "locked"
    locked.mkdir(parents=True)
    (locked / "answer.txt").write_text("42")
    locked.chmod(0o500)
    tmp_path.chmod(0o1777)
    cleanup([], str(folder))
    assert not folder.exists() and mode(tmp_path) == 0o1777
