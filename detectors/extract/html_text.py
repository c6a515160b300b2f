"""HTML to plain text with BeautifulSoup (block elements become line breaks).

Text a reader can reach is text: hidden elements (``display:none``) stay in,
and so do the attributes a mail client shows on hover or instead of an image
(``alt``, ``title``, ``aria-label``, form ``value`` and ``placeholder``)."""

from __future__ import annotations

import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

_SHOWN_ATTRIBUTES = ("alt", "title", "aria-label", "value", "placeholder")
_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre", "hr")


def html_to_text(html: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(html, "lxml")
    for tag in soup(["style", "script", "head", "title", "meta"]):
        tag.decompose()
    for tag in soup.find_all(True):
        said = [str(tag.get(a)) for a in _SHOWN_ATTRIBUTES if tag.get(a)]
        if said:
            tag.insert_after(" " + " ".join(said) + " ")
    for cell in soup.find_all(["td", "th"]):
        cell.append(" | ")
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    text = soup.get_text()
    lines = [line.strip() for line in text.splitlines()]
    # Collapse runs of blank lines that block elements leave behind.
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
