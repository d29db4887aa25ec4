"""eosdnn: plan DNN inference offloading in local-edge-cloud systems.

The Python API (docs/API.md) is importable from here, `from eosdnn import paper_scenario, solve`;
each name loads its module on first use, so that `import eosdnn` alone stays light."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Budget": "eosdnn.framework", "Result": "eosdnn.framework",
    "Scenario": "eosdnn.problems.scenario", "Task": "eosdnn.problems.scenario",
    "load_scenario": "eosdnn.problems.scenario", "paper_scenario": "eosdnn.problems.scenario",
    "Environment": "eosdnn.problems.environment", "Node": "eosdnn.problems.environment",
    "DnnModel": "eosdnn.problems.models", "Layer": "eosdnn.problems.models", "resolve_model": "eosdnn.problems.models",
    "MigrationProblem": "eosdnn.problems.migration",
    "load_placement": "eosdnn.problems.placement", "save_placement": "eosdnn.problems.placement",
    "SOLVERS": "eosdnn.solvers.registry", "OBJECTIVES": "eosdnn.problems.objectives",
    "UploadProblem": "eosdnn.problems.upload", "plan_upload": "eosdnn.solvers.upload",
    "pareto_front": "eosdnn.solvers.pareto",
    "solve": "eosdnn.api", "schedule_of": "eosdnn.api", "node_names": "eosdnn.api", "plan_table": "eosdnn.api",
    "plot_gantt": "eosdnn.api",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'eosdnn' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
