"""eosdnn: plan DNN inference offloading in local-edge-cloud systems."""

__version__ = "0.1.0"

# Before numba is first imported: the compiled kernels' cache folder (never the source tree).
from eosdnn.framework import kernel_cache as _kernel_cache  # noqa: E402,F401
