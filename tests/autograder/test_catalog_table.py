"""Does `python -m autograder catalog` count every catalog entry once, under its own function?"""

import re

from autograder import catalog, catalog_table, cli
from autograder.catalog import Alternative, Mistake
from autograder.notebook import list_assignments, load_assignment


def test_counts_per_function_with_named_and_real_mistakes():
    mistakes = [Mistake("adam", "a", "src"), Mistake("adam", "b", "src", named=False, count=3),
                Mistake("sgd", "c", "src", count=1), Mistake("helper", "d", "src")]
    alternatives = [Alternative("sgd", "in place", "src"), Alternative("sgd", "PyTorch's form", "src")]
    rows = catalog_table.rows_of("03_optimizers", ["sgd", "adam", "rmsprop"], mistakes, alternatives)
    assert [(r.function, r.mistakes, r.named, r.real, r.alternatives) for r in rows] == [
        ("sgd", 1, 1, 1, ["in place", "PyTorch's form"]), ("adam", 2, 1, 1, []), ("rmsprop", 0, 0, 0, []),
        ("helper", 1, 1, 0, [])]  # an entry of no graded function still counts, on a row of its own


def test_the_course_rows_add_up_to_each_catalog():
    rows = catalog_table.course_rows()
    for a in list_assignments():
        mine = [r for r in rows if r.assignment == a]
        graded = list(load_assignment(a).functions)
        assert [r.function for r in mine][:len(graded)] == graded  # in notebook order, each once
        mistakes = catalog.mistakes(a)
        assert sum(r.mistakes for r in mine) == len(mistakes)
        assert sum(r.named for r in mine) == sum(m.named for m in mistakes)
        assert sum(len(r.alternatives) for r in mine) == len(catalog.alternatives(a))


def test_markdown_is_one_table_with_a_total_per_assignment(capsys):
    assert cli.main(["catalog", "--markdown"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "| assignment | function | mistakes | named | real | alternatives |"
    assert all(line.startswith("| ") and line.endswith(" |") and line.count("|") == 7 for line in lines[2:])
    rows = catalog_table.course_rows()
    for a in list_assignments():
        (total,) = [line for line in lines if line.startswith(f"| **`{a}`** | **all** |")]
        numbers = [int(n) for n in re.findall(r"\*\*(\d+)\*\*", total)]
        mine = [r for r in rows if r.assignment == a]
        assert numbers == [sum(r.mistakes for r in mine), sum(r.named for r in mine), sum(r.real for r in mine),
                           sum(len(r.alternatives) for r in mine)]


def test_plain_output_lists_the_alternatives_accepted(capsys):
    assert cli.main(["catalog"]) == 0
    out = capsys.readouterr().out
    for a in list_assignments():
        assert f"\n{a}\nfunction " in f"\n{out}"
    for alt in catalog.alternatives("03_optimizers"):
        assert f"    - {alt.description}\n" in out
    adam = [line for line in out.splitlines() if line.startswith("adam ")]
    n = sum(m.function == "adam" for m in catalog.mistakes("03_optimizers"))
    assert len(adam) == 1 and adam[0].split()[1] == str(n)
