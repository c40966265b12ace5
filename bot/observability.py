"""Structured JSON logs with secret redaction, and the Prometheus metrics, defined once.

Every process (web server, RQ worker, CLI) calls ``configure_logging`` once; structlog and the
stdlib loggers of our libraries (alembic, rq, uvicorn) then share one JSON renderer, and every
record passes the redaction processor first. ``redact`` is also applied by the pipeline to
untrusted text it quotes (test output), so registered secrets never reach an issue comment.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote, quote_plus

import structlog
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.multiprocess import MultiProcessCollector
from pydantic import SecretStr

if TYPE_CHECKING:
    from bot.settings import Settings

REDACTED = "[redacted]"
# Shorter values cannot be kept secret anyway, and masking them would shred every log line.
MIN_SECRET_LENGTH = 4
LOG_FIELDS = ("delivery_id", "run_id", "repo", "issue", "step")

# Shapes of credentials wherever they appear: logs here, untrusted test output in the gate.
# Every pattern is applied to untrusted text, so each is linear-time: repeats are possessive
# or bounded and no two branches match the same characters. Each opens with a literal (the
# boundary is checked by a lookbehind just after it), so `re` skips ahead with a fast string
# search instead of trying every position (`bench/adversarial.py` feeds them 1 MB inputs).
SECRET_SHAPES: tuple[re.Pattern[str], ...] = (
    re.compile(r"gh[pousr]_(?<!\wgh[pousr]_)[A-Za-z0-9]{16,}+\b"),
    re.compile(r"github_pat_(?<!\wgithub_pat_)[A-Za-z0-9_]{20,}+"),
    re.compile(
        r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----.*?(?:-----END [A-Z ]{0,40}PRIVATE KEY-----|\Z)",
        re.S,
    ),
    re.compile(r"eyJ(?<![\w-]eyJ)[\w-]{5,}+\.[\w-]{5,}+\.[\w-]{8,}+"),  # JWTs (App auth)
    re.compile(r"A[KS]IA(?<!\wA[KS]IA)[A-Z0-9]{16}\b"),  # AWS access key ids
    re.compile(r"xox[baprs]-(?<![\w-]xox[baprs]-)[A-Za-z0-9-]{10,}+"),  # Slack tokens
)
# (pattern, replacement, a lowercase word the text must contain for the pattern to matter)
_PATTERNS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(r"(?i)\b(authorization\s*+[:=]\s*+(?:bearer|token|basic)\s++)[^\s'\"]++"),
        r"\1" + REDACTED,
        "authorization",  # case-insensitive patterns get no fast literal search from `re`
    ),
    (re.compile(r"(://[^/\s:@]++:)[^@\s/]++@"), r"\1" + REDACTED + "@", ""),  # URL passwords
)
# Encoded forms are only looked for when the value is long enough not to shred ordinary text.
MIN_ENCODED_LENGTH = 8
_URLSAFE = str.maketrans("+/", "-_")


def _base64_cores(raw: bytes) -> set[str]:
    """The base64 characters that encode ``raw`` whatever its offset (0, 1, 2) in a blob."""
    cores: set[str] = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode().rstrip("=")
        start, end = (8 * offset + 5) // 6, (8 * (offset + len(raw))) // 6
        core = encoded[start:end]
        cores |= {core, core.translate(_URLSAFE)}
    return cores


def secret_forms(value: str) -> set[str]:
    """Every form a secret may take in text: plain, escaped, base64 (std, urlsafe), hex, %XX."""
    forms = {value}
    if len(value) < MIN_ENCODED_LENGTH:
        return forms
    raw = value.encode()
    forms |= {value.replace("\n", "\\n"), raw.hex(), raw.hex().upper()}
    forms |= {quote(value, safe=""), quote_plus(value, safe=""), quote(value)}
    forms |= _base64_cores(raw)
    return {f for f in forms if len(f) >= MIN_SECRET_LENGTH}


def mask_secrets(text: str, values: Iterable[str], mask: str) -> str:
    """``text`` with every occurrence of ``values`` and of ``SECRET_SHAPES`` masked.

    Both are found on the same original text and their spans merged: masking the values
    first would let a value that overlaps a shape (a key's header line, say) break the
    shape's match and leave the rest of the key visible.
    """
    spans: list[tuple[int, int]] = []
    for value in values:
        start = text.find(value)
        while start != -1:
            spans.append((start, start + len(value)))
            start = text.find(value, start + len(value))
    for shape in SECRET_SHAPES:
        spans.extend(match.span() for match in shape.finditer(text))
    if not spans:
        return text
    spans.sort()
    pieces: list[str] = []
    done = 0
    start, end = spans[0]
    for next_start, next_end in spans[1:]:
        if next_start <= end:
            end = max(end, next_end)
            continue
        pieces += [text[done:start], mask]
        done, start, end = end, next_start, next_end
    pieces += [text[done:start], mask, text[end:]]
    return "".join(pieces)


_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_ordered: list[str] = []  # every form of every registered secret, longest first


def register_secret(value: str | SecretStr | None) -> None:
    """Mask this exact value in every log line and in ``redact`` from now on."""
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    if not raw or len(raw) < MIN_SECRET_LENGTH:
        return
    with _secrets_lock:
        # A PEM key is also masked line by line, in case a log splits it.
        parts = {raw, *(ln.strip() for ln in raw.splitlines() if len(ln.strip()) >= 16)}
        for part in parts:
            _secrets.update(secret_forms(part))
        _ordered[:] = sorted(_secrets, key=len, reverse=True)


def register_settings_secrets(settings: Settings) -> None:
    """Register the token, App private key and webhook secret of the running bot."""
    for secret in (settings.github_token, settings.github_app_private_key, settings.webhook_secret):
        register_secret(secret)


def redact(text: str) -> str:
    """``text`` with registered secrets (in any encoding), tokens, keys and URL passwords masked."""
    text = mask_secrets(text, list(_ordered), REDACTED)
    lowered = text.lower()
    for regex, replacement, needle in _PATTERNS:
        if needle in lowered:
            text = regex.sub(replacement, text)
    return text


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact_value(v) for v in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return redact(repr(value))


def redact_processor(_logger: Any, _method: str, event_dict: Any) -> Any:
    """structlog processor: redact every value of the event, nested ones too."""
    return {k: _redact_value(v) for k, v in event_dict.items()}


_HANDLER_NAME = "issuebot"


def _redact_arg(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class _RedactingRecordFactory:
    """Masks every stdlib record at birth, so no handler (pytest's, uvicorn's) sees a secret."""

    def __init__(self, inner: Callable[..., logging.LogRecord]) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {k: _redact_arg(v) for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redact_arg(a) for a in record.args)
        if record.exc_info and record.exc_info[0] is not None:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = redact(text)
        return record


def install_record_redaction() -> None:
    """Wrap the process's LogRecord factory once (idempotent)."""
    current = logging.getLogRecordFactory()
    if not isinstance(current, _RedactingRecordFactory):
        logging.setLogRecordFactory(_RedactingRecordFactory(current))


# Libraries whose routine chatter (alembic's "Context impl", urllib3's retries, uvicorn's
# lifecycle and access lines) only matters when debugging.
CHATTY_LOGGERS = (
    "alembic",
    "urllib3",
    "github",
    "uvicorn",
    "uvicorn.access",
    "uvicorn.error",
    "rq",
)


def configure_logging(
    *, json_output: bool | None = True, level: str = "INFO", stream: TextIO | None = None
) -> logging.Handler:
    """Route structlog and stdlib logging through redaction into one JSON (or console) stream.

    ``json_output=None`` picks by the stream: text for a terminal, JSON for anything else.
    """
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    install_record_redaction()
    # Redact before the event becomes a stdlib record: every handler then gets masked data.
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.format_exc_info,
            redact_processor,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    out = stream if stream is not None else sys.stderr
    if json_output is None:
        json_output = not (hasattr(out, "isatty") and out.isatty())
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json_output
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_processor,
            renderer,
        ],
    )
    handler = logging.StreamHandler(out)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    quiet = logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
    return handler


def get_logger(name: str = "issuebot") -> Any:
    """A structlog logger; log snake_case event names with keyword fields."""
    return structlog.get_logger(name)


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Bind ``delivery_id``/``run_id``/``repo``/``issue``/``step`` to every log line inside."""
    bound = {k: v for k, v in fields.items() if v is not None}
    with structlog.contextvars.bound_contextvars(**bound):
        yield


# Metrics, the one place they are defined (`deploy/alerts.yml` and its test use these names).
# Worker processes: RQ runs every job in a forked work horse that exits after it, so its
# samples would die with it; the standard answer is prometheus_client's multiprocess mode:
# set PROMETHEUS_MULTIPROC_DIR (an empty directory shared by the processes of one host,
# wiped before start) and every process writes its samples there, aggregated at scrape time.
REGISTRY = CollectorRegistry()
DELIVERIES_TOTAL = Counter(
    "issuebot_deliveries", "Webhook deliveries by event and outcome.", ["event", "outcome"],
    registry=REGISTRY,
)  # fmt: skip
RUNS_TOTAL = Counter("issuebot_runs", "Finished runs by outcome.", ["outcome"], registry=REGISTRY)
RUN_FAILURES = Counter(
    "issuebot_run_failures", "Failed runs by failure kind (the error taxonomy's kind).",
    ["kind"], registry=REGISTRY,
)  # fmt: skip
STEP_DURATION = Histogram(
    "issuebot_step_duration_seconds", "Duration of pipeline steps.", ["step"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900), registry=REGISTRY,
)  # fmt: skip
QUEUE_DEPTH = Gauge(
    "issuebot_queue_depth", "Jobs waiting in the queue.", registry=REGISTRY,
    multiprocess_mode="livemostrecent",
)  # fmt: skip
GITHUB_REQUESTS = Counter(
    "issuebot_github_requests",
    "GitHub API operations by operation and status (ok, the HTTP status of a failure, or "
    "unreachable).", ["operation", "status"], registry=REGISTRY,
)  # fmt: skip
GITHUB_RATE_REMAINING = Gauge(
    "issuebot_github_rate_limit_remaining",
    "Requests left in the rate-limit window, from GitHub's last X-RateLimit-Remaining header.",
    registry=REGISTRY, multiprocess_mode="mostrecent",
)  # fmt: skip
GATE_DECISIONS = Counter(
    "issuebot_gate_decisions", "Merge-gate decisions the bot acted on, by outcome.",
    ["outcome"], registry=REGISTRY,
)  # fmt: skip
GATE_RULES = Counter(
    "issuebot_gate_rules", "Rule verdicts of the merge-gate decisions, by rule and status.",
    ["rule", "status"], registry=REGISTRY,
)  # fmt: skip


def observe_github(operation: str, status: str, rate_remaining: int | None) -> None:
    """Count one GitHub operation; keep the rate-limit headroom its answer reported."""
    GITHUB_REQUESTS.labels(operation=operation, status=status).inc()
    if rate_remaining is not None:
        GITHUB_RATE_REMAINING.set(rate_remaining)


def observe_gate(outcome: str, rules: Iterable[tuple[str, str]]) -> None:
    """Count a merge-gate decision and each (rule, status) verdict it was made of."""
    GATE_DECISIONS.labels(outcome=outcome).inc()
    for rule, status in rules:
        GATE_RULES.labels(rule=rule, status=status).inc()


# Collectors computed at scrape time by the process that serves /metrics (the run store's
# view: active runs, stuck runs, open incidents), see `bot.server.metrics`.
SCRAPE_TIME = CollectorRegistry(auto_describe=True)


def metrics_registry() -> CollectorRegistry:
    """The registry to expose: this process's, or all processes' in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


def render_metrics() -> tuple[bytes, str]:
    """Body and content type for a ``GET /metrics`` answer."""
    return generate_latest(metrics_registry()) + generate_latest(SCRAPE_TIME), CONTENT_TYPE_LATEST


def serve_metrics(port: int, addr: str = "0.0.0.0") -> None:  # noqa: S104 - scraped by Prometheus
    """Expose metrics over HTTP from a worker process (a background thread)."""
    start_http_server(port, addr=addr, registry=metrics_registry())
