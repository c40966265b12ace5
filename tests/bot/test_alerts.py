"""`deploy/alerts.yml` alerts on what the bot really exports, and is a valid rules file.

The names are cross-checked against the live registry (and the run-store collector), so a
renamed metric breaks this test rather than silently muting an alert. With `promtool` on the
PATH (Debian/Ubuntu: `apt install prometheus`) the file is also checked by Prometheus's own
parser and its unit tests (`deploy/alerts.test.yml`) must pass; without it, the structure of
the rules file is checked here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.observability import REGISTRY
from bot.server.metrics import RunStoreCollector
from bot.store import RunStore

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ALERTS = DEPLOY / "alerts.yml"
METRIC = re.compile(r"\bissuebot_[a-z0-9_]+")
DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
RULE_KEYS = {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"),
            "gauge": ("",), "summary": ("_count", "_sum", "")}  # fmt: skip


def _rules() -> list[dict[str, Any]]:
    data = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    return [rule for group in data["groups"] for rule in group["rules"]]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every series name the bot's /metrics can carry."""
    store = RunStore.open(f"sqlite:///{tmp_path_factory.mktemp('alerts') / 'runs.db'}")
    try:
        families = [*REGISTRY.collect(), *RunStoreCollector(store).collect()]
    finally:
        store.close()
    return {f.name + suffix for f in families for suffix in SUFFIXES[f.type]}


def test_every_rule_names_only_metrics_the_bot_exports(exported: set[str]) -> None:
    for rule in _rules():
        names = set(METRIC.findall(rule["expr"]))
        assert names, f"{rule['alert']} watches no issuebot metric"
        assert names <= exported, f"{rule['alert']}: not exported: {sorted(names - exported)}"
    # the unit tests feed the same series the bot exports
    tests = yaml.safe_load((DEPLOY / "alerts.test.yml").read_text(encoding="utf-8"))
    fed = {METRIC.match(s["series"]).group() for t in tests["tests"]  # type: ignore[union-attr]
           for s in t["input_series"]}  # fmt: skip
    assert fed <= exported


def test_the_operator_is_alerted_to_failures_stuck_runs_rate_limits_and_incidents() -> None:
    watched = " ".join(rule["expr"] for rule in _rules())
    needed = ("issuebot_runs_total", "issuebot_oldest_active_run_age_seconds",
              "issuebot_github_rate_limit_remaining", "issuebot_incident_severity")  # fmt: skip
    assert all(metric in watched for metric in needed)


def test_the_rules_file_has_the_structure_prometheus_reads() -> None:
    data = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    assert set(data) == {"groups"}
    names: list[str] = []
    for group in data["groups"]:
        assert isinstance(group["name"], str) and group["rules"]
        for rule in group["rules"]:
            assert set(rule) <= RULE_KEYS and {"alert", "expr"} <= set(rule), rule
            assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", rule["alert"])
            assert DURATION.match(str(rule.get("for", "0s"))), rule["alert"]
            assert rule["labels"]["severity"] in {"warning", "critical"}
            assert {"summary", "description"} <= set(rule["annotations"])
            assert rule["expr"].count("(") == rule["expr"].count(")")
            names.append(rule["alert"])
    assert len(names) == len(set(names)), "alert names must be unique"


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_rules_and_their_unit_tests_pass() -> None:
    for args in (["check", "rules", "alerts.yml"], ["test", "rules", "alerts.test.yml"]):
        result = subprocess.run(["promtool", *args], cwd=DEPLOY, capture_output=True,
                                text=True, timeout=60, check=False)  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
