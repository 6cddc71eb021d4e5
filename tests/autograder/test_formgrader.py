"""Does nbgrader's formgrader serve what `grade` records, in a real Jupyter server and a real browser?

Each server runs in a course folder holding the course's nbgrader_config.py, with a PATH that lacks
the virtual environment's tools, as `.venv/bin/jupyter lab` has when the venv is not activated:
the config must make nbgrader find `alembic` itself. The browser is Debian's chromium
(`make install-test` installs it) driven by Playwright, headless.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from playwright.sync_api import expect, sync_playwright

from autograder import cli, gradebook
from autograder.notebook import REPO_ROOT
from autograder.samples import build

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
TOKEN = "formgrader-test-token"
STUDENT, ASSIGNMENT, NOTEBOOK = "carol", "03_optimizers", "optimizers"


def path_without_venv():
    """PATH less the virtual environment's tools (where `alembic` lives), as when it is not activated."""
    venv_bin = Path(sys.executable).parent.resolve()
    path = os.pathsep.join(d for d in os.environ.get("PATH", "").split(os.pathsep)
                           if d and Path(d).resolve() != venv_bin)
    assert shutil.which("alembic", path=path) is None, "an alembic outside the venv is on PATH: cannot test"
    return path


def course_folder(folder):
    """A course folder as the repository is one: its nbgrader_config.py, and the source notebooks."""
    folder.mkdir(exist_ok=True)
    shutil.copy(REPO_ROOT / "nbgrader_config.py", folder)
    (folder / "solutions").symlink_to(REPO_ROOT / "solutions")
    return folder


def get(url):
    """(HTTP status, body) of a GET with the server's token."""
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


@contextmanager
def jupyter_server(course):
    """A Jupyter server (nbgrader's extensions included) for `course`, started there -> its base URL.
    It runs in its own process group, stopped with the whole group however the test ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (course / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "server", "--no-browser", "--allow-root", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={course}"],
        cwd=course, env=dict(os.environ, PATH=path_without_venv()), stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, f"the server stopped: {(course / 'server.log').read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"the server did not answer: {(course / 'server.log').read_text()}"
            try:
                if get(f"{base}/api/status")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One server for a course folder without a gradebook: its first formgrader requests make the gradebook,
    then `grade` grades carol's 03_optimizers (inline questions answered) into it ->
    (course folder, server URL, {endpoint: HTTP status and body of the first requests}, Health made)."""
    course = course_folder(tmp_path_factory.mktemp("formgrader") / "course")
    shutil.copytree(build.SUBMITTED / STUDENT / ASSIGNMENT, course / "submitted" / STUDENT / ASSIGNMENT)
    with jupyter_server(course) as base:
        first = {endpoint: get(f"{base}/formgrader/api/{endpoint}") for endpoint in ("assignments", "students")}
        made = gradebook.diagnose(f"sqlite:///{course / 'gradebook.db'}")
        assert cli.main(["grade", str(course / "submitted"), "--out", str(course / "out"), "--jobs", "1",
                         "--timeout", "5", "--no-progress"]) == 0
        yield course, base, first, made


@pytest.fixture
def chromium():
    """Playwright's Chromium, launched from Debian's package (Playwright's own browser downloads cannot work)."""
    if not CHROMIUM.exists():
        pytest.fail(f"Debian's chromium is not installed ({CHROMIUM}): run `make install-test` as root, "
                    "or `apt-get install chromium`", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_formgrader_makes_a_whole_gradebook_without_the_venv_on_path(served):
    """The first formgrader requests make the gradebook: they answer 200 (not 500) and leave it stamped."""
    course, _, first, made = served
    for endpoint, (status, _) in first.items():
        assert status == 200, f"/formgrader/api/{endpoint}: HTTP {status}; the server's log ends with\n" + \
            (course / "server.log").read_text()[-2500:]
    assert made.state == "ok", made.found


def test_a_manual_grade_entered_in_formgrader_reaches_the_gradebook(served, chromium, tmp_path):
    """Manual Grading -> the assignment -> the notebook -> the submission shows the inline question with
    its score box; a score typed there is saved, and the gradebook holds it."""
    course, base, _, _ = served
    page = chromium.new_page()
    page.goto(f"{base}/formgrader?token={TOKEN}")  # as the address the server prints, then /formgrader
    page.get_by_role("link", name="Manual Grading").click()
    page.get_by_role("link", name=ASSIGNMENT).click()
    page.get_by_role("link", name=NOTEBOOK, exact=True).click()
    page.get_by_role("link", name="Submission #1").click()
    box = page.locator("input.score#inline_question_1")
    expect(box).to_have_class(re.compile(r"\bneeds_manual_grade\b"))  # once formgrader has loaded its grades
    expect(page.get_by_text(f"{STUDENT}'s answer to this question.").first).to_be_visible()
    with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT") as saved:
        box.fill("1.5")
        box.press("Tab")
    assert saved.value.status == 200, saved.value.text()
    box.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "formgrader.png"))
    with closing(Gradebook(f"sqlite:///{course / 'gradebook.db'}")) as gb:
        grade = gb.find_grade("inline_question_1", NOTEBOOK, ASSIGNMENT, STUDENT)
        assert (grade.manual_score, grade.needs_manual_grade) == (1.5, False)
