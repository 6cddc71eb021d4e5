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


def code(source, grade_id=None, solution=True):
    meta = {"nbgrader": {"grade_id": grade_id, "solution": solution}} if grade_id else {}
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
    assert extract_solutions(nb, ["sgd"]) == ({"sgd": "def sgd():\n    return 1\n"}, {})


def test_cell_found_by_grade_id_wins_over_defs_elsewhere():
    nb = notebook(code("def sgd():\n    return 'scratch'\n"), code("def sgd():\n    return 'graded'\n", "sgd"))
    sources, notes = extract_solutions(nb, ["sgd"])
    assert "graded" in sources["sgd"] and notes == {}


def test_cell_that_lost_its_id_is_found_by_its_def():
    nb = notebook(code("%matplotlib inline\nx = run_experiment()\ndef adam(w):\n    return w\n"))
    sources, notes = extract_solutions(nb, ["adam"])
    assert sources["adam"].strip() == "def adam(w):\n    return w"
    assert "lost its nbgrader id" in notes["adam"]


def test_deleted_cell_is_reported():
    sources, notes = extract_solutions(notebook(code("print(1)")), ["adam"])
    assert sources == {} and "was the cell deleted" in notes["adam"]


def test_source_notebook_defines_the_contract():
    a = load_assignment("03_optimizers")
    assert a.functions == ("sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam", "adamw")
    assert [name for name, _ in a.setup] == ["setup"]
    assert set(a.points) == set(a.functions)
