"""What each assignment's catalog holds, per graded function: `python -m autograder catalog`.

Per graded function: the known mistakes, how many of them the hidden tests must name (the rest are
caught but cannot be told apart reliably), how many were seen in real students' code (`count` > 0),
and the correct alternatives that must earn full marks. `--markdown` prints the same counts as a
table the README can quote.
"""

from dataclasses import dataclass, field

from autograder import catalog, notebook


@dataclass
class Row:
    """The catalog of one graded function."""

    assignment: str
    function: str
    mistakes: int = 0
    named: int = 0
    real: int = 0
    alternatives: list = field(default_factory=list)  # their descriptions


def rows_of(assignment_id, functions, mistakes, alternatives):
    """One Row per graded function, in `functions` order; an entry for a function that is not graded
    gets a row of its own at the end, so that nothing in the catalog goes uncounted."""
    rows = {fn: Row(assignment_id, fn) for fn in functions}
    for m in mistakes:
        row = rows.setdefault(m.function, Row(assignment_id, m.function))
        row.mistakes += 1
        row.named += bool(m.named)
        row.real += m.count > 0
    for a in alternatives:
        rows.setdefault(a.function, Row(assignment_id, a.function)).alternatives.append(a.description)
    return list(rows.values())


def course_rows():
    """The rows of every assignment, in teaching order."""
    return [row for a in notebook.list_assignments()
            for row in rows_of(a, notebook.load_assignment(a).functions, catalog.mistakes(a), catalog.alternatives(a))]


def _total(rows):
    return (sum(r.mistakes for r in rows), sum(r.named for r in rows), sum(r.real for r in rows),
            sum(len(r.alternatives) for r in rows))


def text(rows):
    """Plain text: per assignment, a table of counts, then the alternatives accepted, per function."""
    blocks = []
    for a in dict.fromkeys(r.assignment for r in rows):
        mine = [r for r in rows if r.assignment == a]
        table = [["function", "mistakes", "named", "real", "alternatives"]]
        table += [[r.function, r.mistakes, r.named, r.real, len(r.alternatives)] for r in mine]
        table.append(["all", *_total(mine)])
        widths = [max(len(str(x)) for x in col) for col in zip(*table)]
        lines = ["  ".join(str(x).ljust(w) if i == 0 else str(x).rjust(w) for i, (x, w) in enumerate(zip(row, widths)))
                 for row in table]
        lines.insert(1, "  ".join("-" * w for w in widths))
        lines.insert(-1, lines[1])
        accepted = [line for r in mine if r.alternatives
                    for line in [f"  {r.function}:", *(f"    - {d}" for d in r.alternatives)]]
        blocks.append("\n".join([a, *lines, *(["alternatives accepted:", *accepted] if accepted else [])]))
    legend = ("named: mistakes the hidden tests must name in the feedback; real: mistakes seen in real students' "
              "code; alternatives: correct answers written otherwise, which must earn full marks")
    return "\n\n".join([*blocks, legend])


def markdown(rows):
    """A Markdown table: a row per graded function, then the assignment's total in bold."""
    lines = ["| assignment | function | mistakes | named | real | alternatives |", "|---|---|--:|--:|--:|--:|"]
    for a in dict.fromkeys(r.assignment for r in rows):
        mine = [r for r in rows if r.assignment == a]
        lines += [f"| `{a}` | `{r.function}` | {r.mistakes} | {r.named} | {r.real} | {len(r.alternatives)} |"
                  for r in mine]
        lines.append(f"| **`{a}`** | **all** | " + " | ".join(f"**{n}**" for n in _total(mine)) + " |")
    return "\n".join(lines)


def main(as_markdown=False):
    """The `catalog` command."""
    rows = course_rows()
    print(markdown(rows) if as_markdown else text(rows))
    return 0
