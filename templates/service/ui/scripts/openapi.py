"""Write the OpenAPI document where `npm run types` reads it (`npm run openapi`).

The UI's typed client is derived from this file at build time, so the pages and the API
cannot drift apart: a renamed route or field fails `tsc`, not a user.
"""

import importlib
import json
import pathlib
import sys


def main(target: str) -> None:
    """Dump `app.openapi()` with sorted keys: the same service, the same bytes."""
    root = pathlib.Path(__file__).resolve().parents[2]  # the service's root
    sys.path.insert(0, str(root))
    app = importlib.import_module("app.main").app
    document = json.dumps(app.openapi(), indent=2, sort_keys=True)
    path = pathlib.Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document + "\n", encoding="utf-8")
