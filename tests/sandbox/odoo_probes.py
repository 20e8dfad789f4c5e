"""Probes of Odoo 18 behaviour that run unchanged against any Odoo over JSON-RPC/XML-RPC.

Each probe creates the records it needs (names carry a per-run token, so a real database
that has seen earlier runs does not disturb it), makes its calls and returns their
*outcomes* with the ids replaced by the labels the probe gave its records: a result
(`["ok", value]`) or a fault (`["fault", name, message]`). The same probe run against
the sandbox and against a real Odoo must give the same outcome; `test_odoo_vs_real.py`
compares them. Only PostgreSQL's own messages are cut to their first line: the real
ones go on with the SQL text around the fault, which the sandbox has no query to show.
"""

from __future__ import annotations

import itertools
import re
import uuid
import xmlrpc.client
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

#: An id no record has on either side (the sandbox's and the real database's).
GONE = 987654321
#: Written to html fields: what Odoo 18 keeps of each is compared (html_sanitize).
HTML_INPUTS = (
    "plain text",
    "<p>Caf&eacute; &amp; cr&egrave;me&nbsp;ok</p>",
    "Line one<br />Line two",
    "<p>Hi</p><style>p{color:red}</style><script>alert(1)</script><iframe src='x'></iframe>",
    '<div data-foo="1" class="c" style="color:red; position:absolute" onclick="x()">d</div>',
    '<p><a href="javascript:alert(1)">x</a> <a href="http://e.com" target="_blank">y</a></p>',
    "<ul><li>a</li><li>b</ul>",
    "<blockquote>quoted</blockquote>",
    "<p>Size\n> 5cm</p>",
    "<html><head><title>t</title></head><body><p>x</p></body></html>",
    "<form><input name='a'><button>b</button></form>",
    "<img src='a.png' alt='A' onerror='x'>",
    "<table><tr><td>1</td></tr></table>",
    "<!-- comment --><p>c</p>",
    "<custom-tag>z</custom-tag>",
    "<svg><circle r='1'/></svg>",
    "   ",
    "<p>a</p>\n<p>b</p>",
    "<div><div>nested</div></div>",
    "<p>© ™ €</p>",
    "<h1 id='t'>T</h1><span title='x' lang='fr'>s</span>",
    "<p>x<p>y",
    "&lt;script&gt;",
    "<b>bold</b> and <i>it</i>",
    "<font color='red'>f</font><center>c</center>",
    "<video src='v.mp4' controls></video>",
    "<p style='font-size:12px;color:blue'>st</p>",
    "<p>Stoneware mug, <strong>300 ml</strong>.</p>\n<ul>\n<li>Dishwasher safe</li>\n</ul>",
    # Magento 2.4 Page Builder and its WYSIWYG editor (media directives in URLs).
    '<style>#html-body [data-pb-style=B7P0LKO]{display:flex}</style><div data-content-type="row"'
    ' data-appearance="contained" data-element="main"><div data-enable-parallax="0" data-pb-style='
    '"B7P0LKO"><div data-content-type="text" data-appearance="default" data-element="main"><p>Foam'
    ' brick</p></div><script>x()</script><iframe src="https://v.test/e"></iframe></div></div>',
    "<p>&bull; Two-tone heather.<br />&bull; Drawstring hood.</p>",
    '<p><img src="{{media url=wysiwyg/a b.jpg}}" alt="A"> <a href=" /x|y^z`" name="n {">l</a></p>',
    "<p><a href='https://x.test/\u00e9?a=1&amp;b=2'>\u00e9</a></p>",
)


class Odoo:
    """Raw JSON-RPC (and XML-RPC) to one Odoo: no Bridge code between the probe and it."""

    def __init__(self, url: str, db: str, login: str, secret: str) -> None:
        self.url = url.rstrip("/")
        self.db = db
        self.secret = secret
        self.session = requests.Session()
        self._ids = itertools.count(1)
        uid = self.rpc("common", "authenticate", db, login, secret, {})
        assert isinstance(uid, int) and uid, f"{url} refused {login!r}"
        self.uid = uid

    def rpc(self, service: str, method: str, *args: Any) -> Any:
        outcome = self.raw(service, method, *args)
        if outcome[0] != "ok":
            raise AssertionError(f"{service}.{method} failed: {outcome}")
        return outcome[1]

    def raw(self, service: str, method: str, *args: Any) -> list[Any]:
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": list(args)},
            "id": next(self._ids),
        }
        resp = self.session.post(f"{self.url}/jsonrpc", json=payload, timeout=60)
        if resp.status_code != 200:
            return ["http", resp.status_code]
        body = resp.json()
        if "error" in body:
            data = body["error"]["data"]
            return ["fault", data["name"], _message(data["name"], data["message"])]
        return ["ok", body.get("result")]

    def call(self, model: str, method: str, *args: Any, **kw: Any) -> list[Any]:
        """One execute_kw, as an outcome."""
        return self.raw(
            "object", "execute_kw", self.db, self.uid, self.secret, model, method, list(args), kw
        )

    def do(self, model: str, method: str, *args: Any, **kw: Any) -> Any:
        """One execute_kw that must succeed (setting the scene)."""
        outcome = self.call(model, method, *args, **kw)
        if outcome[0] != "ok":
            raise AssertionError(f"{model}.{method} failed: {outcome}")
        return outcome[1]

    def xml(self, model: str, method: str, *args: Any) -> list[Any]:
        """One execute_kw over /xmlrpc/2/object: ["ok", value] or ["xmlfault", code, text]."""
        proxy = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/object", allow_none=False)
        try:
            value = proxy.execute_kw(self.db, self.uid, self.secret, model, method, list(args))
        except xmlrpc.client.Fault as fault:
            text = fault.faultString
            if fault.faultCode == 1:  # a traceback: only its last line is Odoo's message
                text = text.strip().splitlines()[-1]
            return ["xmlfault", fault.faultCode, text]
        return ["ok", value]


def _message(name: str, message: str) -> str:
    if name.startswith("psycopg2."):
        return message.splitlines()[0] if message else message
    return message


@dataclass
class Scene:
    """One probe's records: labels for their ids, so outcomes compare across databases."""

    odoo: Odoo
    token: str
    labels: dict[tuple[str, int], str] = field(default_factory=dict)

    def make(self, model: str, label: str, vals: dict[str, Any]) -> int:
        rid = int(self.odoo.do(model, "create", vals))
        self.labels[(model, rid)] = label
        return rid

    def name(self, text: str) -> str:
        return f"{self.token} {text}"

    def ids(self, model: str, value: Any) -> Any:
        """Ids of `model` in `value` (an id, a list, an outcome) as labels; others as '?'."""
        if isinstance(value, list) and value and value[0] in ("ok", "fault", "http"):
            if value[0] != "ok":
                return self.strip(value)
            return ["ok", self.ids(model, value[1])]
        if isinstance(value, list):
            return [self.ids(model, v) for v in value]
        if isinstance(value, int) and not isinstance(value, bool):
            return self.labels.get((model, value), "?")
        return value

    def rows(self, model: str, outcome: list[Any], relations: dict[str, str]) -> list[Any]:
        """A read / search_read outcome with ids and many2one ids replaced by labels."""
        if outcome[0] != "ok":
            return self.strip(outcome)
        out = []
        for row in outcome[1]:
            shown = {}
            for key, value in row.items():
                if key == "id":
                    shown[key] = self.ids(model, value)
                elif key in relations:
                    rel = relations[key]
                    if isinstance(value, list) and len(value) == 2 and isinstance(value[1], str):
                        shown[key] = [self.ids(rel, value[0]), self.strip_token(value[1])]
                    else:
                        shown[key] = self.ids(rel, value)
                else:
                    shown[key] = self.strip_token(value)
            out.append(shown)
        return ["ok", out]

    def pairs(self, outcome: list[Any]) -> list[Any]:
        """A name_search outcome: [[label, display_name], ...]."""
        if outcome[0] != "ok":
            return self.strip(outcome)
        return ["ok", [[self.ids("res.partner", i), self.strip_token(n)] for i, n in outcome[1]]]

    def strip_token(self, value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(self.token, "T")
        if isinstance(value, list):
            return [self.strip_token(v) for v in value]
        if isinstance(value, dict):
            return {k: self.strip_token(v) for k, v in value.items()}
        return value

    def strip(self, outcome: list[Any]) -> list[Any]:
        return [self.strip_token(v) for v in outcome]


Probe = Callable[[Scene], Any]
PROBES: dict[str, Probe] = {}


def probe(func: Probe) -> Probe:
    PROBES[func.__name__] = func
    return func


def run(odoo: Odoo, name: str) -> Any:
    token = f"zq{uuid.uuid4().hex[:8]}"  # no "r": "R2" probes cannot match it
    return PROBES[name](Scene(odoo, token))


# -- malformed input: the faults real Odoo answers (never an HTTP 500) ---------------------------

MALFORMED_DOMAINS: list[Any] = [
    ["|", ["id", "=", 1]],
    [["id", "=", 1], "&"],
    [["name.foo", "=", 1]],
    [["nope", "=", 1]],
    [["name", "~", 1]],
    [["name", "ILIKE", "a"]],
    [["name", "="]],
    [["name", "=", "x", "y"]],
    "notalist",
    ["id", "in", [1, 2]],
    [[1, "=", 2]],
    ["x", ["id", "=", 1]],
    [["id", "in", 5]],
    [["name", "in", "abc"]],
    [["color", "=", "abc"]],
    [["create_date", ">", "garbage"]],
    [["id", ">", "abc"]],
    [["parent_id.nope", "=", 1]],
    [["nope", "=", 1], ["id", "in", []]],
    [["create_date.nope", "=", 1]],
    [["name", "any", [["id", "=", 1]]]],
    [["child_ids", "any", "notalist"]],
    [{"a": 1}],
]


@probe
def malformed_domains(s: Scene) -> Any:
    return [s.odoo.call("res.partner", "search", d) for d in MALFORMED_DOMAINS]


@probe
def malformed_calls(s: Scene) -> Any:
    o = s.odoo
    pid = s.make("res.partner", "p", {"name": s.name("p")})
    return [
        o.call("res.partner", "search", [], limit="a"),
        o.call("res.partner", "search", [], offset="a"),
        o.call("res.partner", "search", [], limit=-1),
        o.call("res.partner", "search", [], offset=-1),
        o.call("res.partner", "search_count", [], limit="x"),
        o.call("res.partner", "read", [pid], ["nope"]),
        o.call("res.partner", "read", ["a"]),
        o.call("res.partner", "read", [pid], fields="name"),
        o.call("res.partner", "create", ["notadict"]),
        o.call("res.partner", "create", {"name": "x", "nope": 1}),
        o.call("res.partner", "create", {"name": "x", "parent_id": "abc"}),
        o.call("res.partner", "create", {"name": "x", "color": "abc"}),
        o.call("res.partner", "write", [pid], "abc"),
        o.call("res.partner", "write", ["a"], {"name": "q"}),
        o.call("res.partner", "unlink", ["a"]),
        o.call("res.partner", "fields_get", ["nope"]),
        o.call("res.partner", "search_read", [], fields=["nope"]),
        o.call("res.partner", "no_such_method", [pid]),
        o.call("res.partner", "_private", [pid]),
        o.call("no.such.model", "search", []),
    ]


@probe
def missing_foreign_keys(s: Scene) -> Any:
    o = s.odoo
    return [
        s.strip(o.call("res.partner", "create", {"name": s.name("x"), "state_id": GONE})),
        s.strip(o.call("res.partner", "create", {"name": s.name("x"), "parent_id": GONE})),
        s.strip(o.call("res.partner", "create", {"name": s.name("x"), "country_id": GONE})),
        s.strip(
            o.call("res.partner", "create", {"name": s.name("x"), "category_id": [[6, 0, [GONE]]]})
        ),
        o.call("res.partner.category", "create", {"color": 1}),
        o.call("account.journal", "create", {"name": s.name("j"), "code": "ZZ"}),
    ]


# -- searching ------------------------------------------------------------------------------------


def _people(s: Scene) -> dict[str, int]:
    """A company with two contacts and an invoice address, a loner, tags; some unset fields."""
    tag = s.make("res.partner.category", "tag", {"name": s.name("Tag")})
    co = s.make("res.partner", "co", {"name": s.name("Co"), "is_company": True, "ref": "R1"})
    return {
        "tag": tag,
        "co": co,
        "ann": s.make(
            "res.partner",
            "ann",
            {
                "name": s.name("Ann"),
                "parent_id": co,
                "email": f"ann.{s.token}@example.com",
                "color": 3,
                "category_id": [[6, 0, [tag]]],
            },
        ),
        "bob": s.make(
            "res.partner", "bob", {"name": s.name("bob_x"), "parent_id": co, "ref": "R2%"}
        ),
        "bill": s.make("res.partner", "bill", {"parent_id": co, "type": "invoice"}),
        "solo": s.make("res.partner", "solo", {"name": s.name("Solo"), "vat": f"V{s.token}"}),
    }


PEOPLE_DOMAINS: list[Any] = [
    [["ref", "=?", False]],
    [["ref", "=?", "R1"]],
    [["ref", "<>", "R1"]],
    [["ref", "!=", "R1"]],
    [["ref", "ilike", ""]],
    [["ref", "not ilike", ""]],
    [["ref", "=", False]],
    [["ref", "!=", False]],
    [["ref", "in", [False, "R1"]]],
    [["ref", "not in", [False]]],
    [["ref", "not in", ["R1"]]],
    [["color", "=", False]],
    [["color", "!=", False]],
    [["color", "=", 0]],
    [["color", ">=", 0]],
    [["color", "<", 2]],
    [["color", ">", 2]],
    [["color", "in", [3, False]]],
    [["ref", "like", "R_"]],
    [["ref", "like", "R2\\%"]],
    [["ref", "=like", "R%"]],
    [["name", "=ilike", "%BOB\\_x"]],
    [["name", "not like", "Ann"]],
    [["email", "ilike", "ANN."]],
    [["is_company", "=", False]],
    [["is_company", "!=", True]],
    [["is_company", "in", [False]]],
    [["parent_id", "=", False]],
    [["parent_id", "!=", False]],
    [["parent_id.name", "ilike", "Co"]],
    [["parent_id.name", "!=", "zz"]],
    [["parent_id", "ilike", "co"]],
    [["parent_id", "not ilike", "co"]],
    [["parent_id", "any", [["ref", "=", "R1"]]]],
    [["parent_id", "not any", [["ref", "=", "R1"]]]],
    [["child_ids", "any", [["type", "=", "invoice"]]]],
    [["child_ids", "not any", [["type", "=", "invoice"]]]],
    [["child_ids", "=", False]],
    [["child_ids", "!=", False]],
    [["child_ids.email", "ilike", "ann."]],
    [["category_id", "=", False]],
    [["category_id", "ilike", "tag"]],
    [["category_id.name", "ilike", "tag"]],
    [["category_id", "not in", [0]]],
    [["display_name", "ilike", "co, ann"]],
    [["display_name", "ilike", "invoice address"]],
    [["display_name", "ilike", "R2"]],
    [["display_name", "=", False]],
    ["!", ["ref", "=", "R1"]],
    ["|", ["ref", "=", "R1"], "!", ["color", "=", 3]],
    [["company_type", "=", "company"]],
    [["active", "in", [True, False]]],
    [["create_date", ">", "2000-01-01"]],
    [["create_date.year_number", ">", 2000]],
]


@probe
def operators_and_null(s: Scene) -> Any:
    who = _people(s)
    mine = ["id", "in", [v for k, v in who.items() if k != "tag"]]
    out = []
    for d in PEOPLE_DOMAINS:
        found = s.odoo.call("res.partner", "search", [mine, *d], order="id")
        out.append([d, s.ids("res.partner", found)])
    return out


@probe
def hierarchies(s: Scene) -> Any:
    who = _people(s)
    o = s.odoo
    mine = ["id", "in", list(who.values())]
    orders = {
        "co": s.make("sale.order", "so-co", {"partner_id": who["co"]}),
        "ann": s.make("sale.order", "so-ann", {"partner_id": who["ann"]}),
        "solo": s.make("sale.order", "so-solo", {"partner_id": who["solo"]}),
    }
    mine_so = ["id", "in", list(orders.values())]
    co, ann = who["co"], who["ann"]
    return [
        s.ids("res.partner", o.call("res.partner", "search", [mine, ["id", "child_of", co]])),
        s.ids("res.partner", o.call("res.partner", "search", [mine, ["id", "parent_of", ann]])),
        s.ids(
            "res.partner", o.call("res.partner", "search", [mine, ["parent_id", "child_of", co]])
        ),
        s.ids(
            "res.partner", o.call("res.partner", "search", [mine, ["id", "child_of", s.name("Co")]])
        ),
        s.ids("res.partner", o.call("res.partner", "search", [mine, ["id", "child_of", []]])),
        s.ids(
            "sale.order", o.call("sale.order", "search", [mine_so, ["partner_id", "child_of", co]])
        ),
        s.ids(
            "sale.order",
            o.call("sale.order", "search", [mine_so, ["partner_id", "parent_of", ann]]),
        ),
        s.ids(
            "sale.order",
            o.call("sale.order", "search", [mine_so, ["partner_id", "child_of", s.name("Co")]]),
        ),
        s.ids(
            "sale.order",
            o.call("sale.order", "search", [mine_so, ["partner_id.parent_id", "=", co]]),
        ),
        s.strip(o.call("sale.order", "search", [["id", "child_of", orders["co"]]])),
        s.ids(
            "res.partner",
            o.call("res.partner", "search", [mine, ["category_id", "child_of", who["tag"]]]),
        ),
    ]


@probe
def limits_names_and_reads(s: Scene) -> Any:
    who = _people(s)
    o = s.odoo
    mine = [["id", "in", [v for k, v in who.items() if k != "tag"]]]
    rel = {"parent_id": "res.partner", "commercial_partner_id": "res.partner"}
    fields = ["name", "parent_id", "commercial_partner_id", "complete_name", "display_name"]
    return [
        s.ids("res.partner", o.call("res.partner", "search", mine, limit=0, order="id")),
        s.ids("res.partner", o.call("res.partner", "search", mine, limit=2, offset=1, order="id")),
        o.call("res.partner", "search_count", mine),
        o.call("res.partner", "search_count", mine, limit=2),
        s.rows("res.partner", o.call("res.partner", "read", [who["ann"], GONE], fields), rel),
        s.rows("res.partner", o.call("res.partner", "read", [who["bill"]], fields, load=None), rel),
        s.rows(
            "res.partner",
            o.call("res.partner", "search_read", mine, ["parent_id"], order="id", load="x"),
            rel,
        ),
        s.ids(
            "res.partner",
            [r[0] for r in o.do("res.partner", "name_search", f"ann.{s.token}@", mine, "ilike", 5)],
        ),
        s.ids("res.partner", [r[0] for r in o.do("res.partner", "name_search", "R2%", mine)]),
        s.ids(
            "res.partner", [r[0] for r in o.do("res.partner", "name_search", f"V{s.token}", mine)]
        ),
        s.pairs(o.call("res.partner", "name_search", name=s.name("co"), args=mine, limit=10)),
        s.pairs(o.call("res.partner", "name_search", name="x", domain=mine)),
        s.pairs(o.call("res.partner", "name_search", s.name("Co"), mine, "=", 10)),
        s.pairs(o.call("res.partner", "name_search", "", mine, "ilike", 2)),
    ]


@probe
def ordering(s: Scene) -> Any:
    o = s.odoo
    co = s.make("res.partner", "co", {"name": s.name("M Co"), "is_company": True})
    people = {
        "zed": s.make("res.partner", "zed", {"name": s.name("Zed")}),
        "alice": s.make("res.partner", "alice", {"name": s.name("alice")}),
        "Alice": s.make("res.partner", "Alice", {"name": s.name("Alice"), "ref": "B"}),
        "twin1": s.make("res.partner", "twin1", {"name": s.name("Twin"), "ref": "A"}),
        "twin2": s.make("res.partner", "twin2", {"name": s.name("Twin")}),
        "kid": s.make("res.partner", "kid", {"name": s.name("Kid"), "parent_id": co}),
        "co": co,
    }
    mine = [["id", "in", list(people.values())]]
    # Ties are in no defined order in PostgreSQL: every spec but the default ends with id.
    orders: list[Any] = [
        None,
        "name desc",
        "ref, id",
        "ref desc, id",
        "ref nulls first, id",
        "ref desc nulls last, id",
        "ref asc nulls last, id desc",
        "parent_id, id",
        "parent_id desc, id",
        "parent_id nulls first, id",
        "parent_id.id, id",
        "is_company desc, name",
        "name; drop table",
        "name sideways",
        "nope",
        "display_name",
        "company_type",
        "id,",
        5,
    ]
    out = []
    for spec in orders:
        kw = {} if spec is None else {"order": spec}
        out.append([spec, s.ids("res.partner", o.call("res.partner", "search", mine, **kw))])
    return out


# -- writing --------------------------------------------------------------------------------------


@probe
def contacts_need_a_name(s: Scene) -> Any:
    o = s.odoo
    co = s.make("res.partner", "co", {"name": s.name("Named Co"), "is_company": True})
    empty = o.call("res.partner", "create", {"name": ""})
    outcomes = [
        o.call("res.partner", "create", {"email": "x@example.com"}),
        o.call("res.partner", "create", {"name": False}),
        ["ok", "created"] if empty[0] == "ok" else empty,
    ]
    if empty[0] == "ok":
        [row] = o.call("res.partner", "read", [empty[1]], ["name", "display_name"])[1]
        outcomes.append({k: v for k, v in row.items() if k != "id"})
    for kind in ("invoice", "delivery", "other", "contact"):
        made = o.call("res.partner", "create", {"parent_id": co, "type": kind})
        if made[0] == "ok":
            [row] = o.call("res.partner", "read", [made[1]], ["display_name", "complete_name"])[1]
            outcomes.append(s.strip_token({k: v for k, v in row.items() if k != "id"}))
        else:
            outcomes.append(s.strip(made))
    who = s.make("res.partner", "who", {"name": s.name("Who")})
    outcomes.append(o.call("res.partner", "write", [who], {"name": False}))
    outcomes.append(o.call("res.partner", "write", [who], {"name": False, "type": "delivery"}))
    return outcomes


@probe
def missing_ids(s: Scene) -> Any:
    o = s.odoo
    pid = s.make("res.partner", "p", {"name": s.name("p")})
    return [
        o.call("res.partner", "write", [GONE], {"name": "x"}),
        o.call("res.partner", "write", [pid, GONE], {"name": "x"}),
        o.call("res.partner", "unlink", [GONE]),
        o.call("res.partner", "unlink", [pid, GONE, GONE + 1]),
        o.call("res.partner", "read", [GONE], ["name"]),
        o.call("res.partner", "exists", [GONE]),
        o.call("res.partner.category", "write", [GONE], {"color": 2}),
        o.call("res.partner.category", "unlink", [GONE]),
        o.call("sale.order", "write", [GONE], {"note": "x"}),
        o.call("sale.order", "unlink", [GONE]),
        o.call("product.template", "write", [GONE], {"name": "x"}),
        o.call("product.product", "unlink", [GONE]),
        o.call("res.partner", "copy", [GONE]),
        o.call("sale.order", "action_confirm", [GONE]),
        s.strip(o.call("res.partner", "write", [pid], {"id": 5, "name": s.name("renamed")})),
        s.rows("res.partner", o.call("res.partner", "read", [pid], ["name"]), {}),
    ]


@probe
def unlink_integrity(s: Scene) -> Any:
    o = s.odoo
    out = []
    draft_p = s.make("res.partner", "draft-p", {"name": s.name("draft buyer")})
    draft_so = s.make("sale.order", "draft-so", {"partner_id": draft_p})
    out.append(o.call("res.partner", "unlink", [draft_p]))
    out.append(o.call("sale.order", "read", [draft_so], ["state"]))

    sold_p = s.make("res.partner", "sold-p", {"name": s.name("buyer")})
    sold_so = s.make("sale.order", "sold-so", {"partner_id": sold_p})
    o.do("sale.order", "action_confirm", [sold_so])
    out.append(o.call("res.partner", "unlink", [sold_p]))
    out.append(s.ids("res.partner", o.call("res.partner", "exists", [sold_p])))
    out.append(o.call("sale.order", "unlink", [sold_so]))

    ship_p = s.make("res.partner", "ship-p", {"name": s.name("ship to")})
    ship_so = s.make("sale.order", "ship-so", {"partner_id": sold_p, "partner_shipping_id": ship_p})
    o.do("sale.order", "action_confirm", [ship_so])
    out.append(o.call("res.partner", "unlink", [ship_p]))

    billed = s.make("res.partner", "billed", {"name": s.name("billed")})
    s.make("account.move", "inv", {"partner_id": billed, "move_type": "out_invoice"})
    out.append(o.call("res.partner", "unlink", [billed]))

    out.append(o.call("res.partner", "unlink", [3]))  # the admin's contact

    co = s.make("res.partner", "co", {"name": s.name("Gone Co"), "is_company": True})
    kid = s.make("res.partner", "kid", {"name": s.name("Kid"), "parent_id": co})
    out.append(o.call("res.partner", "unlink", [co]))
    fields = ["parent_id", "commercial_partner_id", "complete_name", "display_name"]
    rel = {"parent_id": "res.partner", "commercial_partner_id": "res.partner"}
    out.append(s.rows("res.partner", o.call("res.partner", "read", [kid], fields), rel))

    tag = s.make("res.partner.category", "tag", {"name": s.name("tag")})
    tagged = s.make("res.partner", "tagged", {"name": s.name("tagged"), "category_id": [[4, tag]]})
    out.append(o.call("res.partner.category", "unlink", [tag]))
    out.append(o.call("res.partner", "read", [tagged], ["category_id"])[1][0]["category_id"])

    tmpl = s.make("product.template", "tmpl", {"name": s.name("gone product")})
    variants = o.do("product.product", "search", [["product_tmpl_id", "=", tmpl]])
    out.append(o.call("product.template", "unlink", [tmpl]))
    out.append(o.call("product.product", "search_count", [["id", "in", variants]]))
    return out


@probe
def display_name_without_rec_name(s: Scene) -> Any:
    """product.combo.item has no _rec_name: its display_name search restrains nothing."""
    o = s.odoo
    tmpl = s.make("product.template", "tmpl", {"name": s.name("part")})
    [variant] = o.do("product.product", "search", [["product_tmpl_id", "=", tmpl]])
    combo = s.make(
        "product.combo",
        "combo",
        {"name": s.name("combo"), "combo_item_ids": [[0, 0, {"product_id": variant}]]},
    )
    items = o.do("product.combo", "read", [combo], ["combo_item_ids"])[0]["combo_item_ids"]
    for item in items:
        s.labels[("product.combo.item", item)] = "item"
    mine = ["id", "in", items]
    return [
        s.ids("product.combo.item", o.call("product.combo.item", "search", [mine])),
        s.ids(
            "product.combo.item",
            o.call("product.combo.item", "search", [mine, ["display_name", "ilike", "zzz"]]),
        ),
        [  # "model,id": the display name of a record without a name
            r["display_name"] == f"product.combo.item,{r['id']}"
            for r in o.do("product.combo.item", "read", items, ["display_name"])
        ],
    ]


@probe
def fields_get(s: Scene) -> Any:
    o = s.odoo
    wanted = [
        "name", "type", "parent_id", "child_ids", "category_id", "comment", "email", "lang",
        "id", "display_name", "create_date", "create_uid", "write_date", "write_uid",
    ]  # fmt: skip
    attributes = ["type", "string", "readonly", "store", "required", "help", "relation"]
    return [
        o.call("res.partner", "fields_get", wanted),
        o.call("res.partner", "fields_get", wanted, attributes),
        o.call("res.partner", "fields_get", ["type"], ["selection"]),
        o.call("product.template", "fields_get", ["description", "description_sale"]),
        o.call("product.product", "fields_get", ["name", "lst_price", "product_tmpl_id"]),
        o.call("sale.order", "fields_get", ["state", "partner_id", "order_line", "note"]),
    ]


@probe
def html_sanitised(s: Scene) -> Any:
    o = s.odoo
    pid = s.make("res.partner", "p", {"name": s.name("html"), "comment": "<p>at create</p>"})
    tid = s.make("product.template", "t", {"name": s.name("html"), "description": "x<br/>y"})
    out = [
        o.do("res.partner", "read", [pid], ["comment"])[0]["comment"],
        o.do("product.template", "read", [tid], ["description"])[0]["description"],
    ]
    for text in HTML_INPUTS:
        o.do("res.partner", "write", [pid], {"comment": text})
        o.do("product.template", "write", [tid], {"description": text, "description_sale": text})
        [p] = o.do("res.partner", "read", [pid], ["comment"])
        [t] = o.do("product.template", "read", [tid], ["description", "description_sale"])
        out.append([text, p["comment"], t["description"], t["description_sale"]])
    return out


@probe
def xmlrpc_faults(s: Scene) -> Any:
    o = s.odoo
    return [
        o.xml("res.partner", "write", [GONE], {"name": "x"}),
        o.xml("res.partner", "search", ["|", ["id", "=", 1]]),
        o.xml("res.partner", "search", [], 0, 0, "name sideways"),
        o.xml("res.partner", "unlink", [3]),
        o.xml("res.partner", "create", {"email": "x@example.com"}),
    ]


def normalise_ids(text: str) -> str:
    """Digits that are record ids in free text (a view id aside) become '#'."""
    return re.sub(r"\b\d{2,}\b", "#", text)
