"""Signals and the process environment (issue 19), in real processes (SIGTERM during one search
is in test_contracts.py): a signal during work on workers saves a document, workers never outlive
their coordinator and leak nothing, and a bad environment (numba's threads, matplotlib's backend, an unwritable cache or
home, a full standard output, a deleted working directory) is one error line or a quiet fallback,
never a traceback and never a file in the installation."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
TINY = ('seed = 3\n[environment.clients]\ncount = 1\n[environment.edge]\ncount = 1\n'
        '[environment.cloud]\ncount = 1\n[[tasks]]\nmodel = "alexnet"\ncount = 2\n')


def eosdnn(*args: str, env: dict | None = None, cwd: str | Path | None = None, **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "eosdnn", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})}, cwd=cwd, **options)


def processes_marked(marker: str) -> list[int]:
    """Live processes whose environment holds `marker` (the coordinator's workers inherit it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                status = (entry / "status").read_text()
                if "State:\tZ" not in status:
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def wait_gone(marker: str, seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = processes_marked(marker)
        if not alive:
            return []
        time.sleep(0.2)
    return processes_marked(marker)


def wait_for_workers(marker: str, count: int, seconds: float = 60.0) -> None:
    """Until the coordinator and `count` workers run (so that the signal lands during the work)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(processes_marked(marker)) < count + 1:
        time.sleep(0.2)
    time.sleep(1.0)


@pytest.mark.parametrize("number, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_compare_on_workers_saves_a_document_and_stops_every_worker(number, code, tmp_path):
    marker = f"EOSDNN_TEST_{uuid.uuid4().hex}"
    out = tmp_path / "compare.json"
    process = eosdnn("compare", "--solvers", "greedy,psoga", "--seeds", "2", "--workers", "2",
                     "--iterations", "1000000", "--json", str(out), env={marker: "1"})
    wait_for_workers(marker, 2)
    process.send_signal(number)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert len(stderr.splitlines()) == 1 and stderr.startswith("error: "), stderr
    assert "resource_tracker" not in stderr and "Traceback" not in stderr
    assert json.loads(out.read_text())["status"] == "interrupted"
    assert wait_gone(marker, 3.0) == []


def test_workers_die_with_a_killed_coordinator(tmp_path):
    marker = f"EOSDNN_TEST_{uuid.uuid4().hex}"
    process = eosdnn("compare", "--solvers", "psoga", "--seeds", "2", "--workers", "2", "--iterations", "1000000",
                     env={marker: "1"})
    wait_for_workers(marker, 2)
    process.kill()
    process.communicate(timeout=30)
    assert wait_gone(marker, 3.0) == []


def test_ctrl_c_during_reproduce_is_one_line(tmp_path):
    process = eosdnn("reproduce", "fig16", "--seeds", "1", "--out", str(tmp_path / "r"), "--workers", "1")
    time.sleep(6.0)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)  # fig16 at the paper's settings runs for minutes
    assert process.returncode == 130 and stderr.splitlines() == ["error: interrupted"], stderr


@pytest.mark.parametrize("variable, value, needle", [
    ("NUMBA_NUM_THREADS", "0", "NUMBA_NUM_THREADS: must be a whole number >= 1"),
    ("NUMBA_NUM_THREADS", "abc", "NUMBA_NUM_THREADS: must be a whole number >= 1"),
    ("EOSDNN_THREADS", "two", "EOSDNN_THREADS: must be a whole number >= 1"),
    ("MPLBACKEND", "bogus", "MPLBACKEND: 'bogus' is not a matplotlib backend"),
])
def test_a_bad_environment_variable_is_one_error_line(variable, value, needle):
    process = eosdnn("solvers", env={variable: value})
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 2 and stderr.splitlines() == [f"error: {stderr[7:].strip()}"]
    assert needle in stderr and stdout == ""


def test_a_full_standard_output_is_one_error_line():
    with open("/dev/full", "w") as full:
        process = subprocess.run([sys.executable, "-m", "eosdnn", "solvers"], stdout=full, stderr=subprocess.PIPE,
                                 text=True, timeout=60)
    assert process.returncode == 2
    assert process.stderr.splitlines() == ["error: standard output: cannot be written (No space left on device)"]


def test_a_deleted_working_directory_is_one_error_line(tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()

    def enter_and_delete() -> None:  # in the child, before eosdnn starts: its folder is gone
        os.chdir(gone)
        os.rmdir(gone)

    process = eosdnn("evaluate", "--plan", "all-edge", preexec_fn=enter_and_delete)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 2 and len(stderr.splitlines()) == 1 and "working directory" in stderr, stderr


def test_unwritable_caches_never_write_into_the_installation(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o555)
    before = sorted(PACKAGE.rglob("*.nbi"))
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(home / "xdg"), "NUMBA_CACHE_DIR": str(home / "numba"),
           "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(home)], check=True)
    try:
        scenario = tmp_path / "s.toml"
        scenario.write_text(TINY)
        process = eosdnn("evaluate", "--scenario", str(scenario), "--plan", "all-edge", env=env)
        stdout, stderr = process.communicate(timeout=300)
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(home)], check=True)
        home.chmod(0o755)
    assert process.returncode == 0, stderr
    assert sorted(PACKAGE.rglob("*.nbi")) == before  # numba wrote nothing beside the source
    assert list((tmp_path / "tmp").glob("eosdnn-numba-*"))  # it used a temporary cache instead


def test_ctrl_c_on_a_local_dask_sweep_is_one_line_and_resumable(tmp_path):
    pytest.importorskip("distributed")
    marker = f"EOSDNN_TEST_{uuid.uuid4().hex}"
    grid = tmp_path / "grid.toml"
    grid.write_text('name = "d"\nseeds = 4\nbudget = { iterations = 1000000 }\n[scenario]\nmodels = ["alexnet"]\n'
                    '[[solvers]]\nname = "psoga"\n')
    process = eosdnn("sweep", str(grid), "--dask", "local", "--workers", "2", env={marker: "1"})
    wait_for_workers(marker, 2)
    time.sleep(3.0)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.splitlines() == [f"error: interrupted; the runs finished so far are in {tmp_path / 'grid.sqlite'} "
                                   "(a rerun resumes)"]
    assert wait_gone(marker, 10.0) == []
