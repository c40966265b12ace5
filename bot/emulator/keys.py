"""RSA keys for Apps seeded without one: generated on first use, not at start.

Generating a 2048-bit key and importing ``cryptography`` cost the emulator's start several
hundred milliseconds on a loaded machine, yet most sessions never sign an App JWT.
"""

from __future__ import annotations

from functools import cache


def generate_key_pair() -> tuple[str, str]:
    """A fresh RSA key pair (private PEM, public PEM) for an app that brought none."""
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: PLC0415

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@cache
def shared_key_pair() -> tuple[str, str]:
    """One generated pair per process: RSA generation is slow and tests start many emulators."""
    return generate_key_pair()


def public_from_private(private_pem: str) -> str:
    """The public PEM matching a private key."""
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
