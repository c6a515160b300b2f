"""Walk one RFC 5322 message and collect its text, part by part.

Each piece of text is tagged with where it came from: ``subject``, ``body``
(inline text/plain and text/html, quoted replies, inline forwards) or
``attachment:NAME`` (``attachment:outer.zip/inner.csv`` inside archives).
Parts that cannot be read are reported as ``Unreadable`` with a reason, never
silently skipped, so the policy can treat them as "cannot inspect".
"""

from __future__ import annotations

import email
import email.errors
import email.header
import email.policy
import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses

from detectors.extract import archive, documents
from detectors.extract.documents import UnreadableDocument, decode_text
from detectors.extract.html_text import html_to_text
from detectors.extract.limits import ExtractionLimits

_IMAGE_TYPES = ("image/",)
_TEXT_EXTENSIONS = (".txt", ".text", ".log", ".ics", ".vcf", ".md", ".json", ".xml")
_PGP_MESSAGE = "-----BEGIN PGP MESSAGE-----"


class NotAnEmail(ValueError):
    """The bytes are not an email message at all."""


@dataclass(frozen=True)
class TextPiece:
    where: str
    text: str


@dataclass(frozen=True)
class Unreadable:
    where: str
    reason: str


@dataclass(frozen=True)
class MessageFacts:
    """What the headers say; the policy and the staff-name exclusions use these."""

    message_id: str
    subject: str
    sender: str  # address from From:
    to: tuple[str, ...]  # addresses from To/Cc
    participant_names: tuple[str, ...]  # display names from From/To/Cc/Reply-To
    encrypted: bool  # S/MIME enveloped-data or PGP-encrypted: unreadable by design
    signed: bool


@dataclass
class Extraction:
    facts: MessageFacts
    pieces: list[TextPiece] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)

    def text_of(self, where: str) -> str:
        return "\n".join(p.text for p in self.pieces if p.where == where)


@dataclass
class _Budget:
    limits: ExtractionLimits
    used_bytes: int = 0

    def take(self, size: int) -> bool:
        self.used_bytes += size
        return self.used_bytes <= self.limits.max_total_bytes


def parse(raw: bytes) -> Message:
    head = raw[:4096]
    if b"\x00" in head:
        raise NotAnEmail("not an email message (binary data)")
    # compat32 is several times faster than the default policy's header registry;
    # we decode the few headers we read ourselves (decode_words).
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    if not any(
        k.lower() in ("from", "to", "subject", "content-type", "message-id", "date") for k in msg.keys()
    ):
        raise NotAnEmail("not an email message (no From, To, Subject or Content-Type header)")
    return msg


def decode_words(value: str) -> str:
    """RFC 2047 encoded words to text; a malformed one is kept as it stands."""
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (email.errors.HeaderParseError, LookupError, UnicodeDecodeError, ValueError):
        return value


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    return "" if value is None else " ".join(decode_words(str(value)).split())


def _addresses(msg: Message, *names: str) -> list[tuple[str, str]]:
    values: list[str] = []
    for name in names:
        try:
            values.extend(str(v) for v in msg.get_all(name, []))
        except Exception:
            continue
    return [(decode_words(n), a.lower()) for n, a in getaddresses(values) if a or n]


def _is_encrypted(msg: Message) -> bool:
    ctype = msg.get_content_type()
    if ctype == "multipart/encrypted":
        return True
    if ctype in ("application/pkcs7-mime", "application/x-pkcs7-mime"):
        smime_type = str(msg.get_param("smime-type") or "").lower()
        return smime_type in ("", "enveloped-data", "authenveloped-data")
    if ctype == "text/plain" and not msg.is_multipart():
        payload = msg.get_payload(decode=True)
        if isinstance(payload, bytes) and payload.lstrip().startswith(_PGP_MESSAGE.encode()):
            return True
    return False


def _is_signed(msg: Message) -> bool:
    if msg.get_content_type() == "multipart/signed":
        return True
    if str(msg.get_param("smime-type") or "").lower() == "signed-data":
        return True
    return False


def facts_of(msg: Message) -> MessageFacts:
    senders = _addresses(msg, "from")
    recipients = _addresses(msg, "to", "cc")
    names = [n for n, _ in senders + recipients + _addresses(msg, "reply-to", "sender") if n]
    return MessageFacts(
        message_id=_header(msg, "message-id"),
        subject=_header(msg, "subject"),
        sender=senders[0][1] if senders else "",
        to=tuple(a for _, a in recipients if a),
        participant_names=tuple(names),
        encrypted=_is_encrypted(msg),
        signed=_is_signed(msg),
    )


def extract_message(raw: bytes, limits: ExtractionLimits | None = None) -> Extraction:
    """Parse ``raw`` and extract every readable piece of text. Raises NotAnEmail."""
    limits = limits or ExtractionLimits()
    msg = parse(raw)
    result = Extraction(facts=facts_of(msg))
    if result.facts.subject:
        result.pieces.append(TextPiece("subject", result.facts.subject))
    if result.facts.encrypted:
        return result  # ciphertext: nothing to read, and the policy routes it as encrypted
    walker = _Walker(result, _Budget(limits))
    body: list[str] = []
    walker.walk(msg, "body", body, depth=0)
    if body:
        text = "\n\n".join(body)
        if len(text) > limits.max_text_chars:
            result.unreadable.append(Unreadable("body", "only partly read: over the size limits"))
            text = text[: limits.max_text_chars]
        # Keep the reading order: subject, body, then attachments.
        result.pieces.insert(1 if result.facts.subject else 0, TextPiece("body", text))
    defects = [d for part in msg.walk() for d in getattr(part, "defects", [])]
    structural = [d for d in defects if type(d).__name__ in ("StartBoundaryNotFoundDefect", "CloseBoundaryNotFoundDefect", "MultipartInvariantViolationDefect")]
    if structural:
        result.unreadable.append(Unreadable("body", f"malformed or truncated MIME ({type(structural[0]).__name__})"))
    return result


class _Walker:
    def __init__(self, result: Extraction, budget: _Budget) -> None:
        self.result = result
        self.budget = budget
        self.limits = budget.limits

    # -- MIME tree -----------------------------------------------------------
    def walk(self, part: Message, where: str, body: list[str], depth: int) -> None:
        ctype = part.get_content_type()
        filename = _filename(part)
        if filename is not None or _is_attachment(part):
            self.attachment(part, filename or _default_name(part), where, depth)
            return
        if ctype == "multipart/alternative":
            self.alternative(part, where, body, depth)
        elif part.is_multipart() and ctype != "message/rfc822":
            for sub in part.get_payload():
                if isinstance(sub, Message):
                    self.walk(sub, where, body, depth)
        elif ctype == "message/rfc822":
            for inner in _payload_messages(part):
                body.append(_forward_header(inner))
                self.walk(inner, where, body, depth + 1)
        elif ctype == "text/html":
            body.append(html_to_text(_part_text(part)))
        elif ctype.startswith("text/"):
            body.append(_strip_pgp_armour(_part_text(part)))
        elif _is_encrypted(part):
            self.result.unreadable.append(Unreadable(where, "encrypted part inside an unencrypted message"))

    def alternative(self, part: Message, where: str, body: list[str], depth: int) -> None:
        plain: list[str] = []
        others: list[str] = []
        for sub in part.get_payload():
            if not isinstance(sub, Message):
                continue
            if sub.get_content_type() == "text/plain":
                self.walk(sub, where, plain, depth)
            else:
                self.walk(sub, where, others, depth)
        body.extend(plain)
        plain_words = _normalise(" ".join(plain))
        # The HTML twin usually says the same; scan it only when it says more.
        for text in others:
            if _normalise(text) != plain_words:
                body.append(text)

    # -- attachments ---------------------------------------------------------
    def attachment(self, part: Message, name: str, where: str, depth: int) -> None:
        label = _attachment_where(where, name)
        payload = part.get_payload(decode=True)
        ctype = part.get_content_type()
        cte = (part.get("content-transfer-encoding") or "").strip().lower()
        if ctype == "message/rfc822" and cte != "base64":
            inner = _payload_messages(part)
            if inner:
                self.nested_message(inner[0], label, depth + 1)
                return
        if not isinstance(payload, bytes):
            payload = _undecoded_payload(part)
        self.document(name, ctype, payload, label, depth, part.get_content_charset())

    def document(self, name: str, ctype: str, data: bytes, label: str, depth: int, charset: str | None = None) -> None:
        if depth > self.limits.max_depth:
            self.result.unreadable.append(Unreadable(label, f"nested deeper than {self.limits.max_depth} levels"))
            return
        if len(data) > self.limits.max_attachment_bytes:
            self.result.unreadable.append(Unreadable(label, f"larger than {self.limits.max_attachment_bytes} bytes"))
            return
        if not self.budget.take(len(data)):
            self.result.unreadable.append(Unreadable(label, "message unpacks to more than the total size limit"))
            return
        lower = name.lower()
        try:
            text, truncated = self._read(lower, ctype, data, label, depth, charset)
        except UnreadableDocument as exc:
            self.result.unreadable.append(Unreadable(label, str(exc)))
            return
        except Exception as exc:  # a parser bug on hostile input must not crash the scan
            self.result.unreadable.append(Unreadable(label, f"could not be read ({type(exc).__name__})"))
            return
        if text is None:
            return
        if truncated or len(text) > self.limits.max_text_chars:
            self.result.unreadable.append(Unreadable(label, "only partly read: over the size limits"))
        if text.strip():
            self.result.pieces.append(TextPiece(label, text[: self.limits.max_text_chars]))

    def _read(self, lower: str, ctype: str, data: bytes, label: str, depth: int, charset: str | None) -> tuple[str | None, bool]:
        if lower.endswith(".pdf") or ctype == "application/pdf":
            return documents.pdf_text(data, self.limits)
        if lower.endswith((".docx", ".docm", ".dotx")):
            return documents.docx_text(data), False
        if lower.endswith((".xlsx", ".xlsm")):
            return documents.xlsx_text(data, self.limits)
        if lower.endswith(".csv") or ctype == "text/csv":
            return documents.csv_text(data), False
        if lower.endswith((".htm", ".html")) or ctype == "text/html":
            return documents.html_document_text(data), False
        if lower.endswith(".rtf") or ctype in ("application/rtf", "text/rtf"):
            return documents.rtf_text(data), False
        if lower.endswith(".eml") or ctype == "message/rfc822":
            try:
                inner = parse(data)
            except NotAnEmail as exc:
                raise UnreadableDocument(str(exc)) from exc
            self.nested_message(inner, label, depth + 1)
            return None, False
        if lower.endswith(".zip") or ctype in ("application/zip", "application/x-zip-compressed"):
            for member in archive.members(data, self.limits, label):
                if isinstance(member, Unreadable):
                    self.result.unreadable.append(member)
                else:
                    member_name, member_data = member
                    self.document(member_name, "application/octet-stream", member_data, f"{label}/{member_name}", depth + 1)
            return None, False
        if lower.endswith(_TEXT_EXTENSIONS) or ctype.startswith("text/"):
            return decode_text(data, charset), False
        if ctype.startswith(_IMAGE_TYPES) or lower.endswith((".png", ".jpg", ".jpeg", ".gif", ".bmp")):
            return None, False  # images are not OCR'd; see README "What is not inspected"
        if lower.endswith((".doc", ".xls", ".ppt")) or data.startswith(documents.OLE_MAGIC):
            raise UnreadableDocument("legacy or password-protected Office document")
        if lower.endswith((".p7s", ".sig", ".asc")) or ctype in ("application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"):
            return None, False  # a signature carries no content
        if lower.endswith((".p7m", ".gpg", ".pgp")) or ctype in ("application/pkcs7-mime", "application/x-pkcs7-mime", "application/pgp-encrypted"):
            raise UnreadableDocument("encrypted attachment")
        raise UnreadableDocument(f"unsupported attachment type ({ctype})")

    def nested_message(self, inner: Message, label: str, depth: int) -> None:
        if depth > self.limits.max_depth:
            self.result.unreadable.append(Unreadable(label, f"nested deeper than {self.limits.max_depth} levels"))
            return
        if _is_encrypted(inner):
            self.result.unreadable.append(Unreadable(label, "encrypted message attached"))
            return
        texts: list[str] = [_forward_header(inner)]
        self.walk(inner, label, texts, depth)
        joined = "\n\n".join(t for t in texts if t)
        if joined.strip():
            self.result.pieces.append(TextPiece(label, joined))


def _undecoded_payload(part: Message) -> bytes:
    """A message/rfc822 part that a client base64-encoded (not allowed, but seen) stays a string."""
    import base64
    import binascii

    text = part.get_payload()
    if isinstance(text, list) and text and isinstance(text[0], Message):
        text = text[0].get_payload()  # the parser read the base64 text as a header-less message
    if not isinstance(text, str):
        return b""
    if (part.get("content-transfer-encoding") or "").strip().lower() == "base64":
        try:
            return base64.b64decode(text)
        except (binascii.Error, ValueError):
            return b""
    return text.encode("utf-8", "replace")


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except (ValueError, LookupError, UnicodeDecodeError):
        return "attachment"
    return None if name is None else decode_words(name)


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("content-disposition") or "").split(";")[0].strip().lower()
    return disposition == "attachment" and not part.is_multipart()


def _default_name(part: Message) -> str:
    ctype = part.get_content_type()
    return {"message/rfc822": "message.eml", "text/plain": "attachment.txt", "text/html": "attachment.html"}.get(ctype, "attachment")


def _attachment_where(where: str, name: str) -> str:
    name = name.replace("\n", " ").strip() or "attachment"
    return f"attachment:{name}" if where == "body" else f"{where}/{name}"


def _payload_messages(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    if isinstance(payload, Message):
        return [payload]
    return []


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(part.get_payload()).encode("utf-8", "replace")
    return decode_text(payload, part.get_content_charset())


def _forward_header(msg: Message) -> str:
    lines = []
    for name in ("From", "To", "Cc", "Date", "Subject"):
        value = _header(msg, name)
        if value:
            lines.append(f"{name}: {value}")
    return "\n".join(lines)


_ARMOUR = re.compile(r"-----BEGIN PGP SIGNATURE-----.*?-----END PGP SIGNATURE-----", re.S)


def _strip_pgp_armour(text: str) -> str:
    # A clear-signed message is plain text in the clear; only the signature block is noise.
    text = _ARMOUR.sub("", text)
    if text.lstrip().startswith("-----BEGIN PGP SIGNED MESSAGE-----"):
        text = re.sub(r"-----BEGIN PGP SIGNED MESSAGE-----\n(?:Hash: [^\n]*\n)?", "", text, count=1)
    return text


def _normalise(text: str) -> str:
    return " ".join(re.findall(r"\w+", text))
