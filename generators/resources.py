"""Where the project's data lives: every template under `templates/`, examples under `specs/`.

One place computes it, so moving the data is one change. In a checkout (and an editable
install) they are the top-level `templates/` and `specs/` directories; a built wheel carries
the same trees as package data in `bot/_data/` (copied there by `setup.py`'s build step),
found through `importlib.resources` so an installed bot works from any directory.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _data_root() -> Path:
    """`bot/_data` of an installed wheel, else the checkout this module runs from."""
    packaged = resources.files("bot") / "_data"
    if isinstance(packaged, Path) and (packaged / "templates").is_dir():
        return packaged
    return PROJECT_ROOT


DATA_ROOT = _data_root()
TEMPLATES_DIR = DATA_ROOT / "templates"
SPECS_DIR = DATA_ROOT / "specs"


def templates(kind: str) -> Path:
    """The template directory of one kind: service, issue, pipeline or scaffold."""
    return TEMPLATES_DIR / kind
