"""Walk one RFC 5322 message and collect its text, part by part.

Each piece of text is tagged with where it came from: ``subject``, ``body``
(inline text/plain and text/html, quoted replies, inline forwards),
``attachment:NAME`` (``attachment:outer.zip/inner.csv`` inside archives) or
``filename:NAME`` (the attachment's file name itself).
Every leaf part is read by what its bytes are (``sniff``), whatever its name
or label says; transfer encodings are read as mail clients read them.
Parts that cannot be read are reported as ``Unreadable`` with a reason, never
silently skipped, so the policy can treat them as "cannot inspect".
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import email
import email.errors
import email.header
import email.policy
import email.utils
import html
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses
from urllib.parse import unquote_to_bytes

import regex

from detectors.extract import archive, ciphertext, documents
from detectors.extract.content import DocumentContent
from detectors.extract.documents import UnreadableDocument, decode_text
from detectors.extract.headers import decode_words, free_text_headers
from detectors.extract.html_text import html_texts, html_to_text
from detectors.extract.limits import ExtractionLimits
from detectors.extract.sniff import Kind, sniff
from detectors.extract.transfer import (
    IDENTITY_ENCODINGS,
    as_bytes,
    cte,
    lenient_base64,
    payload_bytes,
    rfc822_bytes,
    unflow,
    uu_decode,
)


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

    ocr_used: int = 0
    ocr_seconds: float = 0.0

    def take(self, size: int) -> bool:
        self.used_bytes += size
        return self.used_bytes <= self.limits.max_total_bytes

    def ocr_left(self, wanted: int) -> int:
        """How many of ``wanted`` images or pages may still be OCR'd; takes them."""
        allowed = max(0, min(wanted, self.limits.max_ocr_images - self.ocr_used))
        self.ocr_used += allowed
        return allowed


def parse(raw: bytes) -> Message:
    head = raw[:4096]
    ends = [i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i != -1]
    # A NUL in the header block means binary data; a UTF-16 body after proper headers is still mail.
    if b"\x00" in head[: min(ends) if ends else len(head)]:
        raise NotAnEmail("not an email message (binary data)")
    # compat32 is several times faster than the default policy's header registry;
    # we decode the few headers we read ourselves (decode_words).
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    if not any(
        k.lower() in ("from", "to", "subject", "content-type", "message-id", "date") for k in msg.keys()
    ):
        raise NotAnEmail("not an email message (no From, To, Subject or Content-Type header)")
    return msg


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
    try:
        pairs = getaddresses(values)
    except Exception:  # the stdlib's address parser recurses on hostile headers: fall back to the bare addresses
        pairs = [("", m) for v in values for m in _BARE_ADDRESS.findall(v)]
    return [(decode_words(n), a.lower()) for n, a in pairs if a or n]


_BARE_ADDRESS = regex.compile(r"[\w.+'-]++(*SKIP)@[\w-]++(?:\.[\w-]++)+")


def _is_encrypted(msg: Message) -> bool:
    """Encrypted only when the payload parses as ciphertext: a label proves nothing."""
    try:
        return _payload_is_ciphertext(msg)
    except Exception:  # hostile structure: not provably encrypted, so it is read as clear text
        return False


def _payload_is_ciphertext(msg: Message) -> bool:
    ctype = msg.get_content_type()
    if ctype == "multipart/encrypted":
        parts = [p for p in msg.get_payload() if isinstance(p, Message)] if msg.is_multipart() else []
        if len(parts) != 2 or parts[0].get_content_type() != "application/pgp-encrypted":
            return False
        control = payload_bytes(parts[0])[0].decode("latin-1").strip()
        if not regex.fullmatch(r"(?i)version:\s*1", control):
            return False
        return _is_pgp_ciphertext_bytes(payload_bytes(parts[1])[0])
    if msg.is_multipart():
        return False
    if ctype in ("application/pkcs7-mime", "application/x-pkcs7-mime"):
        content = ciphertext.cms_content(payload_bytes(msg)[0])
        return content is not None and content.kind == "enveloped" and content.encrypted_ok
    if ctype == "text/plain":
        return _is_pgp_ciphertext_bytes(payload_bytes(msg)[0])
    return False


def _is_pgp_ciphertext_bytes(data: bytes) -> bool:
    """The whole payload is one armoured (or binary) OpenPGP encrypted message and nothing else."""
    if data[:1] and data[0] & 0x80:
        return ciphertext.is_openpgp_ciphertext(data)
    text = data.decode("latin-1")
    blocks = ciphertext.armour_blocks(text)
    if len(blocks) != 1 or blocks[0].kind != "MESSAGE" or blocks[0].payload is None:
        return False
    outside = text[: blocks[0].start] + text[blocks[0].end :]
    return not outside.strip() and ciphertext.is_openpgp_ciphertext(blocks[0].payload)


def _is_signed(msg: Message) -> bool:
    if msg.get_content_type() == "multipart/signed":
        return True
    if _param(msg, "smime-type") == "signed-data":
        return True
    return False


def facts_of(msg: Message, check_encryption: bool = True) -> MessageFacts:
    """What the headers say. ``check_encryption=False`` skips parsing the payload as ciphertext
    (the relay's cheap pre-scan look: not encrypted there only means "scan it")."""
    senders = _addresses(msg, "from")
    recipients = _addresses(msg, "to", "cc")
    names = [n for n, _ in senders + recipients + _addresses(msg, "reply-to", "sender") if n]
    return MessageFacts(
        message_id=_header(msg, "message-id"),
        subject=_header(msg, "subject"),
        sender=senders[0][1] if senders else "",
        to=tuple(a for _, a in recipients if a),
        participant_names=tuple(names),
        encrypted=_is_encrypted(msg) if check_encryption else False,
        signed=_is_signed(msg),
    )


def extract_message(raw: bytes, limits: ExtractionLimits | None = None) -> Extraction:
    """Parse ``raw`` and extract every readable piece of text. Raises NotAnEmail."""
    limits = limits or ExtractionLimits()
    msg = parse(raw)
    result = Extraction(facts=facts_of(msg))
    if result.facts.subject:
        # The subject travels in the clear even on PGP and S/MIME mail: always read it.
        result.pieces.append(TextPiece("subject", result.facts.subject))
    if result.facts.encrypted:
        # The payload is ciphertext (checked, not assumed); what travels around it is clear text.
        clear = _clear_parts_of_encrypted(msg)
        if clear.strip():
            result.pieces.append(TextPiece("body", clear))
        return result
    walker = _Walker(result, _Budget(limits), _cid_references(msg))
    body: list[str] = []
    walker.walk(msg, "body", body, depth=0)
    if body:
        text = "\n\n".join(t for t in body if t)
        if len(text) > limits.max_text_chars:
            result.unreadable.append(Unreadable("body", "only partly read: over the size limits"))
            text = text[: limits.max_text_chars]
        # Keep the reading order: subject, body, then attachments.
        result.pieces.insert(1 if result.facts.subject else 0, TextPiece("body", text))
    defects = [d for part in msg.walk() for d in getattr(part, "defects", [])]
    structural = [d for d in defects if type(d).__name__ in _STRUCTURAL_DEFECTS]
    if structural:
        result.unreadable.append(Unreadable("body", f"malformed or truncated MIME ({type(structural[0]).__name__})"))
    result.pieces = [TextPiece(p.where, _valid_unicode(p.text)) for p in _unique_wheres(result.pieces)]
    return result


def _valid_unicode(text: str) -> str:
    """Lone surrogates (undecodable bytes kept by the parser) become U+FFFD: spaCy cannot encode them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def _escaped_readings(text: str) -> str:
    """What escaped text says once unescaped: character references (XML exports) and JSON strings."""
    extra: list[str] = []
    if "&#" in text or "&" in text and ";" in text:
        unescaped = html.unescape(text)
        if unescaped != text:
            extra.append(unescaped)
    stripped = text.lstrip()
    if stripped[:1] in ("{", "[") and "\\u" in text:
        try:
            extra.append("\n".join(_json_strings(json.loads(stripped))))
        except (ValueError, RecursionError):
            pass
    return "".join("\n\n" + e for e in extra if e.strip())


def _json_strings(value: object, key: str = "") -> list[str]:
    if isinstance(value, dict):
        return [line for k, v in value.items() for line in _json_strings(v, str(k))]
    if isinstance(value, list):
        return [line for v in value for line in _json_strings(v, key)]
    return [f"{key}: {value}" if key else str(value)]


def _clear_parts_of_encrypted(msg: Message) -> str:
    """Of real PGP/S-MIME mail, what is not ciphertext: free-text headers of every part, file
    names, preamble and epilogue, and the armour's header lines."""
    texts: list[str] = []
    for part in msg.walk():
        texts.append(free_text_headers(part))
        name = _filename(part)
        if name:
            texts.append(name)
        if part.is_multipart():
            texts.extend(decode_text(as_bytes(t)) for t in (part.preamble, part.epilogue) if isinstance(t, str) and t.strip())
        else:
            data = payload_bytes(part)[0]
            if b"-----BEGIN PGP" in data[:200_000]:
                text = data.decode("latin-1")
                blocks = ciphertext.armour_blocks(text)
                texts.extend(b.headers for b in blocks)
                texts.append(text[: blocks[0].start] if blocks else "")
                texts.append(text[blocks[-1].end :] if blocks else "")
    return "\n".join(t for t in texts if t and t.strip())


def _unique_wheres(pieces: list[TextPiece]) -> list[TextPiece]:
    """Two attachments with one name get "NAME (2)": a finding's ``where`` names one text."""
    seen: dict[str, int] = {}
    out = []
    for piece in pieces:
        count = seen.get(piece.where, 0) + 1
        seen[piece.where] = count
        out.append(piece if count == 1 else TextPiece(f"{piece.where} ({count})", piece.text))
    return out


_STRUCTURAL_DEFECTS = ("StartBoundaryNotFoundDefect", "CloseBoundaryNotFoundDefect", "MultipartInvariantViolationDefect")
_SIGNATURE_TYPES = ("application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature")
_SIGNATURE_NAMES = (".p7s", ".sig", ".asc")
_PKCS7_MIME = ("application/pkcs7-mime", "application/x-pkcs7-mime")
_BODY_TEXT = ("text/plain", "text/enriched", "text/richtext")
_LOGO_MAX_PIXELS = 150_000  # an inline signature logo (e.g. 500 x 300) is not OCR'd


class _Walker:
    def __init__(self, result: Extraction, budget: _Budget, cid_refs: frozenset[str]) -> None:
        self.result = result
        self.budget = budget
        self.limits = budget.limits
        self.cid_refs = cid_refs

    def unreadable(self, where: str, reason: str) -> None:
        self.result.unreadable.append(Unreadable(where, reason))

    # -- MIME tree -----------------------------------------------------------
    def walk(self, part: Message, where: str, body: list[str], depth: int) -> None:
        ctype = part.get_content_type()
        filename = _filename(part)
        # Headers that carry free text (Comments, Keywords, X-Case-Notes, Content-Description...)
        # and form lines that parse as headers when the blank line is missing.
        headers = free_text_headers(part)
        if headers:
            body.append(headers)
        container = part.get_content_maintype() == "multipart" and part.is_multipart()
        if container and filename:
            self.filename(_attachment_where(where, filename), filename)  # and read what it holds, below
        if (filename is not None or _is_attachment(part)) and not container:
            self.attachment(part, filename, where, depth)
        elif ctype == "multipart/alternative":
            self.alternative(part, where, body, depth)
        elif part.get_content_maintype() == "message" and ctype != "message/delivery-status":
            inner = _payload_messages(part)
            if inner and cte(part) in IDENTITY_ENCODINGS:
                for message in inner:  # message/rfc822, message/global, message/partial
                    body.append(_forward_header(message))
                    self.walk(message, where, body, depth + 1)
            else:
                self.attachment(part, None, where, depth)
        elif part.is_multipart():
            # The preamble and epilogue are not shown by most clients, but they leave all the same.
            body.extend(decode_text(as_bytes(t)) for t in (part.preamble, part.epilogue) if isinstance(t, str) and t.strip())
            for sub in part.get_payload():
                if isinstance(sub, Message):
                    self.walk(sub, where, body, depth)
        elif ctype == "text/html":
            markup = decode_text(self.decoded(part, where), _param(part, "charset") or None)
            visible, hidden = html_texts(markup)
            body.append(visible)
            if hidden:
                body.append(hidden)  # apart, so that a plain twin still matches the visible text
            self.data_uris(markup, where, depth)
        elif ctype in _BODY_TEXT:
            text = decode_text(self.decoded(part, where), _param(part, "charset") or None)
            if _param(part, "format") == "flowed":
                text = unflow(text, _param(part, "delsp") == "yes")
            body.append(self.clear_text(text, where, depth))
        else:
            # Every other leaf (text/calendar, application/octet-stream with no name,
            # signatures, S/MIME parts...) is read by what its bytes are.
            self.attachment(part, None, where, depth)

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

    def decoded(self, part: Message, where: str) -> bytes:
        data, problem = payload_bytes(part)
        if problem:
            self.unreadable(where, problem)
        return data

    # -- attachments ---------------------------------------------------------
    def attachment(self, part: Message, filename: str | None, where: str, depth: int) -> None:
        ctype = part.get_content_type()
        name = filename or _default_name(part)
        label = _attachment_where(where, name)
        is_message = part.get_content_maintype() == "message" and isinstance(part.get_payload(), list)
        if is_message and cte(part) in IDENTITY_ENCODINGS:
            inner = _payload_messages(part)
            if inner:
                self.filename(label, filename)
                self.nested_message(inner[0], label, depth + 1)
                return
        if is_message:
            data = rfc822_bytes(part)
        else:
            data = self.decoded(part, label)
        if ctype in _SIGNATURE_TYPES or name.lower().endswith(_SIGNATURE_NAMES):
            if _is_signature(data):
                return  # a signature that parses as one carries no content
        if ctype == "application/pgp-encrypted" and regex.fullmatch(rb"(?i)\s*version:\s*1\s*", data):
            return  # the PGP/MIME control part
        if ctype.startswith("image/") or sniff(data) is Kind.IMAGE:
            content_id = (part.get("content-id") or "").strip().strip("<>").lower()
            if content_id and content_id in self.cid_refs and _is_small_image(data):
                return  # an inline logo referenced from the HTML body
        self.document(name, ctype, data, label, depth, _param(part, "charset") or None, named=filename is not None)

    def filename(self, label: str, name: str | None) -> None:
        """An attachment's file name is text of its own: 'Tom Wilson DOB 01.02.2015 referral.pdf'."""
        if name and name.strip():
            path = label.removeprefix("attachment:")
            # Underscores join words in file names; a space keeps the offsets and splits the words.
            self.result.pieces.append(TextPiece(f"filename:{path}", name.replace("_", " ")))

    def document(self, name: str, declared: str, data: bytes, label: str, depth: int,
                 charset: str | None = None, named: bool = True) -> None:
        if named:
            self.filename(label, name)
        if depth > self.limits.max_depth:
            self.unreadable(label, f"nested deeper than {self.limits.max_depth} levels")
            return
        if len(data) > self.limits.max_attachment_bytes:
            self.unreadable(label, f"larger than {self.limits.max_attachment_bytes} bytes")
            return
        if not self.budget.take(len(data)):
            self.unreadable(label, "message unpacks to more than the total size limit")
            return
        kind = sniff(data, name, declared)
        try:
            text, truncated = self.read(kind, name, declared, data, label, depth, charset)
        except UnreadableDocument as exc:
            self.unreadable(label, str(exc))
            return
        except Exception as exc:  # a parser bug on hostile input must not crash the scan
            self.unreadable(label, f"could not be read ({type(exc).__name__})")
            return
        if text is None:
            return
        if truncated or len(text) > self.limits.max_text_chars:
            self.unreadable(label, "only partly read: over the size limits")
        if text.strip():
            self.result.pieces.append(TextPiece(label, text[: self.limits.max_text_chars]))

    def read(self, kind: Kind, name: str, declared: str, data: bytes, label: str, depth: int,
             charset: str | None) -> tuple[str | None, bool]:
        """Text of one file by its sniffed kind; None when its content went elsewhere."""
        if kind is Kind.EMPTY:
            return None, False
        if kind in _READERS:
            reader: Callable[[bytes, ExtractionLimits], DocumentContent] = getattr(documents, _READERS[kind])
            return self.content(reader(data, self.limits), data, label, depth)
        if kind is Kind.PDF:
            return self.pdf(data, label, depth)
        if kind is Kind.IMAGE:
            return self.ocr_image(data), False
        if kind is Kind.ZIP:
            self.archive(data, label, depth)
            return None, False
        if kind is Kind.EMAIL:
            try:
                inner = parse(data)
            except NotAnEmail as exc:
                raise UnreadableDocument(str(exc)) from exc
            self.nested_message(inner, label, depth + 1)
            return None, False
        if kind is Kind.HTML:
            return html_to_text(decode_text(data, charset)), False
        if kind is Kind.CSV:
            return documents.csv_text(data), False
        if kind is Kind.RTF:
            return documents.rtf_text(data), False
        if kind is Kind.TEXT:
            return self.clear_text(decode_text(data, charset), label, depth), False
        if kind is Kind.CMS:
            return self.cms(data, label, depth)
        if kind is Kind.OPENPGP:
            if ciphertext.is_openpgp_signature(data):
                return None, False
            raise UnreadableDocument("encrypted attachment")
        if kind is Kind.OLE:
            raise UnreadableDocument("legacy Office, Outlook item or password-protected document")
        if kind is Kind.COMPRESSED:
            raise UnreadableDocument("compressed archive of a kind that is not unpacked (gzip, 7z, RAR, tar...)")
        raise UnreadableDocument(f"unrecognised file content (declared {declared or 'nothing'})")

    def content(self, content: DocumentContent, data: bytes, label: str, depth: int) -> tuple[str, bool]:
        for problem in content.problems:
            self.unreadable(label, problem)
        for inner_name, inner_data in content.embedded:
            self.document(inner_name, "", inner_data, f"{label}/{inner_name}", depth + 1)
        text = content.text
        if content.ocr_pages:
            text += "\n" + self.ocr_pdf(data, content.ocr_pages, label)
        return text, content.truncated

    def pdf(self, data: bytes, label: str, depth: int) -> tuple[str, bool]:
        return self.content(documents.pdf_content(data, self.limits), data, label, depth)

    def archive(self, data: bytes, label: str, depth: int) -> None:
        for member in archive.members(data, self.limits, label):
            if isinstance(member, Unreadable):
                self.result.unreadable.append(member)
            else:
                member_name, member_data = member
                self.document(member_name, "", member_data, f"{label}/{member_name}", depth + 1)

    def cms(self, data: bytes, label: str, depth: int) -> tuple[str | None, bool]:
        content = ciphertext.cms_content(data)
        if content is None or content.kind == "other":
            raise UnreadableDocument("unrecognised CMS/PKCS#7 object")
        if content.kind == "enveloped":
            raise UnreadableDocument("encrypted attachment")
        if content.signed_content is None:
            return None, False  # a detached signature
        # Opaque-signed S/MIME: the signed bytes are a MIME entity in the clear.
        inner = email.message_from_bytes(content.signed_content, policy=email.policy.compat32)
        self.nested_message(inner, label, depth + 1)
        return None, False

    # -- OCR -------------------------------------------------------------------
    def ocr_left(self) -> tuple[ExtractionLimits, float]:
        """Limits for more OCR, and the seconds left of this message's OCR time budget."""
        if not self.limits.ocr_enabled:
            raise UnreadableDocument("image or scanned page not read: OCR is switched off ([limits] ocr)")
        left = self.limits.ocr_budget_seconds - self.budget.ocr_seconds
        if left <= 0.5:
            raise UnreadableDocument(f"image or scanned page not read: over the OCR time budget ({self.limits.ocr_budget_seconds:g} s)")
        return dataclasses.replace(self.limits, ocr_timeout_seconds=min(self.limits.ocr_timeout_seconds, left)), left

    def ocr_image(self, data: bytes) -> str:
        from detectors.extract import ocr

        limits, left = self.ocr_left()
        frames = self.limits.max_ocr_images - self.budget.ocr_used
        if frames <= 0:
            raise UnreadableDocument(f"more than {self.limits.max_ocr_images} images or scanned pages to OCR")
        started = time.monotonic()
        try:
            text = ocr.image_text(data, limits, max_frames=frames, time_budget=left)
        finally:
            self.budget.ocr_seconds += time.monotonic() - started
        self.budget.ocr_used += 1
        return text

    def ocr_pdf(self, data: bytes, pages: list[int], label: str) -> str:
        from detectors.extract import ocr

        try:
            limits, left = self.ocr_left()
        except UnreadableDocument as exc:
            self.unreadable(label, str(exc))
            return ""
        allowed = self.budget.ocr_left(len(pages))
        if allowed < len(pages):
            self.unreadable(label, f"more than {self.limits.max_ocr_images} images or scanned pages to OCR")
        if not allowed:
            return ""
        started = time.monotonic()
        try:
            text, not_read = ocr.pdf_pages_text(data, pages[:allowed], limits, max_pages=allowed, time_budget=left)
        except UnreadableDocument as exc:
            self.unreadable(label, str(exc))
            return ""
        finally:
            self.budget.ocr_seconds += time.monotonic() - started
        if not_read:
            self.unreadable(label, f"{len(not_read)} scanned page(s) not read: over the OCR limits")
        return text

    def data_uris(self, markup: str, where: str, depth: int) -> None:
        """Files carried inside the HTML itself (``src="data:image/png;base64,..."``, CSV download links)."""
        if "data:" not in markup:
            return
        for index, match in enumerate(_DATA_URI.finditer(markup), start=1):
            name = f"inline-data-{index}"
            label = _attachment_where(where, name)
            if match.group("b64"):
                data, problem = lenient_base64(match.group("data").encode("ascii", "ignore"))
                if problem:
                    self.unreadable(label, problem)
                    continue
            else:
                data = unquote_to_bytes(match.group("data"))
            if sniff(data) is Kind.IMAGE and _is_small_image(data):
                continue  # an icon or logo
            self.document(name, match.group("type") or "text/plain", data, label, depth + 1, named=False)

    # -- text ------------------------------------------------------------------
    def clear_text(self, text: str, where: str, depth: int) -> str:
        """Plain text with PGP armour judged and uuencoded files taken out and read."""
        if "-----BEGIN PGP" in text:
            text = self.pgp_armour(text, where, depth)
        if "begin" in text:
            text = self.uuencoded(text, where, depth)
        return text + _escaped_readings(text)

    def pgp_armour(self, text: str, where: str, depth: int) -> str:
        out: list[str] = []
        last = 0
        for block in ciphertext.armour_blocks(text):
            out.append(text[last : block.start])
            out.append(block.headers)  # "Comment: ..." lines are clear text whatever the block holds
            last = block.end
            user_ids = ciphertext.public_key_user_ids(block.payload) if block.kind == "PUBLIC KEY BLOCK" and block.payload else None
            if block.kind == "SIGNED MESSAGE":
                out.append(_clear_signed_body(text[block.start : block.end]))
            elif block.kind == "SIGNATURE" and block.payload and ciphertext.is_openpgp_signature(block.payload):
                continue  # a real signature: no content
            elif block.kind == "MESSAGE" and block.payload and ciphertext.is_openpgp_ciphertext(block.payload):
                self.unreadable(where, "encrypted block inside an unencrypted message")
            elif user_ids is not None:
                out.append("\n".join(user_ids))  # a real key: its user IDs name people
            else:
                # Armour that is not what it says: read the clear text and what it decodes to.
                out.append(text[block.start : block.end])
                if block.payload:
                    self.document("pgp-block", "", block.payload, f"{_attachment_where(where, 'pgp-block')}", depth + 1, named=False)
        out.append(text[last:])
        return "".join(out)

    def uuencoded(self, text: str, where: str, depth: int) -> str:
        kept: list[str] = []
        lines = text.split("\n")
        i = 0
        while i < len(lines):
            match = _UU_BEGIN.match(lines[i])
            if not match:
                kept.append(lines[i])
                i += 1
                continue
            end = i + 1
            closing = "====" if match.group("b64") else "end"
            while end < len(lines) and lines[end].strip() != closing:
                end += 1
            if end >= len(lines):  # no closing line: not a uuencoded file, just text that starts so
                kept.append(lines[i])
                i += 1
                continue
            name = match.group("name").strip() or "uuencoded"
            block = lines[i + 1 : end]
            label = _attachment_where(where, name)
            try:
                data = uu_decode(block) if not match.group("b64") else base64.b64decode("".join(block))
            except (binascii.Error, ValueError):
                data = b""
            if not data and any(line.strip(" `") for line in block):
                # It does not decode to anything: keep the lines as text, and say so.
                kept.extend(lines[i : end + 1])
                self.unreadable(label, "damaged uuencoded file")
                i = end + 1
                continue
            i = end + 1
            self.document(name, "", data, label, depth + 1)
        return "\n".join(kept)

    def nested_message(self, inner: Message, label: str, depth: int) -> None:
        if depth > self.limits.max_depth:
            self.unreadable(label, f"nested deeper than {self.limits.max_depth} levels")
            return
        subject = _header(inner, "subject")
        if _is_encrypted(inner):
            if subject:
                self.result.pieces.append(TextPiece(label, f"Subject: {subject}"))
            self.unreadable(label, "encrypted message attached")
            return
        texts: list[str] = [_forward_header(inner)]
        self.walk(inner, label, texts, depth)
        joined = "\n\n".join(t for t in texts if t)
        if joined.strip():
            self.result.pieces.append(TextPiece(label, joined))


_READERS: dict[Kind, str] = {  # kind -> reader in documents (each returns DocumentContent)
    Kind.DOCX: "docx_content",
    Kind.XLSX: "xlsx_content",
    Kind.PPTX: "pptx_content",
    Kind.OPENDOCUMENT: "opendocument_content",
    Kind.TNEF: "tnef_content",
}
_UU_BEGIN = regex.compile(r"^begin(?P<b64>-base64)?[ \t]+[0-7]{3,4}[ \t]+(?P<name>[^\n]{1,255})$")
_DATA_URI = regex.compile(
    r"(?i)data:(?P<type>[\w-]{1,40}/[\w.+-]{1,80})?(?:;[\w-]{1,40}=[\w.-]{1,40}){0,4}(?P<b64>;base64)?,"
    r"(?P<data>[A-Za-z0-9+/=%._~!$&*:@\s-]{16,})"
)
def _is_signature(data: bytes) -> bool:
    if data[:1] and data[0] & 0x80 and ciphertext.is_openpgp_signature(data):
        return True
    text = data[:100_000].decode("latin-1")
    if "-----BEGIN PGP SIGNATURE-----" in text:
        blocks = ciphertext.armour_blocks(text)
        outside = "".join(text[a.end : b.start] for a, b in zip(blocks, blocks[1:], strict=False))
        outside += text[: blocks[0].start] + text[blocks[-1].end :] if blocks else text
        return (
            bool(blocks)
            and not outside.strip()
            and all(b.kind == "SIGNATURE" and b.payload and ciphertext.is_openpgp_signature(b.payload) for b in blocks)
        )
    content = ciphertext.cms_content(data)
    return content is not None and content.kind == "signed" and content.signed_content is None


def _clear_signed_body(block: str) -> str:
    """The clear text of a clear-signed message: headers and signature off, dash-escapes undone."""
    lines = block.split("\n")[1:]
    while lines and regex.match(r"(?i)hash:", lines[0]):
        lines.pop(0)
    text = "\n".join(lines)
    signature = text.find("-----BEGIN PGP SIGNATURE-----")
    if signature != -1:
        text = text[:signature]
    return "\n".join(line[2:] if line.startswith("- ") else line for line in text.split("\n"))


def _cid_references(msg: Message) -> frozenset[str]:
    """Content-IDs that the HTML body shows inline ("cid:logo@halton")."""
    refs: set[str] = set()
    for part in msg.walk():
        if part.get_content_type() == "text/html" and not part.is_multipart():
            html = payload_bytes(part)[0].decode("latin-1")
            refs.update(m.lower() for m in regex.findall(r"(?i)cid:([^\"'\s>)]+)", html))
    return frozenset(refs)


def _is_small_image(data: bytes) -> bool:
    from detectors.extract import ocr

    size = ocr.image_size(data)
    return size is not None and size[0] * size[1] <= _LOGO_MAX_PIXELS


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except (ValueError, LookupError, UnicodeError, TypeError):  # the stdlib on broken RFC 2231 continuations
        return "attachment"
    return None if name is None else decode_words(name)


def _param(part: Message, name: str) -> str:
    """A Content-Type parameter, lower-cased; "" when absent or when the stdlib cannot parse it
    (it raises TypeError on broken RFC 2231 continuations)."""
    try:
        value = part.get_param(name)
    except Exception:
        return ""
    if isinstance(value, tuple):  # RFC 2231: (charset, language, value)
        value = email.utils.collapse_rfc2231_value(value)
    return str(value or "").strip().lower()


def _is_attachment(part: Message) -> bool:
    disposition = str(part.get("content-disposition") or "").split(";")[0].strip().lower()
    return disposition == "attachment" and not part.is_multipart()


def _default_name(part: Message) -> str:
    ctype = part.get_content_type()
    return {"message/rfc822": "message.eml", "text/plain": "attachment.txt", "text/html": "attachment.html"}.get(
        ctype, "part-" + ctype.replace("/", "-")
    )


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


def _forward_header(msg: Message) -> str:
    lines = []
    for name in ("From", "To", "Cc", "Date", "Subject"):
        value = _header(msg, name)
        if value:
            lines.append(f"{name}: {value}")
    return "\n".join(lines)


def _normalise(text: str) -> str:
    return " ".join(re.findall(r"\w+", text))
