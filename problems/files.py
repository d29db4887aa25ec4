"""The one home of file input and output.

Reading: only regular files (a FIFO would block, `/dev/zero` would never end) of at most
`MAX_INPUT_BYTES`, with one-line errors that name the file. Writing: `-` is standard output; a
symlink is written through to its target (atomically there, the link kept); a device or a pipe is
written directly; any other path is written atomically (a temporary file in the same folder, then
a rename), so that a failed write never destroys a user's existing file. Output paths are checked
before any work starts."""

from __future__ import annotations

import csv
import io

import json
import math
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from eosdnn.framework.errors import EosdnnError
from eosdnn.framework.folders import can_create_in

MAX_INPUT_BYTES = 64 * 2**20
STDOUT = "-"


def _label(what: str, path: str | Path) -> str:
    return f"{what} {str(path)!r}"


def check_input(path: str | Path, what: str, limit: int = MAX_INPUT_BYTES) -> Path:
    """`path` as a regular, readable file of at most `limit` bytes, or an EosdnnError naming it.
    Checked with stat, which never blocks (opening a FIFO would)."""
    path = Path(path)
    label = _label(what, path)
    if str(path).strip() == "":
        raise EosdnnError(f"{what}: empty path")
    try:
        info = path.stat()
    except FileNotFoundError:
        raise EosdnnError(f"{label}: not found") from None
    except OSError as error:
        raise EosdnnError(f"{label}: cannot be read ({error.strerror or error})") from None
    if stat.S_ISDIR(info.st_mode):
        raise EosdnnError(f"{label}: is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise EosdnnError(f"{label}: not a regular file (a pipe, device or socket cannot be read as input)")
    if info.st_size > limit:
        raise EosdnnError(f"{label}: {info.st_size:,} bytes, above the input limit of {limit:,}")
    if not os.access(path, os.R_OK):
        raise EosdnnError(f"{label}: cannot be read (permission denied)")
    return path


def read_bytes(path: str | Path, what: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The file's bytes (a regular file within `limit`), or an EosdnnError naming `what` and the path."""
    path = check_input(path, what, limit)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise EosdnnError(f"{_label(what, path)}: cannot be read ({error.strerror or error})") from None
    if len(data) > limit:  # grew since the check
        raise EosdnnError(f"{_label(what, path)}: above the input limit of {limit:,} bytes")
    return data


def read_text(path: str | Path, what: str) -> str:
    """The file's UTF-8 text, or an EosdnnError naming `what` and the path."""
    data = read_bytes(path, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise EosdnnError(f"{_label(what, path)}: not UTF-8 text (byte {error.start})") from None


def read_json(path: str | Path, what: str) -> Any:
    """The parsed document, or an EosdnnError naming `what` and the path."""
    text = read_text(path, what)
    label = _label(what, path)
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


def _is_stream(path: Path) -> bool:
    """A character device or a pipe: written directly, never replaced."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def _cannot_write(path: str | Path, error: OSError) -> EosdnnError:
    return EosdnnError(f"output {str(path)!r}: cannot be written ({error.strerror or error})")


def _written_path(path: str | Path) -> Path:
    """Where a write to `path` lands: a symlink's target (the link stays), else the path itself."""
    return Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)


def write_atomically(path: str | Path, write: Callable[[str], None]) -> None:
    """Let `write(temporary_path)` produce the file, then put it at `path`: by a rename in the
    folder of the link's target for a regular file or a symlink, by a copy into a device or pipe."""
    given = path
    path = _written_path(path)
    stream = _is_stream(path)
    folder = tempfile.gettempdir() if stream else (path.parent if str(path.parent) else ".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}."[:100], suffix=path.suffix or ".tmp", dir=folder)
    except OSError as error:
        raise _cannot_write(given, error) from None
    os.close(handle)
    try:
        write(temporary)
        if stream:
            with open(temporary, "rb") as source, open(path, "wb") as target:
                shutil.copyfileobj(source, target)
        else:
            os.chmod(temporary, _mode_for(path))
            os.replace(temporary, path)
    except OSError as error:
        raise _cannot_write(given, error) from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_text(path: str | Path, text: str) -> None:
    """Write `text` to `path` (`-`: standard output) without ever leaving a half-written file."""
    if str(path) == STDOUT:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except OSError as error:
            raise _cannot_write("standard output", error) from None
        return

    def write(temporary: str) -> None:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    write_atomically(path, write)


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """Rows (the first the header) as CSV text: the one CSV writer of every command."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def write_json(path: str | Path, data: Any) -> None:
    """Write `data` as standard JSON (no NaN or Infinity)."""
    write_text(path, json_text(data))


def same_file(first: str | Path, second: str | Path) -> bool:
    """Whether two paths name one file (links followed); a path that does not exist is no other file."""
    try:
        return os.path.samefile(first, second)
    except OSError:
        return os.path.realpath(first) == os.path.realpath(second)


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _can_replace(path: Path) -> bool:
    return not path.exists() or os.access(path, os.W_OK)


def _check_name(path: Path, shown: str, what: str = "file") -> None:
    """Refuse a last path component longer than the file system of its folder allows."""
    folder = path.parent if path.parent.is_dir() else Path(".")
    if len(os.fsencode(path.name)) > _name_max(folder):
        raise EosdnnError(f"{shown}: {what} name longer than the file system allows ({_name_max(folder)} bytes)")


def refuse_inputs(path: str | Path, shown: str, inputs: Iterable[str | Path | None], what: str = "") -> None:
    """Refuse an existing output that is one of the inputs (links followed): the one home of the
    rule "no output overwrites an input"."""
    for source in inputs:
        if source and str(source) != STDOUT and Path(path).exists() and same_file(path, source):
            raise EosdnnError(f"{shown}: is one of the command's input files{what}")


def check_output(path: str | Path, flag: str, inputs: Iterable[str | Path | None] = (),
                 suffixes: Iterable[str] | None = None, stdout: bool = False) -> None:
    """Refuse, before any work, an output path that cannot be written or that is one of the inputs.
    `stdout`: the flag takes `-` for standard output."""
    if str(path) == STDOUT:
        if stdout:
            return
        raise EosdnnError(f"{flag}: cannot write to standard output ('-'); give a file name")
    if str(path).strip() == "":
        raise EosdnnError(f"{flag}: empty path")
    shown = f"{flag} {str(path)!r}"
    _check_name(Path(path), shown)
    try:
        target = _written_path(path)
        is_folder = target.is_dir()
    except OSError as error:
        raise EosdnnError(f"{shown}: cannot be used ({error.strerror or error})") from None
    if is_folder:
        raise EosdnnError(f"{shown}: is a directory")
    if target.exists() and not target.is_file():
        if not _is_stream(target):
            raise EosdnnError(f"{shown}: not a regular file, device or pipe")
        if not os.access(target, os.W_OK):
            raise EosdnnError(f"{shown}: not writable")
        return
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise EosdnnError(f"{shown}: folder {str(folder)!r} does not exist")
    _check_name(target, shown)  # a link's target has a name of its own
    if not can_create_in(folder) or not _can_replace(target):
        raise EosdnnError(f"{shown}: not writable")
    if suffixes is not None:
        allowed = sorted(suffixes)
        if target.suffix.lower().lstrip(".") not in allowed:
            raise EosdnnError(f"{shown}: unknown file type {target.suffix or '(none)'!r} "
                              f"(expected one of {', '.join('.' + s for s in allowed)})")
    refuse_inputs(target, shown, inputs)


def check_folder(path: str | Path, flag: str, files: Iterable[str] = ()) -> None:
    """Refuse, before any work, an output folder that cannot be made or written, or an existing file
    in it (of `files`) that cannot be replaced."""
    if str(path).strip() == "":
        raise EosdnnError(f"{flag}: empty path")
    folder = Path(path)
    shown = f"{flag} {str(path)!r}"
    if folder.exists() and not folder.is_dir():
        raise EosdnnError(f"{shown}: exists and is not a folder")
    existing = folder
    while not existing.exists():
        _check_name(existing, shown, "folder")
        existing = existing.parent
    if not existing.is_dir() or not can_create_in(existing):
        raise EosdnnError(f"{shown}: not writable")
    for name in files:
        if (folder / name).exists():
            check_output(folder / name, f"{flag} ({name})")
