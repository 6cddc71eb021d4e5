#!/bin/sh
# Set up the course in .venv beside this file: the pinned packages, this folder as a package
# (cs231n_utils and the check command), and JupyterLab with only the parts of nbgrader students use.
# Run it once, from anywhere: ./install.sh (or PYTHON=/path/to/python3.11 ./install.sh).
# Running it again changes nothing that is already in place.
set -eu
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3.11}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv || {
    echo "error: could not make a virtual environment with '$PYTHON': install Python 3.11 (and its venv" >&2
    echo "       module: python3.11-venv on Debian or Ubuntu), or name it: PYTHON=/path/to/python3.11 ./install.sh" >&2
    exit 1; }
fi
.venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || {
  echo "error: .venv is not Python 3.11 ($(.venv/bin/python --version 2>&1)): delete the .venv folder and" >&2
  echo "       run ./install.sh again, with PYTHON=/path/to/python3.11 when python3.11 is not on your PATH" >&2
  exit 1; }
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
# JupyterLab's settings for this environment (jupyter-config/ mirrors .venv/etc/jupyter/): nbgrader's
# Assignment List, Course List, Formgrader and Create Assignment, and the Nbgrader menu that opens
# them, are switched off, pages and server endpoints alike. They are the instructors' tools or need
# a course exchange, which this course does not use. The Validate button stays.
mkdir -p .venv/etc/jupyter/labconfig
cp jupyter-config/labconfig/page_config.json .venv/etc/jupyter/labconfig/page_config.json
cp jupyter-config/jupyter_server_config.json .venv/etc/jupyter/jupyter_server_config.json
echo
echo "Ready. Open the notebooks with: .venv/bin/jupyter lab"
echo "Check a notebook at once with:  .venv/bin/python -m autograder.check assignments/<id>/<notebook>.ipynb"
