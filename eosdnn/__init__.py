"""eosdnn: plan DNN inference offloading in local-edge-cloud systems."""

import os
import sys
from pathlib import Path

__version__ = "0.1.0"


def numba_cache_dir() -> Path:
    """Where numba keeps eosdnn's compiled kernels: the user's cache folder, never the source tree
    (a read-only install or a shared checkout must not be written to). `NUMBA_CACHE_DIR` overrides."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "eosdnn" / "numba"


# Before numba is first imported (it reads the variable once); a user's own setting wins.
if "numba" not in sys.modules:
    os.environ.setdefault("NUMBA_CACHE_DIR", str(numba_cache_dir()))
