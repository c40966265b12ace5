"""Whatever arrives (signed by GitHub or not), parsing and routing answer, they never crash."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import RepoConfig
from bot.events.event import BadEventError, Event
from bot.events.router import Intent, prefilter, route
from tests.plugins.github_data import webhook_examples

EVENTS = ("issues", "issue_comment", "pull_request", "check_suite", "workflow_run")
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


def _mutate(payload: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(payload))
    node: Any = data
    for key in path[:-1]:
        if not isinstance(node, dict) or key not in node:
            return data
        node = node[key]
    if isinstance(node, dict) and path:
        node[path[-1]] = value
    return data


PATHS = st.sampled_from(
    [
        ["action"], ["sender"], ["sender", "login"], ["sender", "type"], ["repository"],
        ["issue"], ["issue", "number"], ["issue", "labels"], ["issue", "pull_request"],
        ["comment", "body"], ["comment", "user"], ["label"], ["pull_request", "merged"],
        ["pull_request", "head"], ["check_suite", "pull_requests"], ["workflow_run", "head_sha"],
    ]
)  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(EVENTS),
    index=st.integers(min_value=0, max_value=8),
    path=PATHS,
    value=JSON,
)
def test_a_mangled_payload_is_refused_or_routed_never_a_crash(
    name: str, index: int, path: list[str], value: Any
) -> None:
    examples = webhook_examples()[name]
    data = _mutate(examples[index % len(examples)], path, value)
    try:
        event = Event.from_json(name, "d", json.dumps(data))
    except BadEventError as exc:
        assert exc.message.startswith("payload field")
        return
    intent = route(event, RepoConfig(), bot_login="issuebot[bot]")
    assert isinstance(intent, Intent)
    # The server's cheap pre-check never drops an event the router would act on.
    assert prefilter(event, bot_login="issuebot[bot]") is None or intent.kind == "ignore"
