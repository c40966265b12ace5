"""Scrub test output before anyone sees it: tokens, keys, and values of sensitive fields.

Test output is untrusted text that may echo request bodies, environment or URLs, so the
diagnosis comment quotes it only through here. A known secret is masked in every form it
may take (plain, base64 at any alignment, hex, URL-encoded: `secret_forms`), and every
pattern is linear-time on hostile input: bounded or possessive repeats, starts anchored by a
lookbehind, no two branches matching the same text, quoted values scanned to the line end.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.observability import mask_secrets, secret_forms

MASK = "[REDACTED]"
MAX_INPUT = 1_000_000  # the runner keeps 200 kB; longer text keeps its end (the summary)

# Both open with a literal `re` finds by fast search; the scheme before `://` stays as it is.
_URL_USERINFO = re.compile(r"://(?P<user>[^\s:/@]*+):(?P<pw>[^\s@/]++)@")
_AUTH_HEADER = re.compile(
    r"(?i)(authorization\s*+[:=]\s*+)(?:(?:basic|bearer|token)\s++)?[^\s'\",]++"
)
_HINTS = ("password", "passwd", "secret", "token", "api_key", "api-key", "apikey",
          "private_key", "private-key", "privatekey", "credential")  # fmt: skip
_HINT_NEEDLES = ("pass", "secret", "token", "key", "credential")  # each hint contains one
# A key naming a secret: one word (letters, digits, _ and -) of at most 129 characters.
_HINTED_KEY = rf"(?<![\w-])[\w-]{{0,64}}(?:{'|'.join(_HINTS)})[\w-]{{0,64}}+(?![\w-])"


def _field_pattern(key: str, flags: int = 0) -> re.Pattern[str]:
    """A value assigned to a key matching the regex ``key``, in every common notation.

    ``"key": "v"`` (JSON), ``key='v'`` (reprs, kwargs), ``key=v`` (env, query strings); a
    quoted value runs to its closing quote, or to the end of the line when unclosed.
    """
    quoted = r"""(?P<q>["])(?:[^"\\\n]|\\.)*+(?P<c>"?)|(?P<q2>['])(?:[^'\\\n]|\\.)*+(?P<c2>'?)"""
    bare = r"""[^\s,;&'"}\])]++"""
    return re.compile(rf"""(?P<k>(?P<o>["']?){key}(?P=o)\s*+[=:]\s*+)(?:{quoted}|{bare})""", flags)


class Redactor:
    """Redacts known secret shapes, explicit secret values and sensitive field values."""

    def __init__(self, secrets: Iterable[str] = (), sensitive_fields: Iterable[str] = ()):
        forms = {f for s in secrets if s and len(s) >= 4 for f in secret_forms(s)}
        self._secrets = sorted(forms, key=len, reverse=True)
        self._fields = [
            (_field_pattern(rf"\b{re.escape(name)}"), name.lower())
            for name in sensitive_fields
            if name
        ]

    def __call__(self, text: str) -> str:
        """Return ``text`` with every secret and sensitive value replaced by a mask."""
        if len(text) > MAX_INPUT:  # from a line start: a secret cut in half would not match
            text = text[-MAX_INPUT:].partition("\n")[2]
        text = mask_secrets(text, self._secrets, MASK)
        text = _URL_USERINFO.sub(lambda m: f"://{m['user']}:{MASK}@", text)
        # Case-insensitive patterns get no fast literal search: run them only when needed.
        lowered = text.lower()
        if "authorization" in lowered:
            text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{MASK}", text)
        for pattern, needle in self._fields:
            if needle in lowered:
                text = pattern.sub(_keep_key, text)
        if any(needle in lowered for needle in _HINT_NEEDLES):
            text = _SECRET_ASSIGNMENT.sub(_keep_key, text)
        return text


_SECRET_ASSIGNMENT = _field_pattern(_HINTED_KEY, re.IGNORECASE)


def _keep_key(match: re.Match[str]) -> str:
    quote = match.group("q") or match.group("q2") or ""
    closing = match.group("c") or match.group("c2") or ""
    return f"{match.group('k')}{quote}{MASK}{closing}"
