"""Write the service's OpenAPI document where `npm run types` reads it (run from ui/).

The UI's typed client is derived from this file at build time, so the pages and the API
cannot drift apart: a renamed route or field fails `tsc`, not a user.
"""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.main import app  # noqa: E402  (the service root must be importable first)


def main(target: str) -> None:
    """Dump `app.openapi()` with sorted keys: the same service gives the same bytes."""
    path = pathlib.Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "openapi/openapi.json")
