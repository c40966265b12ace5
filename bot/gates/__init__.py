"""Merge gates: a pure risk decision over fetched PR facts, and the executor that applies it.

Pure parts are exported here; the executor (``bot.gates.merge.evaluate_pull``) is imported
from its module so loading the decision never pulls in GitHub, git or lock backends.
"""

from bot.gates.risk import (
    ChangedFile,
    CheckResult,
    Decision,
    GateInputs,
    Outcome,
    RuleResult,
    decide,
)
from bot.gates.spec_change import SpecChange, classify_spec_change

__all__ = [
    "ChangedFile",
    "CheckResult",
    "Decision",
    "GateInputs",
    "Outcome",
    "RuleResult",
    "SpecChange",
    "classify_spec_change",
    "decide",
]
