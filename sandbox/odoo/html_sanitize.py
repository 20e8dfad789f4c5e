"""What Odoo 18 stores when an html field is written: its sanitiser's outcome.

Odoo's `fields.Html` (sanitize=True) runs the value through `tools.mail.html_sanitize`:
the string is parsed by lxml's HTML parser (so entities are decoded, `<br />` becomes
`<br>`, unclosed tags are closed, a bare text gets a `<p>`), quotes are marked for its
mail views (`data-o-mail-quote`), then lxml's Cleaner drops what is not safe: `<script>`,
`<style>`, `<iframe>`, `<object>`, `<embed>`, `<meta>`, `<link>`, `<title>`, `<base>`,
`<head>`, `<noscript>`, `<frame>` with their content, forms, comments and processing
instructions; unknown tags lose the tag but keep the text; with sanitize_attributes only
lxml's safe attributes, `style` and a few `data-oe-*` ones survive, so `data-*` and
`on*` handlers go; `javascript:` links are emptied. A lone `<div>` wrapper is removed
and non-breaking spaces are written `&nbsp;`.

The serialiser is libxml2's: Odoo 18 pins lxml 4.9.3 (Python 3.11), which bundles
libxml2 2.10.3, whose HTML writer percent-escapes `href`, `src`, `action` (and `<a
name>`) values (`xmlURIEscapeStr`: everything but letters, digits, `-_.!~*'()` and
`@/:=?;#%&,+<>`, after leading blanks), so Magento's `{{media url=...}}` in an `<img src>`
is stored as `%7B%7Bmedia%20url=...%7D%7D`. The libxml2 2.13 of the sandbox's lxml
escapes less (spaces and non-ASCII only), so the sandbox escapes those values itself
first; an Odoo on another libxml2 may store them differently.

This module reproduces that outcome with the same library (lxml and its Cleaner, from
`lxml_html_clean`) and the same options; it is written for the sandbox, not copied.
What it does not model: Odoo's mail-client quote markers (gmail/outlook/yahoo classes),
`sanitize_overridable` and the xml output method (no sandbox field uses them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree, html
from lxml.html import defs
from lxml_html_clean import Cleaner

#: Attributes kept with sanitize_attributes: lxml's safe ones plus those Odoo's editor and
#: mail views rely on (tools/mail.py `safe_attrs`).
KEPT_ATTRIBUTES = defs.safe_attrs | frozenset(
    [
        "style",
        "data-o-mail-quote",
        "data-o-mail-quote-node",
        "data-oe-model",
        "data-oe-id",
        "data-oe-field",
        "data-oe-type",
        "data-oe-expression",
        "data-oe-translation-source-sha",
        "data-oe-nodeid",
        "data-last-history-steps",
        "data-oe-protected",
        "data-embedded",
        "data-embedded-editable",
        "data-embedded-props",
        "data-oe-version",
        "data-oe-transient-content",
        "data-behavior-props",
        "data-prop-name",
        "data-publish",
        "data-id",
        "data-res_id",
        "data-interval",
        "data-member_id",
        "data-scroll-background-ratio",
        "data-view-id",
        "data-class",
        "data-mimetype",
        "data-original-src",
        "data-original-id",
        "data-gl-filter",
        "data-quality",
        "data-resize-width",
        "data-shape",
        "data-shape-colors",
        "data-file-name",
        "data-original-mimetype",
        "data-mimetype-before-conversion",
    ]
)
KILLED_TAGS = [
    "base",
    "embed",
    "frame",
    "head",
    "iframe",
    "link",
    "meta",
    "noscript",
    "object",
    "script",
    "style",
    "title",
]
ALLOWED_TAGS = (
    defs.tags
    | frozenset(
        [
            "article",
            "bdi",
            "section",
            "header",
            "footer",
            "hgroup",
            "nav",
            "aside",
            "figure",
            "main",
        ]
    )
    | {etree.Comment}
)
#: The style properties a field with sanitize_style keeps (mail.message's body).
STYLE_PROPERTIES = frozenset(
    [
        "font-size",
        "font-family",
        "font-weight",
        "font-style",
        "background-color",
        "color",
        "text-align",
        "line-height",
        "letter-spacing",
        "text-transform",
        "text-decoration",
        "opacity",
        "float",
        "vertical-align",
        "display",
        "padding",
        "padding-top",
        "padding-left",
        "padding-bottom",
        "padding-right",
        "margin",
        "margin-top",
        "margin-left",
        "margin-bottom",
        "margin-right",
        "white-space",
        "border",
        "border-color",
        "border-radius",
        "border-style",
        "border-width",
        "border-top",
        "border-bottom",
        "height",
        "width",
        "max-width",
        "min-width",
        "min-height",
        "border-collapse",
        "border-spacing",
        "caption-side",
        "empty-cells",
        "table-layout",
    ]
) | frozenset(
    f"border-{side}-{part}"
    for side in ("top", "bottom", "left", "right")
    for part in ("style", "color", "width", "left-radius", "right-radius")
)
_STYLE_DECLARATION = re.compile(r"""([\w-]+)\s*:\s*((?:[^;"']|"[^";]*"|'[^';]*')+)""")
_TEXT_QUOTE = re.compile(r"((?:\n[>]+[^\n\r]*)+|(?:(?:^|\n)[-]{2}[\s]?[\r\n]{1,2}[\s\S]+))")
_SIGNATURE_START = re.compile(r"((?:(?:^|\n)[-]{2}[\s]?$))")


@dataclass(frozen=True)
class Options:
    """A field's sanitize_* attributes (as `fields_get` reports them)."""

    tags: bool = True
    attributes: bool = True
    style: bool = False
    strip_style: bool = False
    strip_classes: bool = False


def sanitize(source: str, options: Options = Options()) -> str:
    """The value Odoo 18 keeps for `source` written to an html field with `options`."""
    if not source:
        return source
    text = _prepare(source)
    try:
        doc = html.fromstring(text)
    except etree.ParserError as exc:
        if "empty" in str(exc):  # whitespace or comments only
            return ""
        return "<p>ParserError when sanitizing</p>"
    for element in doc.iter(etree.Element):
        _mark_quote(element)
    _cleaner(options)(doc)
    if options.style and not options.strip_style:
        for element in doc.iter(etree.Element):
            _keep_known_styles(element)
    if options.strip_classes and not options.attributes:
        for element in doc.iter(etree.Element):
            element.attrib.pop("class", None)
    for element in doc.iter(etree.Element):
        _escape_uris(element)
    out = html.tostring(doc, encoding="unicode", method="html")
    if out.startswith("<div>") and out.endswith("</div>"):
        out = out[len("<div>") : -len("</div>")]
    return out.replace("\xa0", "&nbsp;")


def _prepare(text: str) -> str:
    """The source fixes Odoo makes before parsing: `encoding=` attributes, broken comment
    endings and Outlook's `<o:...>` tags go."""
    text = re.sub(
        r'(<[^>]*\s)(encoding=(["\'][^"\']*?["\']|[^\s\n\r>]+)(\s[^>]*|/)?>)',
        "",
        text,
        flags=re.IGNORECASE | re.DOTALL,
    )
    text = text.replace("--!>", "-->")
    text = re.sub(r"(<!-->|<!--->)", "<!-- -->", text)
    return re.sub(r"</?o:.*?>", "", text)


def _cleaner(options: Options) -> Cleaner:
    settings: dict[str, object] = {
        "page_structure": True,
        "style": options.strip_style,
        "forms": True,
        "remove_unknown_tags": False,
        "comments": False,
        "processing_instructions": False,
        "safe_attrs_only": options.attributes,
    }
    if options.tags:
        settings.update(
            allow_tags=ALLOWED_TAGS, kill_tags=KILLED_TAGS, remove_tags=["html", "body"]
        )
    if options.attributes:
        kept = KEPT_ATTRIBUTES - ({"class"} if options.strip_classes else set())
        settings["safe_attrs"] = kept
    return Cleaner(**settings)


#: The attributes libxml2's HTML writer escapes as URIs (HTMLtree.c::htmlAttrDumpOutput).
URI_ATTRIBUTES = ("href", "action", "src")
#: What xmlURIEscapeStr leaves as it is, with the list htmlAttrDumpOutput passes it.
_URI_KEPT = frozenset(
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!~*'()@/:=?;#%&,+<>"
)


def _escape_uris(element: etree._Element) -> None:
    """libxml2 2.10's escaping of URI attributes, done before lxml writes them."""
    names = [*URI_ATTRIBUTES, *(["name"] if element.tag == "a" else [])]
    for name in names:
        value = element.attrib.get(name)
        if value is not None:
            element.attrib[name] = _uri_escaped(value)


def _uri_escaped(value: str) -> str:
    raw = value.lstrip(" \t\n\r").encode("utf-8")
    return "".join(chr(b) if b in _URI_KEPT else f"%{b:02X}" for b in raw)


def _keep_known_styles(element: etree._Element) -> None:
    declared = element.attrib.get("style")
    if not declared:
        return
    kept: dict[str, str] = {}
    for prop, value in _STYLE_DECLARATION.findall(declared):
        if prop.lower() in STYLE_PROPERTIES:
            kept[prop.lower()] = value
    if kept:
        element.attrib["style"] = "; ".join(f"{k}:{v}" for k, v in kept.items())
    else:
        del element.attrib["style"]


def _mark_quote(element: etree._Element) -> None:
    """The quote marks Odoo's html fields add for its mail views (a subset: blockquotes,
    `>`-quoted lines and `--` signatures in text, and what is inside a marked element)."""
    if element.text and element.find("br") is not None and _SIGNATURE_START.search(element.text):
        element.set("data-o-mail-quote", "1")
        parent = element.getparent()
        if parent is not None:
            parent.set("data-o-mail-quote-container", "1")
    if not element.get("data-o-mail-quote"):
        _wrap_quoted_text(element)
    if element.tag == "blockquote":
        element.set("data-o-mail-quote-node", "1")
        element.set("data-o-mail-quote", "1")
    parent = element.getparent()
    if (
        parent is not None
        and not parent.get("data-o-mail-quote-node")
        and parent.get("data-o-mail-quote")
    ):
        element.set("data-o-mail-quote", "1")
    previous = element.getprevious()
    if (
        previous is not None
        and previous.get("data-o-mail-quote")
        and not element.text_content().strip()
    ):
        element.set("data-o-mail-quote", "1")


def _wrap_quoted_text(element: etree._Element) -> None:
    """Put each quoted run of `element.text` in a `<span data-o-mail-quote="1">`."""
    text = element.text or ""
    matches = list(_TEXT_QUOTE.finditer(text))
    if not matches:
        return
    element.text = text[: matches[0].start()]
    for index, match in enumerate(matches):
        span = etree.Element("span")
        span.set("data-o-mail-quote", "1")
        span.text = match.group(0)
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        span.tail = text[match.end() : end]
        element.insert(index, span)
