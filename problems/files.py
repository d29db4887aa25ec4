"""The one home of file input and output: reading text and JSON with one-line errors that name the
file, checking output paths before any work starts, and writing atomically (a temporary file in the
same folder, then a rename), so that a failed write never destroys a user's existing file."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from eosdnn.framework.errors import EosdnnError


def read_text(path: str | Path, what: str) -> str:
    """The file's UTF-8 text, or an EosdnnError naming `what` and the path."""
    path = Path(path)
    label = f"{what} {str(path)!r}"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EosdnnError(f"{label}: not found") from None
    except IsADirectoryError:
        raise EosdnnError(f"{label}: is a directory, not a file") from None
    except UnicodeDecodeError as error:
        raise EosdnnError(f"{label}: not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise EosdnnError(f"{label}: cannot be read ({error.strerror or error})") from None


def read_json(path: str | Path, what: str) -> Any:
    """The parsed document, or an EosdnnError naming `what` and the path."""
    text = read_text(path, what)
    label = f"{what} {str(path)!r}"
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise EosdnnError(f"{label}: invalid JSON ({error.msg} at line {error.lineno})") from None
    except RecursionError:
        raise EosdnnError(f"{label}: nested too deeply to read") from None


def finite_json(data: Any) -> Any:
    """`data` with every NaN or infinite float replaced by None: standard JSON has neither."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: finite_json(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [finite_json(value) for value in data]
    if hasattr(data, "item") and callable(data.item):  # numpy scalars
        return finite_json(data.item())
    return data


def json_text(data: Any) -> str:
    return json.dumps(finite_json(data), indent=1, allow_nan=False) + "\n"


def _mode_for(path: Path) -> int:
    """The permissions a new file would get (the existing file's, or 0o666 less the umask)."""
    if path.exists():
        return path.stat().st_mode & 0o7777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomically(path: str | Path, write: Callable[[str], None]) -> None:
    """Let `write(temporary_path)` produce the file, then move it over `path` in one step."""
    path = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix or ".tmp",
                                             dir=path.parent if str(path.parent) else ".")
    except OSError as error:
        raise EosdnnError(f"output {str(path)!r}: cannot be written ({error.strerror or error})") from None
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except OSError as error:
        raise EosdnnError(f"output {str(path)!r}: cannot be written ({error.strerror or error})") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_text(path: str | Path, text: str) -> None:
    """Write `text` to `path` atomically."""
    def write(temporary: str) -> None:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    write_atomically(path, write)


def write_json(path: str | Path, data: Any) -> None:
    """Write `data` as standard JSON (no NaN or Infinity), atomically."""
    write_text(path, json_text(data))


def check_output(path: str | Path, flag: str, inputs: Iterable[str | Path | None] = (),
                 suffixes: Iterable[str] | None = None) -> None:
    """Refuse, before any work, an output path that cannot be written or that is one of the inputs."""
    target = Path(path)
    if str(path).strip() == "":
        raise EosdnnError(f"{flag}: empty path")
    if target.is_dir():
        raise EosdnnError(f"{flag} {str(path)!r}: is a directory")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise EosdnnError(f"{flag} {str(path)!r}: folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise EosdnnError(f"{flag} {str(path)!r}: not writable")
    if suffixes is not None:
        allowed = sorted(suffixes)
        if target.suffix.lower().lstrip(".") not in allowed:
            raise EosdnnError(f"{flag} {str(path)!r}: unknown file type {target.suffix or '(none)'!r} "
                              f"(expected one of {', '.join('.' + s for s in allowed)})")
    for source in inputs:
        if source and target.exists() and Path(source).exists() and os.path.samefile(target, source):
            raise EosdnnError(f"{flag} {str(path)!r}: is one of the command's input files")
