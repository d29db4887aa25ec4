"""Reading JSON documents with one-line errors that name the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eosdnn.problems.errors import EosdnnError


def read_json(path: str | Path, what: str) -> Any:
    """The parsed document, or an EosdnnError naming `what` and the path."""
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise EosdnnError(f"{what} {str(path)!r}: not found") from None
    except json.JSONDecodeError as error:
        raise EosdnnError(f"{what} {str(path)!r}: invalid JSON ({error.msg} at line {error.lineno})") from None
