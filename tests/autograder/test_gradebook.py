"""Is a half-made or broken nbgrader gradebook told apart, mended without losing a grade, and said so?

The half-made gradebook is made by nbgrader itself, as it happens in practice: its Gradebook
creates the tables, then runs the `alembic` command to stamp them, which fails when the virtual
environment's tools are not on PATH.
"""

import os
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest
from nbgrader.api import Base, Gradebook
from sqlalchemy import create_engine

from autograder import cli, gradebook

VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def half_made(tmp_path, monkeypatch):
    """A gradebook whose creation by nbgrader stopped before alembic stamped it -> (path, url)."""
    path = tmp_path / "gradebook.db"
    url = f"sqlite:///{path}"
    (tmp_path / "bin").mkdir()
    with monkeypatch.context() as env:
        env.setenv("PATH", str(tmp_path / "bin"))  # no `alembic` there
        with pytest.raises(FileNotFoundError, match="alembic"):
            Gradebook(url)
    return path, url


def revision_in(path):
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT version_num FROM alembic_version").fetchall()


def test_a_half_made_gradebook_is_refused_then_stamped_keeping_every_grade(half_made):
    """nbgrader goes on using a half-made gradebook silently; ours refuses it, and the repair stamps it at
    schema_revision() (the stamp nbgrader writes itself, as a test below shows), keeping what was recorded."""
    path, url = half_made
    with closing(Gradebook(url)) as gb:  # nbgrader's second open succeeds and never adds the version
        gb.add_student("ann", first_name="Ann")
        gb.db.commit()
    assert gradebook.diagnose(url).state == "unstamped"
    with pytest.raises(gradebook.GradebookError, match=r"half-made.*gradebook --repair"):
        with gradebook.open_gradebook(url):
            pass
    line = gradebook.repair(url)
    assert line.startswith(f"{path}: half-made") and "stamped it at revision" in line and "\n" not in line
    assert revision_in(path) == [(gradebook.schema_revision(),)]
    assert gradebook.diagnose(url).state == "ok" and gradebook.repair(url) is None
    with gradebook.open_gradebook(url) as gb:
        assert gb.find_student("ann").first_name == "Ann"


def test_the_gradebook_command_checks_then_repairs(half_made, capsys):
    """`gradebook PATH` says what is wrong and how to mend it (exit 1); `--repair` mends it (exit 0)."""
    path, _ = half_made
    assert cli.main(["gradebook", str(path)]) == 1
    assert f"gradebook --repair {path}" in capsys.readouterr().out
    assert cli.main(["gradebook", "--repair", str(path)]) == 0
    assert "stamped it" in capsys.readouterr().out
    assert cli.main(["gradebook", str(path)]) == 0
    assert "whole" in capsys.readouterr().out


def test_grade_mends_the_gradebook_before_recording(half_made, tmp_path, capsys):
    """`grade` runs the repair itself and prints its line."""
    path, _ = half_made
    (tmp_path / "submitted").mkdir()
    assert cli.main(["grade", str(tmp_path / "submitted"), "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    assert f"{path}: half-made" in capsys.readouterr().out
    assert gradebook.diagnose(f"sqlite:///{path}").state == "ok"


def test_an_unreadable_gradebook_is_moved_aside_never_overwritten(tmp_path):
    """A file that is no database is kept under a new name (a second one under another), and the line says
    its manual scores, unreadable, are not carried over."""
    path = tmp_path / "gradebook.db"
    url = f"sqlite:///{path}"
    for n, backup in enumerate(["gradebook.db.broken", "gradebook.db.broken.1"]):
        junk = f"not a database {n}\n".encode() * 200
        path.write_bytes(junk)
        assert gradebook.diagnose(url).state == "unreadable"
        line = gradebook.repair(url)
        assert f"moved it to {backup}" in line and "manual scores (unreadable) NOT carried over" in line
        assert (tmp_path / backup).read_bytes() == junk and not path.exists()
    assert (tmp_path / "gradebook.db.broken").read_bytes().startswith(b"not a database 0")


def test_an_incomplete_gradebook_says_how_many_manual_scores_it_held(tmp_path):
    path = tmp_path / "gradebook.db"
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE grade (id TEXT, manual_score FLOAT)")
        db.executemany("INSERT INTO grade VALUES (?, ?)", [("a", 1.5), ("b", None), ("c", 0.0)])
        db.commit()
    line = gradebook.repair(f"sqlite:///{path}")
    assert "schema incomplete" in line and "2 manual scores in it NOT carried over" in line
    with closing(sqlite3.connect(tmp_path / "gradebook.db.broken")) as db:
        assert db.execute("SELECT count(manual_score) FROM grade").fetchone() == (2,)


def tables_of(path):
    with closing(sqlite3.connect(path)) as db:
        return sorted(db.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))


def test_a_gradebook_not_made_yet_is_made_as_nbgrader_makes_it(tmp_path, monkeypatch):
    """No file, or an empty one, needs no repair. nbgrader makes it whole when first used (with the venv's
    `alembic` on PATH); ours makes the same tables with the same stamp, without running alembic."""
    theirs, ours = tmp_path / "theirs.db", tmp_path / "ours.db"
    theirs.write_bytes(b"")
    for path in (theirs, ours):
        assert gradebook.diagnose(f"sqlite:///{path}").state == "new" and gradebook.repair(f"sqlite:///{path}") is None
    monkeypatch.setenv("PATH", f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    with closing(Gradebook(f"sqlite:///{theirs}")):
        pass
    with gradebook.open_gradebook(f"sqlite:///{ours}"):
        pass
    assert revision_in(theirs) == revision_in(ours) == [(gradebook.schema_revision(),)]
    assert tables_of(ours) == tables_of(theirs)
    assert gradebook.diagnose(f"sqlite:///{ours}").state == "ok"


def test_a_gradebook_of_another_nbgrader_is_left_as_it_is_with_what_to_do(tmp_path):
    path = tmp_path / "gradebook.db"
    url = f"sqlite:///{path}"
    Base.metadata.create_all(create_engine(url))
    with closing(sqlite3.connect(path)) as db:  # the revision before this nbgrader's
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        db.execute("INSERT INTO alembic_version VALUES ('282d30a0218e')")
        db.commit()
    before = path.read_bytes()
    assert gradebook.diagnose(url).state == "other revision"
    with pytest.raises(gradebook.GradebookError, match="nbgrader db upgrade"):
        gradebook.repair(url)
    assert path.read_bytes() == before
