"""Whether a file can be made in a folder, by trying: permissions, a read-only mount and an immutable
folder all say no, and root passes permission checks that the file system still refuses."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def can_create_in(folder: str | Path) -> bool:
    """Create and remove a probe file in `folder`; False when either fails."""
    try:
        handle, probe = tempfile.mkstemp(prefix=".eosdnn-probe.", dir=folder)
    except OSError:
        return False
    os.close(handle)
    try:
        os.unlink(probe)
    except OSError:
        pass
    return True
