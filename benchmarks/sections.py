"""Write one benchmark's section of a shared results file, leaving the other sections as they are.

A section sits between `<!-- begin NAME -->` and `<!-- end NAME -->`; a section not yet in the
file is added at its end.
"""

import re
from pathlib import Path


def write_section(path, name, text):
    """Put `text` in the section `name` of the Markdown file `path` (created when missing)."""
    path = Path(path)
    begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
    block = f"{begin}\n{text.strip()}\n{end}\n"
    old = path.read_text() if path.exists() else ""
    pattern = re.compile(rf"{re.escape(begin)}.*?{re.escape(end)}\n?", re.DOTALL)
    if pattern.search(old):
        new = pattern.sub(lambda _: block, old, count=1)
    else:
        new = f"{old.rstrip()}\n\n{block}" if old.strip() else block
    path.write_text(new)
