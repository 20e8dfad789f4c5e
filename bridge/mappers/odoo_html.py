"""Odoo 18's rewrite of an html value, told apart from an edit, without asking Odoo.

Odoo sanitises an html field on every write (`tools/mail.py::html_sanitize`: lxml's parser,
then lxml's Cleaner): entities are decoded (`&bull;` -> `•`), `<br />` is written `<br>`,
`<style>`, `<script>`, `<iframe>`, forms and every `data-*` attribute go, bare text gets a
`<p>`, a lone outer `<div>` is dropped, quotes get `data-o-mail-quote` marks, and URL
attributes are percent-escaped (how much depends on the libxml2 Odoo runs on). A Magento
2.4 Page Builder description (`<style>` + `<div data-content-type="row" ...>`) is stored as
its text in bare `<div>`s. What Odoo holds of a Magento description is that rewrite, which
Bridge must not take for an edit made in Odoo: sent back, it would wipe Magento's layout.

`same_content(a, b)` says whether two html values are the same content as far as Odoo can
tell: both are parsed and cleaned as Odoo does (the same lxml parser and Cleaner
settings), then reduced to a canonical form that also drops what Odoo adds or rewrites:
all `data-*` attributes, comments, attribute-less `<div>` and `<span>` wrappers, URL
escaping, runs of whitespace. The reduction is lossier than Odoo on purpose: a markup
difference it cannot see counts as no change, so Magento's richer content is kept rather
than overwritten. Comparing the canonical forms of both sides (not a predicted Odoo output
with Odoo's bytes) keeps the answer right whatever libxml2 the Odoo server has.

`dropped_by_odoo(value)` names what of a value Odoo cannot hold (for the log), and
`is_empty(value)` says whether it holds nothing a reader would see (Odoo's editor leaves
`<p><br></p>` in a cleared field).
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import unquote

from lxml import etree, html
from lxml.html import defs
from lxml_html_clean import Cleaner

#: Removed with their content by Odoo's sanitiser (tools/mail.py::SANITIZE_TAGS).
KILLED_TAGS = frozenset(
    ["base", "embed", "frame", "head", "iframe", "link", "meta", "noscript", "object",
     "script", "style", "title"]
)  # fmt: skip
#: What lxml's Cleaner takes out with `forms=True`, as Odoo sets it.
FORM_TAGS = frozenset(["form", "input", "button", "select", "textarea", "option", "fieldset"])
#: The tags Odoo keeps; others are unwrapped (their text stays).
ALLOWED_TAGS = defs.tags | frozenset(
    ["article", "bdi", "section", "header", "footer", "hgroup", "nav", "aside", "figure", "main"]
)
#: Attributes that count: lxml's safe ones (Odoo keeps them) and `style` (Odoo keeps it on
#: descriptions). Odoo's own `data-oe-*` and quote marks are not content.
KEPT_ATTRIBUTES = defs.safe_attrs | frozenset(["style"])
#: libxml2 percent-escapes these when it writes them, more or less depending on its version.
URI_ATTRIBUTES = frozenset(["href", "src", "action", "name", "background", "longdesc"])
TRANSPARENT_TAGS = frozenset(["div", "span"])
_SPACES = re.compile(r"\s+")
_ENCODING_TAG = re.compile(
    r"""(<[^>]*\s)(encoding=(["'][^"']*?["']|[^\s\n\r>]+)(\s[^>]*|/)?>)""",
    re.IGNORECASE | re.DOTALL,
)


def _cleaner() -> Cleaner:
    return Cleaner(
        page_structure=True,
        style=False,
        forms=True,
        remove_unknown_tags=False,
        comments=True,
        processing_instructions=True,
        safe_attrs_only=True,
        safe_attrs=KEPT_ATTRIBUTES,
        allow_tags=ALLOWED_TAGS,
        kill_tags=KILLED_TAGS,
        remove_tags=["html", "body"],
    )


def _parsed(value: str) -> etree._Element | None:
    """The value as Odoo's parser reads it (`html.fromstring`), or None when it is empty.

    Tags with an `encoding=` attribute (an XML declaration) go first, as Odoo's
    `html_normalize` takes them out; what lxml still cannot read counts as empty.
    """
    if not value or not value.strip():
        return None
    try:
        return html.fromstring(_ENCODING_TAG.sub("", value))
    except (etree.ParserError, ValueError):  # whitespace or comments only
        return None


def canonical(value: str) -> str:
    """What of `value` survives Odoo's sanitiser, written one way whatever its markup."""
    doc = _parsed(value)
    if doc is None:
        return ""
    wrapper = html.Element("div")
    wrapper.append(doc)  # the Cleaner works below the element it is given
    _cleaner()(wrapper)
    parts: list[str] = []
    _write(wrapper, parts, root=True)
    return _SPACES.sub(" ", "".join(parts)).strip()


def same_content(first: str, second: str) -> bool:
    """Whether the two html values say the same as far as Odoo can hold it."""
    return canonical(first) == canonical(second)


def is_empty(value: str) -> bool:
    """Nothing a reader would see: no text and no image (`<p><br></p>`, whitespace)."""
    doc = _parsed(value)
    if doc is None:
        return True
    return not doc.text_content().strip() and not doc.xpath("descendant-or-self::img")


def dropped_by_odoo(value: str) -> list[str]:
    """What of `value` Odoo's sanitiser drops: `<style>`, `<script>`, `data-*` attributes..."""
    doc = _parsed(value)
    if doc is None:
        return []
    wrapper = html.Element("div")
    wrapper.append(doc)
    found: set[str] = set()
    for element in wrapper.iter(etree.Element):
        tag = str(element.tag).lower()
        if (tag in KILLED_TAGS or tag in FORM_TAGS) and tag != "head":  # the parser's own
            found.add(f"<{tag}>")
        if any(name.startswith("data-") for name in element.attrib):
            found.add("data-* attributes")
        if any(name.startswith("on") for name in element.attrib):
            found.add("event handlers")
    return sorted(found)


def _write(element: etree._Element, parts: list[str], *, root: bool = False) -> None:
    tag = str(element.tag).lower()
    attributes = sorted(
        (name, _attribute(name, value))
        for name, value in element.attrib.items()
        if name in KEPT_ATTRIBUTES
    )
    shown = not root and not (tag in TRANSPARENT_TAGS and not attributes)
    if shown:
        written = "".join(f' {name}="{escape(value)}"' for name, value in attributes)
        parts.append(f"<{tag}{written}>")
    parts.append(escape(element.text or "", quote=False))
    for child in element:
        if isinstance(child.tag, str):
            _write(child, parts)
        parts.append(escape(child.tail or "", quote=False))
    if shown:
        parts.append(f"</{tag}>")


def _attribute(name: str, value: str) -> str:
    if name in URI_ATTRIBUTES:
        value = unquote(value.strip())
    return _SPACES.sub(" ", value).strip()
