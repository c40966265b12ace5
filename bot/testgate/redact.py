"""Scrub test output before anyone sees it: tokens, keys, and values of sensitive fields.

Test output is untrusted text that may echo request bodies, environment or URLs, so the
diagnosis comment quotes it only through here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.observability import SECRET_SHAPES

MASK = "[REDACTED]"

_URL_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^\s:/@]*):(?P<pw>[^\s@/]+)@")
_AUTH_HEADER = re.compile(r"(?i)(authorization\s*[:=]\s*)(?:basic|bearer|token)?\s*[^\s'\",]+")
_NAME_HINTS = r"password|passwd|secret|token|api[_-]?key|private[_-]?key|credential"


def _field_patterns(key: str, flags: int = 0) -> list[re.Pattern[str]]:
    """Patterns for a value assigned to a key matching the regex ``key``, in common notations."""
    return [
        # "name": "value"  /  'name': 'value'  (JSON, repr of dicts)
        re.compile(rf"""(?P<k>["']{key}["']\s*:\s*)(?P<q>["'])(?:\\.|(?!(?P=q)).)*(?P=q)""", flags),
        # name='value'  /  name="value"  (repr of objects, kwargs)
        re.compile(rf"""(?P<k>\b{key}\s*[=:]\s*)(?P<q>["'])(?:\\.|(?!(?P=q)).)*(?P=q)""", flags),
        # name=value  (query strings, env, log lines)
        re.compile(rf"""(?P<k>\b{key}\s*[=:]\s*)(?P<q>)[^\s,;&'"}}\])]+""", flags),
    ]


class Redactor:
    """Redacts known secret shapes, explicit secret values and sensitive field values."""

    def __init__(self, secrets: Iterable[str] = (), sensitive_fields: Iterable[str] = ()):
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)
        self._fields = [
            p for name in sensitive_fields if name for p in _field_patterns(re.escape(name))
        ]

    def __call__(self, text: str) -> str:
        """Return ``text`` with every secret and sensitive value replaced by a mask."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        for pattern in SECRET_SHAPES:
            text = pattern.sub(MASK, text)
        text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
        text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{MASK}", text)
        for pattern in [*self._fields, *_SECRET_ASSIGNMENTS]:
            text = pattern.sub(_keep_key, text)
        return text


_SECRET_ASSIGNMENTS = _field_patterns(rf"[\w-]*(?:{_NAME_HINTS})[\w-]*", re.IGNORECASE)


def _keep_key(match: re.Match[str]) -> str:
    quote = match.group("q") or ""
    return f"{match.group('k')}{quote}{MASK}{quote}"
