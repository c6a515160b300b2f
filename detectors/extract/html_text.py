"""HTML to plain text with BeautifulSoup (block elements become line breaks).

Text a reader can reach is text: hidden elements (``display:none``) stay in,
and so do the attributes a mail client shows on hover or instead of an image
(``alt``, ``title``, ``aria-label``, form ``value`` and ``placeholder``).
What no client shows still leaves the council in the same bytes, so
``html_texts`` also returns it apart: comments (Outlook's conditional ones
too, which Outlook shows), scripts, templates, the title, named ``<meta>`` contents, CSS
``content:`` strings and the decoded query strings of links."""

from __future__ import annotations

import warnings
from urllib.parse import unquote_plus

import regex
from bs4 import BeautifulSoup, Comment, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

_SHOWN_ATTRIBUTES = ("alt", "title", "aria-label", "value", "placeholder")
_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre", "hr")


_CSS_CONTENT = regex.compile(r"""content\s*:\s*(["'])([^"'\n]{1,2000})\1""")


def html_to_text(html: str) -> str:
    """Everything: what a client shows, then what it does not."""
    visible, hidden = html_texts(html)
    return f"{visible}\n\n{hidden}" if hidden else visible


def html_texts(html: str) -> tuple[str, str]:
    """(the text a mail client shows, the text it carries but does not show)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(html, "lxml")
    hidden = _hidden_text(soup)
    for tag in soup(["style", "script", "head", "title", "meta", "template"]):
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
    return "\n".join(out).strip(), hidden


def _hidden_text(soup: BeautifulSoup) -> str:
    out: list[str] = []
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        # Outlook shows what its conditional comments ("<!--[if mso]>...<![endif]-->") hold: read it too.
        text = regex.sub(r"^\[if[^\]]{0,100}\]>|<!\[endif\]$", " ", str(comment).strip())
        out.append(" ".join(regex.sub(r"<[^<>]{0,500}>", " ", text).split()))
    for tag in soup(["script", "template", "noscript", "title"]):
        out.append(" ".join(tag.get_text(" ").split()))
    for tag in soup.find_all("meta"):
        if tag.get("name") and tag.get("content"):
            out.append(f"{tag.get('name')}: {tag.get('content')}")
    for tag in soup("style"):
        out.extend(m.group(2) for m in _CSS_CONTENT.finditer(tag.get_text()))
    for tag in soup.find_all(href=True):
        url = str(tag.get("href"))
        if ("?" in url or url.lower().startswith("mailto:")) and not url.lower().startswith("data:"):
            out.append(unquote_plus(url.split("?", 1)[-1] if "?" in url else url[7:]))
    return "\n".join(t for t in out if t.strip())
