"""Does reading a notebook fail with a clear reason, and find each function's code?"""

import json

import pytest

from autograder.notebook import NotebookError, extract_solutions, load_assignment, read_notebook


def write(tmp_path, content, name="optimizers.ipynb"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def notebook(*cells):
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": list(cells)}


def code(source, grade_id=None, solution=True, locked=False):
    meta = {"nbgrader": {"grade_id": grade_id, "solution": solution and not locked, "locked": locked,
                         "grade": locked}} if grade_id else {}
    return {"cell_type": "code", "source": source, "metadata": meta, "outputs": [], "execution_count": None}


@pytest.mark.parametrize("content, reason", [
    (b"", "is empty"),
    (b"\xff\xfe\x00garbage", "not a text file"),
    ("{not json", "not valid notebook JSON"),
    ("[1, 2, 3]", "not a Jupyter notebook"),
    (json.dumps({"cells": [], "nbformat": 3}), "notebook format 3"),
    (json.dumps({"cells": [{"cell_type": "code", "source": 5}], "nbformat": 4}), "cell 1 is malformed"),
])
def test_unusable_notebooks_get_a_reason(tmp_path, content, reason):
    with pytest.raises(NotebookError, match=reason):
        read_notebook(write(tmp_path, content))


def test_missing_file_gets_a_reason(tmp_path):
    with pytest.raises(NotebookError, match="cannot read"):
        read_notebook(tmp_path / "nope.ipynb")


def test_source_as_list_of_lines_is_joined(tmp_path):
    nb = read_notebook(write(tmp_path, json.dumps(notebook(code(["def sgd():\n", "    return 1\n"], "sgd")))))
    sources, notes = extract_solutions(nb, ["sgd"])
    assert sources["sgd"].code == "def sgd():\n    return 1\n" and notes == {}


def test_an_earlier_scratch_def_does_not_replace_the_solution_cell():
    nb = notebook(code("def sgd():\n    return 'scratch'\n"), code("def sgd():\n    return 'graded'\n", "sgd"))
    sources, notes = extract_solutions(nb, ["sgd"])
    assert "graded" in sources["sgd"].code and notes == {}


def test_a_later_definition_wins_as_when_the_notebook_runs_top_to_bottom():
    """The stub left as released, the answer in a new cell below it: the new cell is graded, with a note."""
    nb = notebook(code("def sgd():\n    raise NotImplementedError()\n", "sgd"),
                  code("import math\nSTEP = 0.5\nrng = make_rng()\n"
                       "def sgd():\n    return math.floor(STEP)\nplot(sgd())\n"))
    sources, notes = extract_solutions(nb, ["sgd"])
    assert sources["sgd"].code == "import math\nSTEP = 0.5\ndef sgd():\n    return math.floor(STEP)\n"
    assert (sources["sgd"].cell, sources["sgd"].own_cell) == (2, False)
    assert "graded the definition of sgd in cell 2" in notes["sgd"]


def test_a_later_cell_that_does_not_parse_defines_nothing():
    nb = notebook(code("def sgd():\n    return 1\n", "sgd"), code("def sgd(:\n    return 2\n"))
    sources, notes = extract_solutions(nb, ["sgd"])
    assert sources["sgd"].own_cell and notes == {}


def test_locked_cells_are_not_the_students_definitions():
    nb = notebook(code("def sgd():\n    return 1\n", "sgd"),
                  code("def sgd():\n    return 2\n", "check_sgd", locked=True))
    assert extract_solutions(nb, ["sgd"])[0]["sgd"].own_cell


def test_cell_that_lost_its_id_is_found_by_its_def():
    nb = notebook(code("%matplotlib inline\nx = run_experiment()\ndef adam(w):\n    return w\n"))
    sources, notes = extract_solutions(nb, ["adam"])
    assert sources["adam"].code.strip() == "def adam(w):\n    return w"
    assert "lost its nbgrader id" in notes["adam"]


def test_deleted_cell_is_reported():
    sources, notes = extract_solutions(notebook(code("print(1)")), ["adam"])
    assert sources == {} and "was the cell deleted" in notes["adam"]


def test_source_notebook_defines_the_contract():
    a = load_assignment("03_optimizers")
    assert a.functions == ("sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam", "adamw")
    assert [name for name, _ in a.setup] == ["setup"]
    assert set(a.points) == set(a.functions)
