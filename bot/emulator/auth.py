"""Who is calling: tokens (PAT, installation), App JWTs (RS256) and HTTP Basic for git."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime, timedelta

from bot.emulator.state import App, InstallationToken, Store
from bot.emulator.web import DOCS, ApiError, Identity

INSTALLATION_TOKEN_TTL = timedelta(hours=1)


def bad_credentials() -> ApiError:
    """GitHub's answer to an unknown, revoked or expired token."""
    return ApiError(401, "Bad credentials", documentation_url=DOCS)


def _looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("eyJ")


def verify_app_jwt(store: Store, token: str) -> App:
    """The app whose key signed ``token`` (``iss`` = app id), or 401 as GitHub answers."""
    import jwt  # noqa: PLC0415 - only App callers need it; it slows every emulator start

    try:
        claims = jwt.decode(token, options={"verify_signature": False})
        app = store.apps.get(int(str(claims.get("iss"))))
    except (jwt.PyJWTError, ValueError) as exc:
        raise ApiError(401, "A JSON web token could not be decoded") from exc
    if app is None:
        raise ApiError(401, f"Integration not found: {claims.get('iss')}")
    try:
        jwt.decode(
            token,
            app.verifying_key(),
            algorithms=["RS256"],
            options={"require": ["iat", "exp", "iss"]},
            leeway=60,
        )
    except jwt.ExpiredSignatureError as exc:
        raise ApiError(
            401, "'Expiration time' claim ('exp') must be a numeric value representing the future"
        ) from exc
    except jwt.PyJWTError as exc:
        raise ApiError(401, "A JSON web token could not be decoded") from exc
    return app


def token_identity(store: Store, token: str, scheme: str) -> Identity:
    """Resolve a bearer/token credential to an identity, or raise 401."""
    login = store.tokens.get(token)
    if login is not None:
        return Identity(login=login, token_key=token)
    minted = store.install_tokens.get(token)
    if minted is not None:
        if minted.expires_at <= datetime.now(UTC):
            raise bad_credentials()
        return Identity(login=minted.login, token_key=token, installation=True)
    if scheme == "bearer" and _looks_like_jwt(token):
        app = verify_app_jwt(store, token)
        return Identity(login=None, app_id=app.id, token_key=f"app:{app.id}")
    raise bad_credentials()


def resolve(store: Store, authorization: str | None) -> Identity:
    """The caller named by an ``Authorization`` header (absent means anonymous)."""
    if not authorization:
        return Identity(login=None)
    scheme, _, credential = authorization.strip().partition(" ")
    scheme = scheme.lower()
    credential = credential.strip()
    if scheme in {"token", "bearer"} and credential:
        return token_identity(store, credential, scheme)
    if scheme == "basic" and credential:
        try:
            decoded = base64.b64decode(credential).decode()
        except ValueError as exc:
            raise bad_credentials() from exc
        _user, _, password = decoded.partition(":")
        return token_identity(store, password, "basic")
    raise bad_credentials()


def mint_installation_token(store: Store, app: App) -> InstallationToken:
    """A fresh one-hour token acting as the app's bot user."""
    return mint_token_for(store, app.bot_login)


def mint_token_for(store: Store, bot_login: str) -> InstallationToken:
    """A fresh one-hour installation token (``ghs_``) acting as the bot user ``bot_login``."""
    minted = InstallationToken(
        token=f"ghs_{secrets.token_hex(18)}",
        login=bot_login,
        expires_at=datetime.now(UTC).replace(microsecond=0) + INSTALLATION_TOKEN_TTL,
    )
    with store.lock:
        store.install_tokens[minted.token] = minted
    return minted
