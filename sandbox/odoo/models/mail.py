"""mail.message and `message_post`: the chatter, where Bridge tells Odoo users what failed.

`message_post` makes an internal note (`mail.mt_note`) unless told another subtype, as
Odoo 18's `mail.thread.message_post`; `ir.model.data` holds the two subtypes' xml ids,
so a client can create notes for many records at once (`mail.message` create).

Activities as mail.activity.mixin has them: `activity_schedule` on a recordset makes one
activity per record (type from an xml id, deadline today, user the caller), and
`mail.activity.action_feedback` marks them done: a message on the record, the activity
removed (the To-Do type does not keep done activities).
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
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

activity_type = Model(
    "mail.activity.type",
    "Activity Type",
    {
        "name": fld("char", "Name", required=True),
        "summary": fld("char", "Default Summary"),
        "category": fld(
            "selection",
            "Action",
            selection=("default", "upload_file", "phonecall"),
            default="default",
        ),  # fmt: skip
        "active": fld("boolean", "Active", default=True),
    },
    order="id",
)

activity = Model(
    "mail.activity",
    "Activity",
    {
        "res_model": fld("char", "Related Document Model", required=True),
        "res_id": fld("integer", "Related Document ID", required=True),
        "activity_type_id": fld("many2one", "Activity Type", relation="mail.activity.type"),
        "summary": fld("char", "Summary"),
        "note": fld("html", "Note"),
        "date_deadline": fld("date", "Due Date", required=True),
        "user_id": fld("many2one", "Assigned to", relation="res.users"),
        "automated": fld("boolean", "Automated activity", default=False),
    },
    order="date_deadline asc, id asc",
)

#: (xml id, name, internal): the ids a fresh Odoo 18 gives them (mt_comment 1, mt_note 2).
SUBTYPES = (("mt_comment", "Discussions", False), ("mt_note", "Note", True))
#: (xml id, name) of the activity types Bridge schedules.
ACTIVITY_TYPES = (("mail_activity_data_todo", "To-Do"), ("mail_activity_data_warning", "Exception"))


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
    types = env.create("mail.activity.type", [{"name": name} for _, name in ACTIVITY_TYPES])
    env.create(
        "ir.model.data",
        [
            {"name": xmlid, "module": "mail", "model": "mail.activity.type", "res_id": rid}
            for (xmlid, _), rid in zip(ACTIVITY_TYPES, types, strict=True)
        ],
    )


def _xmlid(env: Env, xmlid: str) -> int | bool:
    module, _, name = xmlid.partition(".")
    found = env.search("ir.model.data", [("module", "=", module), ("name", "=", name)])
    return env.table("ir.model.data")[found[0]]["res_id"] if found else False


def _activity_schedule(
    records: Records,
    act_type_xmlid: str = "",
    date_deadline: str | None = None,
    summary: str = "",
    note: str = "",
    **act_values: Any,
) -> list[int]:
    """mail.activity.mixin.activity_schedule: one activity per record."""
    env = records.env
    type_id = _xmlid(env, act_type_xmlid) if act_type_xmlid else act_values.get("activity_type_id")
    if act_type_xmlid and not type_id:
        type_id = _xmlid(env, "mail.mail_activity_data_todo")
    kind = env.table("mail.activity.type").get(type_id or 0) or {}
    vals_list = []
    for rid in env.existing(records.model, records.ids):
        vals = {
            "activity_type_id": type_id or False,
            "summary": summary or kind.get("summary") or False,
            "automated": True,
            "note": note or False,
            "date_deadline": date_deadline or datetime.now(UTC).strftime("%Y-%m-%d"),
            "res_model": records.model,
            "res_id": rid,
            **act_values,
        }
        vals.setdefault("user_id", env.uid)
        vals_list.append(vals)
    return env.create("mail.activity", vals_list)


@activity.method("action_feedback")
def _action_feedback(records: Records, feedback: Any = False, attachment_ids: Any = None) -> Any:
    """Done: a message on each activity's record, then the activity is removed."""
    env = records.env
    messages = []
    for act in env.ensure("mail.activity", records.ids):
        kind = env.table("mail.activity.type").get(act.get("activity_type_id") or 0) or {}
        done = f"{kind.get('name') or 'Activity'} done: {act.get('summary') or ''}".strip()
        body = f"<p>{html.escape(done)}</p>" + (f"<p>{html.escape(str(feedback))}</p>"
                                                 if feedback else "")  # fmt: skip
        messages += env.create("mail.message", [{
            "model": act["res_model"], "res_id": act["res_id"], "body": body,
            "message_type": "notification", "author_id": 3, "subtype_id": _note(env),
        }])  # fmt: skip
    env.unlink("mail.activity", records.ids)
    return messages[0] if messages else False


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
    _thread.method("activity_schedule")(_activity_schedule)

MODELS = [message, subtype, model_data, activity_type, activity]
