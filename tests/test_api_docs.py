"""docs/API.md runs as written, in order, in one namespace; what it shows is what the command line
shows (the same plan figures and schedule), and the names it uses are exported from `eosdnn`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import eosdnn

DOC = Path(__file__).resolve().parent.parent / "docs" / "API.md"


@pytest.fixture(scope="module")
def namespace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("api")
    here = Path.cwd()
    names: dict = {}
    try:
        import os
        os.chdir(folder)
        for block in re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S):
            exec(compile(block, str(DOC), "exec"), names)
    finally:
        os.chdir(here)
    names["folder"] = folder
    return names


def test_the_examples_run_and_their_figures_are_the_evaluators(namespace):
    problem, result = namespace["problem"], namespace["result"]
    assert result.value == pytest.approx(float(problem.evaluate(result.x[None, :])[0]), rel=1e-12)
    plan = namespace["plan"]
    assert plan.completion.sum() == pytest.approx(result.report.total, rel=1e-12)
    rows = namespace["rows"]
    assert len(rows) == problem.n_var and rows[0]["node"] == namespace["names"][0][0]
    assert (namespace["folder"] / "plan.png").stat().st_size > 10_000
    assert namespace["exact"].bound <= namespace["exact"].value


def test_every_name_the_page_imports_is_exported_and_documented():
    imported = set()
    for line in re.findall(r"from eosdnn import ([^\n]+(?:\\\n[^\n]+)*)", DOC.read_text()):
        imported |= {name.strip() for name in line.replace("\\", "").replace("\n", "").split(",") if name.strip()}
    assert imported and imported <= set(eosdnn.__all__)
    for name in imported:
        assert getattr(eosdnn, name).__doc__, name


def test_importing_eosdnn_alone_loads_no_compiled_code():
    code = "import sys, eosdnn; print('numba' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
