"""Which issuebot a scaffolded repository runs: one pinned pip requirement (pure).

The scaffolded workflows install exactly this requirement, so a repository keeps running the
version that scaffolded it until `issuebot init --upgrade` moves it. The project's home is
named here and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from bot.config import BOT_SOURCE_PATTERN
from bot.errors import UsageError

PROJECT_URL = "https://github.com/issuebot/issuebot"
"""Where issuebot's source and release tags (`v<version>`) live: the default bot source."""

PACKAGE = "issuebot"
_URL_SCHEMES = ("git+https", "git+ssh", "git+file", "https", "file")
_ARCHIVES = (".whl", ".tar.gz", ".zip")
_TAG = re.compile(r"@v?(?P<version>[0-9][A-Za-z0-9.+!_-]*)$")
_URL_CHARS = re.compile(r"[A-Za-z0-9._~:/?#\[\]@!&()*+,;=%-]+")
_COMMIT = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class BotPin:
    """The version whose templates a repository has, and the requirement its workflows install."""

    version: str
    source: str


def running_version() -> str:
    """The installed issuebot's version, from package metadata (as `issuebot --version`)."""
    return metadata.version(PACKAGE)


def default_source(version: str) -> str:
    """The project's own repository at the release tag `v<version>`."""
    return f"{PACKAGE} @ git+{PROJECT_URL}@v{version}"


def pin_for(version: str, source: str | None = None) -> BotPin:
    """The pin a scaffold of ``version`` writes: ``source`` (already parsed) or the default."""
    return BotPin(version, source or default_source(version))


def parse_bot_source(text: str, *, cwd: Path | None = None) -> str:
    """Normalise a `--bot-source` value to the pinned requirement the workflows install.

    Accepts `issuebot @ URL`, a bare URL (a git URL must end in `@<tag>`; an https or file URL
    must name a wheel or sdist), `issuebot==X.Y.Z`, or the path of a local wheel (made an
    absolute `file://` URL). Anything unpinned or ambiguous is a usage error, never a guess.
    """
    value = text.strip()
    named = re.fullmatch(rf"{PACKAGE}\s*@\s*(?P<url>\S+)", value, flags=re.IGNORECASE)
    if named:
        return _checked(_url_source(named["url"]), text)
    if "://" in value or value.startswith("git+"):
        return _checked(_url_source(value), text)
    if value.endswith(_ARCHIVES):
        path = (cwd or Path.cwd()) / value
        if not path.is_file():
            raise UsageError(f"--bot-source {text!r}: no such file")
        return _checked(_url_source(path.resolve().as_uri()), text)
    if value.lower().startswith(PACKAGE):
        return _checked(_index_source(value), text)
    raise UsageError(
        f"--bot-source {text!r} is not a pinned requirement: use a git URL with a tag "
        f"(git+{PROJECT_URL}@vX.Y.Z), a wheel URL or path, or {PACKAGE}==X.Y.Z"
    )


def _url_source(url: str) -> str:
    if not _URL_CHARS.fullmatch(url):
        raise UsageError(
            f"--bot-source {url!r}: only URL characters are allowed (no spaces or quotes)"
        )
    parts = urlsplit(url)
    if parts.scheme not in _URL_SCHEMES:
        raise UsageError(f"--bot-source {url!r}: the URL scheme must be one of {_URL_SCHEMES}")
    if parts.scheme.startswith("git+"):
        ref = parts.path.rsplit("/", 1)[-1].rpartition("@")[2] if "@" in parts.path else ""
        if not (_TAG.search("@" + ref) or _COMMIT.fullmatch(ref)):
            raise UsageError(
                f"--bot-source {url!r}: pin the git URL to a release tag (…@vX.Y.Z) or a "
                "commit SHA; a branch moves under you"
            )
    elif not parts.path.endswith(_ARCHIVES):
        raise UsageError(f"--bot-source {url!r}: an https or file URL must name a wheel")
    return f"{PACKAGE} @ {url}"


def _index_source(value: str) -> str:
    try:
        requirement = Requirement(value)
    except InvalidRequirement as exc:
        raise UsageError(f"--bot-source {value!r} is not a requirement: {exc}") from exc
    specs = list(requirement.specifier)
    if len(specs) != 1 or specs[0].operator != "==" or "*" in specs[0].version:
        raise UsageError(f"--bot-source {value!r}: pin one version ({PACKAGE}==X.Y.Z)")
    return f"{PACKAGE}=={specs[0].version}"


def _checked(source: str, given: str) -> str:
    if not re.fullmatch(BOT_SOURCE_PATTERN, source):
        raise UsageError(
            f"--bot-source {given!r}: only URL characters are allowed (no spaces or quotes)"
        )
    return source


def source_version(source: str) -> str | None:
    """The issuebot version a requirement pins, when it says (tag, wheel name or `==`)."""
    if source.startswith(f"{PACKAGE}=="):
        return source.removeprefix(f"{PACKAGE}==")
    url = source.removeprefix(f"{PACKAGE} @ ")
    path = urlsplit(url).path
    if url.startswith("git+"):
        tag = _TAG.search(path)
        return tag["version"] if tag else None
    if path.endswith(".whl"):
        try:
            return str(parse_wheel_filename(path.rsplit("/", 1)[-1])[1])
        except InvalidWheelFilename:
            return None
    return None


def upgraded_source(recorded: str | None, version: str) -> str:
    """The requirement that moves ``recorded`` to ``version``; never guesses a wheel's URL.

    No record (a scaffold older than pinning) means the project's default. A git URL keeps its
    repository (a fork or mirror stays one) and moves to the tag `v<version>`; an index pin
    moves its `==`. A wheel already of ``version`` stays; another wheel is a usage error.
    """
    if recorded is None:
        return default_source(version)
    if source_version(recorded) == version:
        return recorded
    if recorded.startswith(f"{PACKAGE}=="):
        return f"{PACKAGE}=={version}"
    url = recorded.removeprefix(f"{PACKAGE} @ ")
    if url.startswith("git+") and _TAG.search(url):
        return f"{PACKAGE} @ " + _TAG.sub(f"@v{version}", url)
    raise UsageError(
        f"the recorded bot source {recorded!r} is not a git tag issuebot can move; "
        f"pass --bot-source with issuebot {version}'s wheel (or a git URL with its tag)"
    )


def mismatch_note(pin: BotPin) -> str | None:
    """A warning when the pinned requirement names another version than the scaffold's."""
    pinned = source_version(pin.source)
    if pinned is None or pinned == pin.version:
        return None
    return (
        f"note: the bot source pins issuebot {pinned}, but this scaffold is {pin.version}'s; "
        f"run `issuebot init --upgrade` with issuebot {pinned} to match them"
    )
