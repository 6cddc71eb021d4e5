"""Does benchmarks/training_speed.py run, and write a well-formed report? (Its --smoke run: tiny
sizes, in this process; no timed assertion, since speeds depend on the machine and its load.)"""

import math
import re

import pytest
import torch

SECTIONS = ("Training throughput", "Gradient-check cost", "Batch-norm backward")


def tables(text):
    """{section title: [row dicts]} of the report's Markdown tables, one table per `## ` section."""
    found, title, header = {}, None, None
    for line in text.splitlines():
        if line.startswith("## "):
            title, header = line[3:].strip(), None
        elif line.startswith("|") and title is not None:
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if header is None:
                header = cells
            elif not all(set(cell) <= {"-", ":"} for cell in cells):
                assert len(cells) == len(header), f"a row of {title!r} has {len(cells)} cells, not {len(header)}"
                found.setdefault(title, []).append(dict(zip(header, cells)))
    return found


def number(cell):
    """The number a cell shows ("2.5x", "1.2e-07", "310"), checked finite."""
    value = float(re.fullmatch(r"(-?[0-9.]+(?:e[-+][0-9]+)?)x?", cell).group(1))
    assert math.isfinite(value)
    return value


@pytest.fixture(scope="module")
def report(tmp_path_factory, benchmark_script):
    out = tmp_path_factory.mktemp("bench") / "training_results.md"
    threads = torch.get_num_threads()
    benchmark_script("training_speed").main(["--smoke", "--out", str(out)])
    assert torch.get_num_threads() == threads, "the benchmark must give back PyTorch's thread count"
    return out.read_text()


def test_report_has_its_three_tables(report):
    assert report.startswith("# Training speed")
    assert set(tables(report)) == set(SECTIONS)


def test_throughput_covers_both_networks_in_both_dtypes(report):
    """Four rows; positive speeds; the ratio is Solver over PyTorch; and the two trained the same
    network: their minibatch losses agree to the precision of the dtype."""
    rows = tables(report)["Training throughput"]
    assert {(r["network"], r["dtype"]) for r in rows} == {
        (n, d) for n in ("64-100-10", "3072-512-10") for d in ("float32", "float64")}
    for r in rows:
        solver, pytorch = number(r["Solver (samples/s)"]), number(r["PyTorch (samples/s)"])
        assert solver > 0 and pytorch > 0 and number(r["iterations"]) >= 1
        assert number(r["ratio"]) == pytest.approx(solver / pytorch, rel=0.05, abs=0.01)
        assert number(r["loss gap"]) < (1e-4 if r["dtype"] == "float32" else 1e-10), r


def test_gradient_check_cost_grows_with_the_parameters(report):
    rows = tables(report)["Gradient-check cost"]
    params = [number(r["parameters"]) for r in rows]
    assert len(rows) >= 2 and params == sorted(params) and len(set(params)) == len(params)
    assert all(number(r["numerical gradient (s)"]) > 0 and number(r["measured / predicted"]) > 0 for r in rows)


def test_batchnorm_backward_rows_agree_with_the_reference(report):
    rows = tables(report)["Batch-norm backward"]
    assert [r["backward"].split()[0] for r in rows] == ["batchnorm_backward", "batchnorm_backward_alt", "PyTorch"]
    assert number(rows[0]["speed-up"]) == 1.0
    assert all(number(r["ms per call"]) > 0 and number(r["dx gap"]) < 1e-9 for r in rows)
