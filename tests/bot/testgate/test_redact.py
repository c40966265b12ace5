"""Known secrets are masked in every encoding a test could print them in; hostile text is cheap."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import quote, quote_plus

import pytest

from bot.observability import redact, register_secret, secret_forms
from bot.testgate import Redactor

SECRET = "whsec-Zq8+/x?&=tail-0042"
redactor = Redactor(secrets=[SECRET])


@pytest.mark.parametrize("prefix", [b"", b"a", b"ab", b"abc"])
@pytest.mark.parametrize("suffix", [b"", b"!", b"!!"])
@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
def test_base64_of_a_secret_is_masked_at_any_alignment(
    prefix: bytes, suffix: bytes, encode: object
) -> None:
    blob = encode(prefix + SECRET.encode() + suffix).decode()  # type: ignore[operator]
    text = redactor(f"E   AssertionError: {blob} != 'x'")
    assert blob not in text and "[REDACTED]" in text
    # What is left of the blob is only the few characters that encode the prefix and suffix.
    left = text.split("AssertionError: ")[1].split(" != ")[0].split("[REDACTED]")
    assert len(left) == 2 and all(len(part) <= 8 for part in left)


def test_hex_and_url_encoded_forms_are_masked() -> None:
    raw = SECRET.encode()
    for form in (raw.hex(), raw.hex().upper(), binascii.hexlify(raw).decode(),
                 quote(SECRET, safe=""), quote_plus(SECRET), quote(SECRET)):  # fmt: skip
        assert form not in redactor(f"value={form!r} in the log"), form


def test_a_pem_key_printed_as_a_repr_is_masked() -> None:
    body = "MIIEowIBAAKCAQEAx1234567890abcdef"
    key = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
    text = Redactor(secrets=[key])(f"config = {{'k': {key!r}}}")
    assert body not in text


def test_registered_secrets_are_masked_in_logs_in_their_encoded_forms_too() -> None:
    secret = "registered-secret-for-logs-5150"
    register_secret(secret)
    encoded = base64.b64encode(b"user:" + secret.encode()).decode()
    assert secret[3:-3] not in redact(f"Authorization: Basic {encoded}")
    assert secret.encode().hex() not in redact(f"dump {secret.encode().hex()}")


def test_short_values_are_not_shredded_in_their_encodings() -> None:
    assert secret_forms("abcd") == {"abcd"}
    assert Redactor(secrets=["abcd"])("YWJjZA== 61626364") == "YWJjZA== 61626364"


def test_sensitive_assignments_in_every_notation() -> None:
    text = redactor(
        'password="a\\"b" \'api_key\': \'k1\' {"client_secret": "s3"} TOKEN=t0k&x=1 '
        "db_password: unquoted-value, note='fine'"
    )
    for leaked in ('a\\"b', "k1", "s3", "t0k", "unquoted-value"):
        assert leaked not in text, leaked
    assert "note='fine'" in text and "x=1" in text


def test_an_unclosed_quote_masks_to_the_end_of_the_line() -> None:
    assert redactor('password="never-closed rest\nnext line') == 'password="[REDACTED]\nnext line'


@pytest.mark.parametrize(
    "hostile",
    [
        'password="' + "\\" * 40,  # the 42-second input
        'password="' + "\\" * 200_000,
        "my-password-" * 20_000,
        "eyJ-" * 50_000,
        "xoxb-" * 40_000,
        "authorization:" + " " * 100_000,
        "a://b:" * 30_000,
    ],
)
def test_hostile_inputs_are_redacted_without_backtracking_blowup(hostile: str) -> None:
    """Would take minutes to years with the old patterns; each now costs one linear pass.

    (No time is asserted here: `bench/adversarial.py` prints the figures.)
    """
    out = redactor(hostile)
    assert len(out) <= len(hostile) + 10 * len("[REDACTED]") or "[REDACTED]" in out


def test_a_secret_cut_by_the_output_limit_is_not_half_quoted() -> None:
    from bot.testgate.runner import keep_end

    text = "x" * 50 + SECRET + "\n" + "tail line\n"
    kept = keep_end(text, len(text) - 55)  # the cut falls inside the secret
    assert kept == "tail line\n"
    assert keep_end("short\n", 100) == "short\n"


def test_a_secret_that_overlaps_a_key_header_cannot_leave_the_key_body_visible() -> None:
    """Values and shapes are found on the same text: masking one never hides the other."""
    header = "-----BEGIN PRIVATE KEY-----"
    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"
    text = f"oops {header}\n{body} (truncated"
    redact = Redactor(secrets=[header])  # e.g. a registered value that is just the header
    out = redact(text)
    assert body not in out and header not in out
    assert out.startswith("oops ")
