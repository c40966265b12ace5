"""The hard gate: run the target repo's tests, and explain a failure without leaking secrets."""

from bot.testgate.classify import Diagnosis, classify_failure
from bot.testgate.redact import Redactor
from bot.testgate.runner import TestReport, run_tests
from bot.testgate.sandbox import Sandbox, resolve_sandbox
from bot.testgate.venv import Interpreter, interpreter_for

__all__ = [
    "Diagnosis",
    "Interpreter",
    "Redactor",
    "Sandbox",
    "TestReport",
    "classify_failure",
    "interpreter_for",
    "resolve_sandbox",
    "run_tests",
]
