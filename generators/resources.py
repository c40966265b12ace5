"""Where the project's data lives: every template under `templates/`, examples under `specs/`.

One place computes it, so moving the data (or packaging it) is one change. The bot reads
templates from the checkout it is installed from, which is why installs are editable.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"
SPECS_DIR = PROJECT_ROOT / "specs"


def templates(kind: str) -> Path:
    """The template directory of one kind: service, issue, pipeline or scaffold."""
    return TEMPLATES_DIR / kind
