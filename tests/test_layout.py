"""The repository layout: folders `framework/`, `problems/`, `operators/`, `solvers/` are the packages
`eosdnn.framework` ... (pyproject's package-dir). Guard rails: the layers import only downwards, no
code imports a folder by its bare name (that loads a second copy of the module), the wheel holds every
package folder, and numba's cache is kept outside the source tree."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"framework": "framework", "problems": "problems", "operators": "operators", "solvers": "solvers",
          "eosdnn": "eosdnn"}
# what each layer may import from eosdnn: the generic machinery knows nothing of DNNs; problems are
# built on it; operators act on genes; solvers use all three; the application (eosdnn/) uses everything
ALLOWED = {
    "framework": {"framework"},
    "problems": {"framework", "problems"},
    "operators": {"framework", "operators"},
    "solvers": {"framework", "problems", "operators", "solvers"},
}
BARE = {"framework", "problems", "operators", "solvers"}


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


MODULE_NAME = re.compile(r"eosdnn(\.\w+)+")


def is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def imported_modules(path: Path) -> list[str]:
    """Every module the file imports: by an import statement (nested ones included), or by name in a
    string (`importlib.import_module("eosdnn.solvers")`, a registry's `builtins=("eosdnn.x",)`), which
    an import statement check alone would not see."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and MODULE_NAME.fullmatch(node.value) \
                and is_module(node.value):  # an entry-point group such as "eosdnn.planners" is no module
            names.append(node.value)
    return names


def eosdnn_layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "eosdnn":
        return None
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else "eosdnn"


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_below_it(layer):
    offences = []
    for path in python_files(LAYERS[layer]):
        for module in imported_modules(path):
            target = eosdnn_layer(module)
            if target is not None and target not in ALLOWED[layer]:
                offences.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not offences, "\n".join(offences)


def test_the_layer_check_sees_imports_by_string(tmp_path):
    """The check fails on a framework module that loads a higher layer by name (as the framework's
    registry once loaded `eosdnn.solvers`)."""
    probe = tmp_path / "probe.py"
    probe.write_text('import importlib\nREGISTRY_BUILTINS = ("eosdnn.solvers",)\nimportlib.import_module("eosdnn.problems")\n')
    found = [layer for layer in map(eosdnn_layer, imported_modules(probe)) if layer is not None]
    assert found == ["solvers", "problems"] and not {"solvers", "problems"} <= ALLOWED["framework"]


def test_no_code_imports_a_package_folder_by_its_bare_name():
    """`from problems.schedule import ...` works from the repository root but loads a second copy of the
    module (its EosdnnError is not the CLI's): code imports `eosdnn.problems...`."""
    folders = [*LAYERS.values(), "tests", "bench"]
    offences = [f"{path.relative_to(ROOT)} imports {module}" for path in python_files(*folders)
                for module in imported_modules(path) if module.split(".")[0] in BARE]
    assert not offences, "\n".join(offences)


def package_folders() -> dict[str, Path]:
    """Every folder of the mapped sources that holds Python modules, by its package name."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    roots = {name: ROOT / folder for name, folder in config["package-dir"].items() if "." not in name or
             name.count(".") == 1}
    found = {}
    for name, folder in roots.items():
        for init in folder.rglob("__init__.py"):
            relative = init.parent.relative_to(folder)
            package = ".".join([name, *relative.parts]) if relative.parts else name
            found[package] = init.parent
    return found


def test_pyproject_lists_every_package_folder():
    """A new sub-package would import in the editable install and be missing from the wheel."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    assert set(package_folders()) == listed


@pytest.mark.skipif(os.environ.get("EOSDNN_SKIP_WHEEL") == "1", reason="EOSDNN_SKIP_WHEEL=1")
def test_the_wheel_holds_every_module_of_every_package_folder(tmp_path):
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                            "-q", "-w", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(tmp_path.glob("eosdnn-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"{package.replace('.', '/')}/{module.name}" for package, folder in package_folders().items()
                for module in folder.glob("*.py")}
    assert expected - names == set()


def test_numba_keeps_its_cache_outside_the_source_tree(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    env.pop("NUMBA_CACHE_DIR", None)
    probe = ("import eosdnn.problems.schedule, numba; print(numba.config.CACHE_DIR)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert Path(out.stdout.strip()) == tmp_path / "eosdnn" / "numba"


def package_view(root: Path) -> Path:
    """The package as users import it: `eosdnn/` with the mapped folders linked in (the source tree's
    folder names are not the package names, so a type checker cannot read it in place)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    view = root / "eosdnn"
    view.mkdir()
    for item in (ROOT / "eosdnn").iterdir():
        if item.name != "__pycache__":
            (view / item.name).symlink_to(item)
    for name, folder in config.items():
        parts = name.split(".")
        if len(parts) == 2 and not (view / parts[1]).exists():
            (view / parts[1]).symlink_to(ROOT / folder)
    return root


def test_the_type_checker_passes_over_the_package_as_users_import_it(tmp_path):
    pytest.importorskip("mypy")
    view = package_view(tmp_path)
    check = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                            "--cache-dir", str(tmp_path / ".mypy_cache"), "eosdnn"],
                           cwd=view, capture_output=True, text=True, timeout=600)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-1000:]
