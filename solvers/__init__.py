"""eosdnn.solvers: migration solvers and uploading planners, registered by name.

`SOLVERS` (`eosdnn.solvers.registry`) holds every migration solver: each module of this package
registers its own when imported, and the package imports every module it holds (found on disk, not
listed by hand), so a new solver module needs no edit here. `SOLVERS.create(name, **params)` builds
one. Uploading planners live in `eosdnn.solvers.upload` (`PLANNERS`); `plan_upload(name,
upload_problem)` returns a timed plan.
"""

import importlib
import pkgutil

from eosdnn.solvers.registry import SOLVERS

for _module in pkgutil.iter_modules(__path__):  # registration: every module registers its solvers
    importlib.import_module(f"{__name__}.{_module.name}")

from eosdnn.solvers.upload import PLANNERS, plan_upload  # noqa: E402

__all__ = ["PLANNERS", "SOLVERS", "plan_upload"]
