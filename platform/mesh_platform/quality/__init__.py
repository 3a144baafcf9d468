"""Quality rules from the contracts, executed: ODCS v3.1.0 ``library`` and ``sql`` rules run with DuckDB.

* :mod:`~mesh_platform.quality.rules` reads the rules of a contract (metric, operator, unit, severity, action);
* :mod:`~mesh_platform.quality.sql` generates (and renders) the SQL that measures them;
* :mod:`~mesh_platform.quality.engine` runs them in a locked-down in-memory DuckDB over a copy of the records;
* :mod:`~mesh_platform.quality.results` keeps what they measured.
"""

from mesh_platform.quality.engine import ObjectData, QualityEngine, RefusedQuery, Sandbox
from mesh_platform.quality.results import QualityResults, QualityRun, RuleResult
from mesh_platform.quality.rules import ContractRules, QualityRule, QualityRuleError, Threshold, rules_of

__all__ = [
    "ContractRules",
    "ObjectData",
    "QualityEngine",
    "QualityResults",
    "QualityRule",
    "QualityRuleError",
    "QualityRun",
    "RefusedQuery",
    "RuleResult",
    "Sandbox",
    "Threshold",
    "rules_of",
]
