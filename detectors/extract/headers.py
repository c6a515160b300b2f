"""Header text: RFC 2047 encoded words, and the headers that carry free text.

Besides Subject, a sender can write into Comments, Keywords, X-anything and
Content-Description, and a form typed with no blank line after the headers
parses as more headers ("Child: ...", "Date-Of-Birth: ..."). Headers that carry
addresses, routing, structure or machine tokens are left out.
"""

from __future__ import annotations

import email.errors
import email.header
from email.message import Message


def decode_words(value: str) -> str:
    """RFC 2047 encoded words to text; a malformed one is kept as it stands."""
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (email.errors.MessageError, LookupError, UnicodeError, ValueError):
        return value  # e.g. CharsetError for a charset name that is not ASCII


_STRUCTURAL_HEADERS = frozenset(
    """
    from to cc bcc reply-to sender date message-id in-reply-to references subject received return-path
    delivered-to envelope-to mime-version content-type content-transfer-encoding content-disposition
    content-id content-location content-language content-length content-md5 importance priority
    x-priority sensitivity thread-index thread-topic accept-language x-mailer user-agent
    received-spf authentication-results disposition-notification-to return-receipt-to
    x-auto-response-suppress auto-submitted precedence x-original-to x-envelope-from errors-to
    x-originating-ip list-id list-unsubscribe list-post list-help list-subscribe list-archive
    x-ms-has-attach x-ms-tnef-correlator feedback-id x-csa-complaints x-mailgun-tag
    """.split()
)
_MACHINE_HEADER_PREFIXES = (
    "x-ms-", "x-microsoft-", "x-forefront-", "x-exchange-", "x-google-", "x-gm-", "x-received", "arc-", "dkim-",
    "x-spam", "x-virus", "x-proofpoint", "x-mimecast", "x-ses-", "x-sg-", "x-mc-", "x-originat", "x-sender",
    "x-incoming", "x-eopattributed", "x-crosspremises", "x-organizationheaders", "x-ironport", "x-barracuda",
    "x-cloudmark", "x-mailchimp", "x-campaign", "list-", "x-report-abuse", "x-icl-", "x-sophos", "x-pm-",
    "msip_labels", "x-exclaimer", "x-tm-", "x-forwarded-for", "autocrypt", "x-antiabuse", "x-ms", "x-eop",
    "x-atp", "x-clientproxiedby", "x-ip", "x-rpcd", "x-ots", "x-mlm", "x-cr-",
)


def free_text_headers(part: Message) -> str:
    lines = []
    for name, value in part.items():
        lower = name.lower()
        if lower in _STRUCTURAL_HEADERS or lower.startswith(_MACHINE_HEADER_PREFIXES):
            continue
        text = " ".join(decode_words(str(value)).split())
        if text:
            lines.append(f"{name}: {text}")
    return "\n".join(lines)
