"""Magento's asynchronous bulk API for products, processed by a background thread.

`POST /rest[/<store>]/async/bulk/V1/products` takes a list of `{"product": {...}}` and answers
202 with `{"bulk_uuid", "request_items": [{"id", "data_hash", "status": "accepted"}],
"errors": false}` at once (`WebapiAsync\\Model\\MassSchedule`); more than 5,000 items is refused
with 'Maximum items of type "%type" is %max' (`Webapi\\Validator\\EntityArrayValidator`, its
DEFAULT_ASYNC_INPUT_ARRAY_SIZE_LIMIT). After `delay` seconds a thread runs each operation as one
product save (`AsynchronousOperations\\Model\\OperationProcessor`): status 1 (complete, result
"Service execution success ...::save"), or 3 (not retriably failed) with the save's rendered
message and error code 0. Operations not run yet are 4 (open). Status constants are
`Framework\\Bulk\\OperationInterface`: 1 complete, 2 retriably failed, 3 not retriably failed,
4 open, 5 rejected.

`GET /V1/bulk/{uuid}/status` answers the short summary, `.../detailed-status` the full
operations (topic, serialized data, result), `.../operation-status/{status}` a count; an unknown
uuid is 404 "Bulk uuid %bulkUuid not exist" (`AsynchronousOperations\\Model\\BulkStatus`).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from functools import partial
from typing import Any

from sandbox.magento.catalog import Catalog, CatalogError
from sandbox.magento.store import MagentoStore

COMPLETE, RETRIABLY_FAILED, NOT_RETRIABLY_FAILED, OPEN, REJECTED = 1, 2, 3, 4, 5
MAX_ITEMS = 5000
TOPIC = "async.magento.catalog.api.productrepositoryinterface.save.post"
SUCCESS = "Service execution success Magento\\Catalog\\Model\\ProductRepository\\Interceptor::save"
PRODUCT_TYPE = "\\Magento\\Catalog\\Api\\Data\\ProductInterface"
DEFAULT_DELAY_S = 0.2


def _with_outcome(
    position: int, op_id: Any, outcome: dict[str, Any], bulk: dict[str, Any]
) -> dict[str, Any]:
    """The bulk with operation `op_id` (expected at `position`) updated; nothing edited in place."""
    operations = list(bulk["operations"])
    if position < len(operations) and operations[position]["id"] == op_id:
        targets = [position]
    else:
        targets = [i for i, op in enumerate(operations) if op["id"] == op_id]
    for i in targets:
        operations[i] = {**operations[i], **outcome}
    return {**bulk, "operations": operations}


class Bulks:
    """Schedules bulk product saves and answers their status."""

    def __init__(self, store: MagentoStore, catalog: Catalog, delay: float = DEFAULT_DELAY_S):
        self.store = store
        self.catalog = catalog
        self.delay = delay

    def schedule(self, body: Any, store_code: str) -> dict[str, Any]:
        if not isinstance(body, list):
            raise CatalogError(400, "Decoding error: %1", ["Syntax error"])
        if len(body) > MAX_ITEMS:
            raise CatalogError(
                400,
                'Maximum items of type "%type" is %max',
                {"type": PRODUCT_TYPE, "max": MAX_ITEMS},
            )
        bulk_id = str(uuid.uuid4())
        request_items, operations = [], []
        for index, item in enumerate(body):
            serialized = json.dumps(item, separators=(",", ":"))
            data_hash = hashlib.sha256(serialized.encode()).hexdigest()
            if not isinstance(item, dict) or not isinstance(item.get("product"), dict):
                request_items.append(
                    {
                        "id": index,
                        "data_hash": data_hash,
                        "status": "rejected",
                        "error_message": '"product" is required. Enter and try again.',
                    }
                )
                continue
            request_items.append({"id": index, "data_hash": data_hash, "status": "accepted"})
            operations.append(
                {
                    "id": index,
                    "bulk_uuid": bulk_id,
                    "topic_name": TOPIC,
                    "serialized_data": json.dumps(
                        {"entity_id": None, "entity_link": "", "meta_information": serialized}
                    ),
                    "result_serialized_data": None,
                    "status": OPEN,
                    "result_message": None,
                    "error_code": None,
                    "store_code": store_code,
                }
            )
        self.store.put(
            "bulks",
            {
                "bulk_id": bulk_id,
                "description": f"Topic {TOPIC}",
                "start_time": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
                "user_id": 1,
                "user_type": 2,
                "operations": operations,
            },
        )
        timer = threading.Timer(self.delay, self._process, args=(bulk_id,))
        timer.daemon = True
        timer.start()
        errors = any(r["status"] != "accepted" for r in request_items)
        return {"bulk_uuid": bulk_id, "request_items": request_items, "errors": errors}

    def _process(self, bulk_id: str) -> None:
        """Run the operations in order; each outcome is visible to status reads at once.

        The bulk record is swapped for one whose operations list has the outcome at the
        operation's position (the others shared, not copied): a 5,000-item bulk costs
        5,000 saves, not 5,000 copies of itself.
        """
        bulk = self.store.peek("bulks", bulk_id)
        operations = list((bulk or {}).get("operations", []))
        for position, operation in enumerate(operations):
            item = json.loads(json.loads(operation["serialized_data"])["meta_information"])
            try:
                saved = self.catalog.save_product(item)
                outcome = {
                    "status": COMPLETE,
                    "result_message": SUCCESS,
                    "error_code": None,
                    "result_serialized_data": json.dumps(saved),
                }
            except CatalogError as exc:
                outcome = {
                    "status": NOT_RETRIABLY_FAILED,
                    "result_message": exc.rendered,
                    "error_code": 0,
                }
            change = partial(_with_outcome, position, operation["id"], outcome)
            if not self.store.replace("bulks", bulk_id, change):
                return  # the sandbox was reset meanwhile

    # -- status ----------------------------------------------------------------------------------

    def _bulk(self, bulk_id: str) -> dict[str, Any]:
        """The stored bulk itself (read-only): status answers build new dicts from it."""
        bulk = self.store.peek("bulks", bulk_id)
        if bulk is None:
            raise CatalogError(404, "Bulk uuid %bulkUuid not exist", {"bulkUuid": bulk_id})
        return bulk

    def _summary(self, bulk: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "operations_list": operations,
            "user_type": bulk["user_type"],
            "bulk_id": bulk["bulk_id"],
            "description": bulk["description"],
            "start_time": bulk["start_time"],
            "user_id": bulk["user_id"],
            "operation_count": len(bulk["operations"]),
        }

    def status(self, bulk_id: str) -> dict[str, Any]:
        bulk = self._bulk(bulk_id)
        short = [
            {k: op[k] for k in ("id", "status", "result_message", "error_code")}
            for op in bulk["operations"]
        ]
        return self._summary(bulk, short)

    def detailed_status(self, bulk_id: str) -> dict[str, Any]:
        bulk = self._bulk(bulk_id)
        full = [{k: v for k, v in op.items() if k != "store_code"} for op in bulk["operations"]]
        return self._summary(bulk, full)

    def count(self, bulk_id: str, status: int) -> int:
        return sum(op["status"] == status for op in self._bulk(bulk_id)["operations"])
