"""Magento product descriptions and what a real Odoo 18 stores of them (html_sanitize).

Recorded from the Odoo 18.0 Community at 127.0.0.1:8069 (`/work/odoo18`, lxml 4.9.3 with
libxml2 2.10.3, Odoo 18's pin for Python 3.11) by writing each `written` value to
`product.template.description` and reading it back. Used by the mapper tests of
`bridge.mappers.odoo_html` and by the product round trips.
"""

from __future__ import annotations

#: As Magento 2.4's Page Builder stores a product description: the row's styles in a
#: `<style>` keyed by `data-pb-style`, content types as `data-content-type` divs, images
#: with `{{media url=...}}` directives, an HTML Code block with a script, a video iframe.
PAGE_BUILDER = (
    "<style>#html-body [data-pb-style=B7P0LKO]{justify-content:flex-start;display:flex;"
    "flex-direction:column;background-position:left top;background-size:cover;"
    "background-repeat:no-repeat;background-attachment:scroll}#html-body "
    "[data-pb-style=RJ3N2CT]{border-style:none}#html-body [data-pb-style=KQ1X9VE],"
    "#html-body [data-pb-style=RJ3N2CT]{max-width:100%;height:auto}@media only screen and "
    "(max-width:768px){#html-body [data-pb-style=RJ3N2CT]{border-style:none}}</style>"
    '<div data-content-type="row" data-appearance="contained" data-element="main">'
    '<div data-enable-parallax="0" data-parallax-speed="0.5" data-background-images="{}" '
    'data-background-type="image" data-video-loop="true" data-video-play-only-visible="true" '
    'data-video-lazy-load="true" data-video-fallback-src="" data-element="inner" '
    'data-pb-style="B7P0LKO">'
    '<div data-content-type="text" data-appearance="default" data-element="main">'
    "<p>Foam brick for yoga &ndash; light&nbsp;and firm.<br />Holds its shape.</p></div>"
    '<figure data-content-type="image" data-appearance="full-width" data-element="main">'
    '<img class="pagebuilder-mobile-hidden" src="{{media url=wysiwyg/brick blue.jpg}}" '
    'alt="Foam brick" title="" data-element="desktop_image" data-pb-style="RJ3N2CT">'
    '<img class="pagebuilder-mobile-only" src="{{media url=wysiwyg/brick blue.jpg}}" '
    'alt="Foam brick" title="" data-element="mobile_image" data-pb-style="KQ1X9VE"></figure>'
    '<div data-content-type="html" data-appearance="default" data-element="main" '
    'data-decoded="true"><script>window.brickSizes = ["S", "M"];</script></div>'
    '<div data-content-type="video" data-appearance="default" data-element="main">'
    '<div class="pagebuilder-video-inner" data-element="inner"><div '
    'class="pagebuilder-video-wrapper" data-element="wrapper"><div '
    'class="pagebuilder-video-container"><iframe frameborder="0" allowfullscreen="" '
    'src="https://www.youtube.com/embed/brick" data-element="video"></iframe></div></div>'
    "</div></div></div></div>"
)
#: Luma's sample data, as its WYSIWYG editor stores it.
LUMA = (
    "<p>The Chaz Kangeroo Hoodie is made for laps around the park in October.</p>\n"
    "<p>&bull; Two-tone heather.<br />&bull; Drawstring hood.<br />&bull; Machine wash.</p>"
)


#: What the real Odoo 18 stored of them.
PAGE_BUILDER_STORED = (
    "<div><div><div><p>Foam brick for yoga \u2013 light&nbsp;and firm.<br>Holds its shape.</p>"
    '</div><figure><img class="pagebuilder-mobile-hidden" '
    'src="%7B%7Bmedia%20url=wysiwyg/brick%20blue.jpg%7D%7D" alt="Foam brick" title="">'
    '<img class="pagebuilder-mobile-only" src="%7B%7Bmedia%20url=wysiwyg/brick%20blue.jpg%7D%7D"'
    ' alt="Foam brick" title=""></figure><div></div><div><div class="pagebuilder-video-inner">'
    '<div class="pagebuilder-video-wrapper"><div class="pagebuilder-video-container"></div>'
    "</div></div></div></div></div>"
)
LUMA_STORED = (
    "<p>The Chaz Kangeroo Hoodie is made for laps around the park in October.</p>\n"
    "<p>\u2022 Two-tone heather.<br>\u2022 Drawstring hood.<br>\u2022 Machine wash.</p>"
)
WIDGET = (
    '<p>{{widget type="Magento\\CatalogWidget\\Block\\Product\\ProductsList" show_pager="0"}}</p>'
)

#: (written to product.template.description, what the real Odoo 18 stored), as seen.
STORED: list[tuple[str, str]] = [
    (PAGE_BUILDER, PAGE_BUILDER_STORED),
    (LUMA, LUMA_STORED),
    ("Plain text &amp; more", "<p>Plain text &amp; more</p>"),
    ('<p><img src="{{media url=wysiwyg/a b.jpg}}" alt="A" width="10"></p>',
     '<p><img src="%7B%7Bmedia%20url=wysiwyg/a%20b.jpg%7D%7D" alt="A" width="10"></p>'),
    ("<p><a href=\"{{store url='sale.html'}}\" title=\"Sale\">Sale</a> &ndash; 20&nbsp;% off</p>",
     "<p><a href=\"%7B%7Bstore%20url='sale.html'%7D%7D\" title=\"Sale\">Sale</a> \u2013 "
     "20&nbsp;% off</p>"),
    (WIDGET, WIDGET),
    ('<table border="1"><tbody><tr><td style="width: 50%;">a</td></tr></tbody></table>',
     '<table border="1"><tbody><tr><td style="width: 50%;">a</td></tr></tbody></table>'),
    ("<div><div><p>x</p></div></div>", "<div><p>x</p></div>"),
    ("  <p>a</p>\n\n  <p>b</p>  ", "<p>a</p>\n\n  <p>b</p>  "),
    ("<p>a<!-- c --></p>", "<p>a<!-- c --></p>"),
    ('<form action="/x"><input name="q"><button>Go</button></form><p>after</p>', "<p>after</p>"),
    ('<p><a href="javascript:alert(1)" onclick="x()">l</a></p>', '<p><a href="">l</a></p>'),
    ('<span class="x" data-a="1">t</span>', '<span class="x">t</span>'),
    ("<blockquote>q</blockquote>",
     '<blockquote data-o-mail-quote-node="1" data-o-mail-quote="1">q</blockquote>'),
    ("<pre>a\n> b</pre>", '<pre>a<span data-o-mail-quote="1">\n&gt; b</span></pre>'),
    ("<p>&eacute;&copy;&#39;&quot;&lt;b&gt;</p>", "<p>\u00e9\u00a9'\"&lt;b&gt;</p>"),
    ("<ul>\n<li>Stretch jersey.</li>\n<li>Scoop neck.</li>\n</ul>",
     "<ul>\n<li>Stretch jersey.</li>\n<li>Scoop neck.</li>\n</ul>"),
    ("<h2>Care</h2><p><strong>Machine</strong> wash <em>cold</em>.<br/></p>",
     "<h2>Care</h2><p><strong>Machine</strong> wash <em>cold</em>.<br></p>"),
]  # fmt: skip
