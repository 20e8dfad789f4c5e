"""mail.message and `message_post`: the chatter, where Bridge tells Odoo users what failed.

`message_post` makes an internal note (`mail.mt_note`) unless told another subtype, as
Odoo 18's `mail.thread.message_post`; `ir.model.data` holds the two subtypes' xml ids,
so a client can create notes for many records at once (`mail.message` create).
"""

from __future__ import annotations

import html
from typing import Any

from sandbox.odoo.exceptions import WrongValue
from sandbox.odoo.methods import Records
from sandbox.odoo.models import invoicing, sale, stock
from sandbox.odoo.registry import Env, Model, fld

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
        "subtype_id": fld("many2one", "Subtype", relation="mail.message.subtype"),
    },
    order="id desc",
)

subtype = Model(
    "mail.message.subtype",
    "Message subtypes",
    {
        "name": fld("char", "Message Type", required=True),
        "internal": fld("boolean", "Internal Only", default=False),
        "sequence": fld("integer", "Sequence", default=1),
    },
    order="sequence, id",
)

model_data = Model(
    "ir.model.data",
    "Model Data",
    {
        "name": fld("char", "External Identifier", required=True),
        "module": fld("char", "Module", required=True),
        "model": fld("char", "Model Name", required=True),
        "res_id": fld("integer", "Record ID"),
    },
    rec_name="name",
    order="module, model, name",
)

#: (xml id, name, internal): the ids a fresh Odoo 18 gives them (mt_comment 1, mt_note 2).
SUBTYPES = (("mt_comment", "Discussions", False), ("mt_note", "Note", True))


def seed(env: Env) -> None:
    ids = env.create(
        "mail.message.subtype",
        [{"name": name, "internal": internal, "sequence": n} for n, (_, name, internal)
         in enumerate(SUBTYPES)],
    )  # fmt: skip
    env.create(
        "ir.model.data",
        [
            {"name": xmlid, "module": "mail", "model": "mail.message.subtype", "res_id": rid}
            for (xmlid, _, _), rid in zip(SUBTYPES, ids, strict=True)
        ],
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
                "subtype_id": kwargs.get("subtype_id") or _note(records.env),
            }
        ],
    )[0]


def _note(env: Env) -> int | bool:
    found = env.search("ir.model.data", [("module", "=", "mail"), ("name", "=", "mt_note")])
    return env.table("ir.model.data")[found[0]]["res_id"] if found else False


for _thread in (sale.order, stock.picking, invoicing.move):
    _thread.method("message_post")(_message_post)

MODELS = [message, subtype, model_data]
