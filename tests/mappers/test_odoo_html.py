"""Telling Odoo 18's rewrite of an html description from an edit (pure: no I/O).

The pairs are what a real Odoo 18 stored (`tests/product_html.py`); a real edit of the
stored value must never count as the same content.
"""

from __future__ import annotations

import pytest

from bridge.mappers.odoo_html import canonical, dropped_by_odoo, is_empty, same_content
from tests.product_html import LUMA, LUMA_STORED, PAGE_BUILDER, PAGE_BUILDER_STORED, STORED


@pytest.mark.parametrize(("written", "stored"), STORED)
def test_what_odoo_stored_is_the_same_content(written: str, stored: str) -> None:
    assert same_content(written, stored)
    assert same_content(stored, written)
    assert same_content(stored, stored)


@pytest.mark.parametrize(
    "edited",
    [
        LUMA_STORED.replace("Drawstring hood.", "Zipped hood."),  # a word
        LUMA_STORED + "<p>New in 2026.</p>",  # a paragraph more
        LUMA_STORED.replace("<p>\u2022 Two", "<p><strong>\u2022</strong> Two"),  # bold
        LUMA_STORED.replace("<br>\u2022 Machine wash.", ""),  # a line less
        PAGE_BUILDER_STORED.replace("brick%20blue.jpg", "brick%20red.jpg", 1),  # another image
        PAGE_BUILDER_STORED.replace('alt="Foam brick"', 'alt="Blue foam brick"', 1),
        "<p>Foam brick for yoga \u2013 light and firm.</p>",  # the layout's text, rewritten
        "<p>&lt;b&gt;not bold&lt;/b&gt;</p>",  # escaped markup is text, not tags
    ],
)
def test_an_edit_is_not_the_same_content(edited: str) -> None:
    original = PAGE_BUILDER if "brick" in edited.lower() else LUMA
    assert not same_content(original, edited)


def test_escaped_markup_is_not_markup() -> None:
    assert not same_content("<p>&lt;b&gt;x&lt;/b&gt;</p>", "<p><b>x</b></p>")


def test_url_escaping_differs_by_libxml2_and_does_not_count() -> None:
    """libxml2 2.10 (Odoo 18's lxml 4.9.3) escapes braces, 2.13 only spaces: both are the
    same image as Magento's `{{media url=...}}`; another image is not."""
    magento = '<p><img src="{{media url=wysiwyg/a b.jpg}}" alt="A"></p>'
    assert same_content(magento, '<p><img src="%7B%7Bmedia%20url=wysiwyg/a%20b.jpg%7D%7D" alt="A">')
    assert same_content(magento, '<p><img src="{{media%20url=wysiwyg/a%20b.jpg}}" alt="A"></p>')
    assert not same_content(magento, '<p><img src="{{media url=wysiwyg/c.jpg}}" alt="A"></p>')


def test_whitespace_wrappers_and_odoos_marks_do_not_count() -> None:
    assert same_content("<p>a  b</p>\n", "<div><p>a b</p></div>")
    assert same_content("<blockquote>q</blockquote>", '<blockquote data-o-mail-quote="1">q')
    assert canonical("") == canonical("   ") == canonical("<!-- c -->") == ""


def test_what_odoo_drops_is_named() -> None:
    assert dropped_by_odoo(PAGE_BUILDER) == [
        "<iframe>",
        "<script>",
        "<style>",
        "data-* attributes",
    ]
    assert dropped_by_odoo(LUMA) == []
    assert dropped_by_odoo('<p onclick="x()">a</p><form><input></form>') == [
        "<form>",
        "<input>",
        "event handlers",
    ]


@pytest.mark.parametrize(
    ("value", "empty"),
    [
        ("", True),
        ("  \n", True),
        ("<p><br></p>", True),  # what Odoo's editor leaves in a cleared field
        ("<p>&nbsp;</p>", True),
        ("<!-- c -->", True),
        ('<p><img src="a.jpg"></p>', False),
        ("x", False),
        (PAGE_BUILDER_STORED, False),
    ],
)
def test_empty_is_what_a_reader_would_not_see(value: str, empty: bool) -> None:
    assert is_empty(value) is empty


def test_an_unreadable_value_is_empty_not_an_error() -> None:
    assert canonical('<?xml version="1.0" encoding="utf-8"?><p>x</p>') == "<p>x</p>"
    assert canonical("<") == ""
