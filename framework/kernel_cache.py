"""Where numba keeps eosdnn's compiled kernels, decided once per process before numba is imported
(numba reads NUMBA_CACHE_DIR once). `KERNEL_CACHE` tells the kernels whether to cache at all."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from eosdnn.framework.folders import can_create_in


def _writable_folder(folder: Path) -> bool:
    """Whether `folder` exists or can be made, and a file can be created in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return can_create_in(folder)


def numba_cache_dir() -> Path | None:
    """Where numba keeps eosdnn's compiled kernels: the first writable of `NUMBA_CACHE_DIR`, the
    user's cache folder (XDG_CACHE_HOME or ~/.cache) and a per-user temporary folder; None when
    none is writable. Never the source tree: numba's own fallback when its folder is unwritable
    writes into the installation, so an unwritable choice is skipped here, not handed to numba."""
    candidates = []
    if os.environ.get("NUMBA_CACHE_DIR"):
        candidates.append(Path(os.environ["NUMBA_CACHE_DIR"]))
    if os.environ.get("XDG_CACHE_HOME"):
        candidates.append(Path(os.environ["XDG_CACHE_HOME"]) / "eosdnn" / "numba")
    try:
        candidates.append(Path.home() / ".cache" / "eosdnn" / "numba")
    except (RuntimeError, KeyError):  # no home folder
        pass
    uid = os.getuid() if hasattr(os, "getuid") else 0
    candidates.append(Path(tempfile.gettempdir()) / f"eosdnn-numba-{uid}")
    return next((folder for folder in candidates if _writable_folder(folder)), None)


# Numba reads NUMBA_CACHE_DIR once, when it is imported; where it already was (a script that imports
# numba before eosdnn), its config is set instead, which its cache locator reads when a kernel is
# first compiled. KERNEL_CACHE is False when no folder is writable: the kernels are then compiled in
# every process, never cached beside the source.
_cache = numba_cache_dir()
if _cache is not None:
    os.environ["NUMBA_CACHE_DIR"] = str(_cache)
    if "numba" in sys.modules:
        sys.modules["numba"].config.CACHE_DIR = str(_cache)
KERNEL_CACHE = _cache is not None
