"""Every SMTP reply the gateway gives: code, enhanced status code (RFC 3463), and a
one-line reason a person can read. Nothing else in the code writes a reply string."""

from __future__ import annotations

OK = "250 2.0.0 OK: message accepted"
OK_SENDER = "250 2.1.0 Sender OK"
OK_RECIPIENT = "250 2.1.5 Recipient OK"

TEMP_SCAN_FAILED = "451 4.7.0 Message could not be scanned for personal data; please try again later"
TEMP_NEXT_HOP = "451 4.4.1 Next mail server unavailable; please try again later"
TEMP_STORE = "451 4.3.0 Quarantine store unavailable; please try again later"
TEMP_SHUTTING_DOWN = "421 4.3.2 Gateway shutting down; please try again later"
TEMP_LOCAL_ERROR = "451 4.3.0 Local error in processing; please try again later"

CLIENT_NOT_ALLOWED = "554 5.7.1 Client host is not allowed to relay through this gateway"
SENDER_NOT_INTERNAL = "550 5.7.1 Sender address is not in an internal domain; this gateway only relays staff mail"
BAD_ADDRESS = "501 5.1.3 Bad address syntax"
TOO_MANY_RECIPIENTS = "452 4.5.3 Too many recipients for one message"
MESSAGE_TOO_BIG = "552 5.3.4 Message too big for this gateway"
LINE_TOO_LONG = "500 5.5.2 Line too long"


def rejected_for_pii(reason: str) -> str:
    """The reply when policy says `reject`: the sender's client shows it to the sender."""
    return f"550 5.7.1 Not sent: {reason}. Policy 1.1: send it by a secure or encrypted route"


def next_hop_permanent(code: int, message: str) -> str:
    text = " ".join(message.split())[:200] or "refused by the next mail server"
    return f"{code if 500 <= code < 600 else 554} 5.0.0 Next mail server refused the message: {text}"
