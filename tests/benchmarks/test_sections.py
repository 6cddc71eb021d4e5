"""Does a benchmark write only its own section of a shared results file?"""


def test_a_section_is_added_then_replaced_and_the_others_kept(tmp_path, benchmark_script):
    """Written twice, is a section in the file once, with the second text, and the rest unchanged?"""
    sections, path = benchmark_script("sections"), tmp_path / "results.md"
    sections.write_section(path, "first", "## First\nold numbers")
    sections.write_section(path, "second", "## Second\nits numbers\n")
    sections.write_section(path, "first", "## First\nnew numbers")
    assert path.read_text() == ("<!-- begin first -->\n## First\nnew numbers\n<!-- end first -->\n\n"
                                "<!-- begin second -->\n## Second\nits numbers\n<!-- end second -->\n")


def test_text_before_the_sections_is_kept(tmp_path, benchmark_script):
    """A file written by hand first (a title, a note) keeps it, with the section added after."""
    sections, path = benchmark_script("sections"), tmp_path / "results.md"
    path.write_text("# Results\n\nA note.\n")
    sections.write_section(path, "only", "numbers")
    assert path.read_text() == "# Results\n\nA note.\n\n<!-- begin only -->\nnumbers\n<!-- end only -->\n"
