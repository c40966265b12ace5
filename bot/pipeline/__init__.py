"""The run pipeline: an approved entity request becomes a tested, linked pull request.

``Orchestrator`` is the Python API; ``bot.events.jobs.run_implement`` is the queue's entry.
"""

from bot.pipeline.model import STEP_NAMES, FeatureResult, RunResult
from bot.pipeline.orchestrator import Orchestrator, repo_from_path

__all__ = ["STEP_NAMES", "FeatureResult", "Orchestrator", "RunResult", "repo_from_path"]
