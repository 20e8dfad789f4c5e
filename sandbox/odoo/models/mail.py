"""mail.message and `message_post`: the chatter, where Bridge tells Odoo users what failed."""

from __future__ import annotations

import html
from typing import Any

from sandbox.odoo.exceptions import WrongValue
from sandbox.odoo.methods import Records
from sandbox.odoo.models import invoicing, sale, stock
from sandbox.odoo.registry import Model, fld

message = Model(
    "mail.message",
    "Message",
    {
        "model": fld("char", "Related Document Model"),
        "res_id": fld("integer", "Related Document ID"),
        "body": fld("html", "Contents"),
        "subject": fld("char", "Subject"),
        "message_type": fld(
            "selection",
            "Type",
            selection=("email", "comment", "notification", "user_notification"),
            default="notification",
        ),
        "author_id": fld("many2one", "Author", relation="res.partner"),
    },
    order="id desc",
)


def _message_post(records: Records, **kwargs: Any) -> int:
    """As mail.thread's: one record, keyword arguments only; plain text bodies are escaped."""
    if len(records.ids) != 1:
        raise WrongValue(f"Expected singleton: {records.model}({', '.join(map(str, records.ids))})")
    body = str(kwargs.get("body") or "")
    if body and not body.lstrip().startswith("<"):
        body = f"<p>{html.escape(body)}</p>"
    return records.env.create(
        "mail.message",
        [
            {
                "model": records.model,
                "res_id": records.ids[0],
                "body": body,
                "subject": kwargs.get("subject") or False,
                "message_type": kwargs.get("message_type") or "notification",
                "author_id": 3,
            }
        ],
    )[0]


for _thread in (sale.order, stock.picking, invoicing.move):
    _thread.method("message_post")(_message_post)

MODELS = [message]
