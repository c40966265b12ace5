"""The session-wide log leak check must actually catch a leak when there is one."""

from __future__ import annotations

from tests.plugins.log_secrets import leaks, secrets_used_by_the_suite


def test_the_leak_check_knows_the_seeded_tokens_and_declared_secrets() -> None:
    used = secrets_used_by_the_suite()
    assert "ghp_maintainer_token" in used
    assert "whsec-do-not-print-7731" in used or len(used) > 6


def test_a_line_with_a_token_or_a_private_key_is_reported() -> None:
    text = (
        '{"event": "clone", "url": "http://x:ghp_maintainer_token@host/repo.git"}\n'
        '{"event": "ok"}\n'
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n"
    )
    found = leaks(text, {"ghp_maintainer_token"})
    assert len(found) == 2
    assert "clone" in found[0]


def test_redacted_output_passes() -> None:
    assert leaks('{"event": "clone", "url": "http://x:[REDACTED]@host"}', {"ghp_x_token"}) == []
