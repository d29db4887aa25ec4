"""The README's examples run as written, in order: its `bash` blocks (commands) and `python` blocks,
in one folder where the files it asks users to save (`toml` and `json` blocks named in the sentence
before them) are saved first. `sh` blocks (installing, the full test suite, long runs, benchmarks)
are shown to users but not run here. Commands run in-process through `eosdnn.cli.main`."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from eosdnn.cli import main
from eosdnn.solvers.registry import SOLVERS
from eosdnn.operators.registry import OPERATORS
from eosdnn.solvers.upload import PLANNERS

README = Path(__file__).resolve().parents[1] / "README.md"
SHARED = Path(__file__).resolve().parents[2] / "shared"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
SAVED_AS = re.compile(r"`([\w.-]+\.(?:toml|json))`")


def blocks() -> list[tuple[str, str, str | None]]:
    """(language, text, file name to save it as) for every fenced block, in order."""
    text = README.read_text()
    found = []
    for match in FENCE.finditer(text):
        language, body = match.group(1), match.group(2)
        before = text[:match.start()].rstrip().splitlines()[-1] if match.start() else ""
        name = None
        first = body.splitlines()[0] if body else ""
        if language == "toml" and re.fullmatch(r"# [\w.-]+\.toml", first):
            name = first[2:]
        elif language in ("toml", "json") and before.endswith(":"):
            names = SAVED_AS.findall(before)
            name = names[-1] if names else None
        found.append((language, body, name))
    return found


def commands(body: str) -> list[str]:
    """The command lines of a bash block, continuation lines joined, comments dropped."""
    joined = body.replace("\\\n", " ")
    lines = []
    for line in joined.splitlines():
        line = line.split(" # ")[0].strip() if not line.lstrip().startswith("#") else ""
        if line:
            lines.append(line)
    return lines


def test_readme_examples_run_as_written(tmp_path, monkeypatch, capsys):
    work = tmp_path / "repo"
    work.mkdir()
    if SHARED.is_dir():
        (tmp_path / "shared").symlink_to(SHARED)
    monkeypatch.chdir(work)
    registered = {registry: set(registry.names()) for registry in (OPERATORS, SOLVERS, PLANNERS)}
    namespace: dict = {}
    ran = 0
    try:
        for language, body, name in blocks():
            if name:
                (work / name).write_text(body)
            elif language == "bash":
                for line in commands(body):
                    words = shlex.split(line)
                    assert words[0] == "eosdnn", f"README command does not start with eosdnn: {line}"
                    if any("../shared" in w for w in words) and not SHARED.is_dir():
                        continue
                    code = main(words[1:])
                    err = capsys.readouterr().err
                    assert code == 0, f"`{line}` exited {code}: {err}"
                    ran += 1
            elif language == "python":
                exec(compile(body, "README.md", "exec"), namespace)  # noqa: S102 (the README's own code)
                ran += 1
    finally:
        for registry, names in registered.items():
            for extra in set(registry.names()) - names:
                registry.unregister(extra)
    assert ran >= 30
    assert os.path.exists(work / "plan.json") and os.path.exists(work / "quick" / "fig15.png")


def test_readme_setup_commands_come_first():
    first = blocks()[0]
    assert first[0] == "sh"
    assert first[1].splitlines() == ['pip install -e . && eosdnn run', 'pip install -e ".[test]" && python -m pytest']


@pytest.mark.parametrize("doc", ["docs/MODEL.md", "docs/FORMATS.md", "docs/CHOICES.md"])
def test_docs_the_readme_cites_ship_in_the_repository(doc):
    assert f"]({doc})" in README.read_text()
    assert (README.parent / doc).is_file()


def test_ci_has_the_paper_dataset_so_no_dataset_test_skips():
    """On a fresh clone the dataset tests skip (the README says so); CI must run them."""
    from conftest import LINBIN

    if os.environ.get("CI") == "true":
        assert LINBIN.is_dir(), f"CI runs with ../shared beside the clone, but {LINBIN} is missing"
        assert sorted(p.name for p in LINBIN.glob("*.csv")) == ["alexnet.csv", "googlenet.csv", "resnet101.csv",
                                                                 "vgg19.csv"]


def test_formats_lists_every_command_the_parser_has():
    import argparse

    from eosdnn.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    table = (README.parent / "docs" / "FORMATS.md").read_text().split("## Commands", 1)[1].split("###", 1)[0]
    for name in commands:
        assert f"`eosdnn {name}" in table, name
    assert "PSO-GA migration plan" not in table  # `run` recommends the best plan, whichever solver found it
