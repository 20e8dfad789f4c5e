"""Outside evidence: real recorded Magento answers and Adobe's REST schema, when present.

They are not part of the repository (a clone has none of them). Tests whose point is
the evidence carry `@pytest.mark.evidence` and skip with `SKIP_REASON` when it is absent;
everything else runs on the project's own seed. `.ci/run` sets BRIDGE_REQUIRE_EVIDENCE=1,
which turns that skip into a failure, so CI notices when the group did not run.

Where: BRIDGE_MAGENTO_FIXTURES, else `../shared/fixtures/magento` beside the repository.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from sandbox.magento.seed.recordings import (
    ENV_VAR,
    RECORDINGS,
    RecordingsMissing,
    default_root,
    fixtures_root,
)

SCHEMA_FILE = "adobedocs-commerce-webapi/src/openapi/admin-schema-2.4.9.swagger.json"
TUTORIALS = "adobedocs-commerce-webapi/tutorial-examples"
REQUIRED = os.environ.get("BRIDGE_REQUIRE_EVIDENCE", "").lower() in ("1", "true", "yes")
SKIP_REASON = (
    f"outside evidence absent: no Magento recordings / Adobe schema (set {ENV_VAR}, or put "
    f"them in {default_root()})"
)


def available() -> bool:
    try:
        root = fixtures_root()
    except RecordingsMissing:
        return False
    return (root / SCHEMA_FILE).is_file()


def root() -> Path:
    """The fixtures directory; only call it from a test marked `evidence`."""
    return fixtures_root()


def recorded(relative: str) -> dict[str, Any]:
    """The response of one recorded interaction, e.g. `import_sale_order_9/00_get_orders_9.json`."""
    return json.loads((root() / RECORDINGS / relative).read_text())["response"]


def recordings_dir() -> Path:
    return root() / RECORDINGS


def recorded_order(increment_id: str) -> dict[str, Any]:
    """The first recorded `GET orders/{id}` answer (in path order) of one increment id."""
    for path in sorted(recordings_dir().glob("import_sale_order_*/*_get_orders_*.json")):
        body = json.loads(path.read_text())["response"]
        if body["increment_id"] == increment_id:
            return body
    raise LookupError(f"no recorded order {increment_id}")


@cache
def schema() -> dict[str, Any]:
    return json.loads((root() / SCHEMA_FILE).read_text())


def tutorial(name: str) -> Any:
    return json.loads((root() / TUTORIALS / f"{name}.json").read_text())["data"]


def check(item: pytest.Item) -> None:
    """Skip (or, when required, fail) an evidence test when the evidence is absent."""
    if item.get_closest_marker("evidence") is None or available():
        return
    if REQUIRED:
        pytest.fail(f"BRIDGE_REQUIRE_EVIDENCE is set but {SKIP_REASON}", pytrace=False)
    pytest.skip(SKIP_REASON)
