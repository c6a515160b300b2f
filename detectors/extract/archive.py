"""ZIP members, read defensively: encryption, ratio, count and size limits."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING

from detectors.extract.documents import UnreadableDocument
from detectors.extract.limits import ExtractionLimits

if TYPE_CHECKING:
    from detectors.extract.message import Unreadable


def members(data: bytes, limits: ExtractionLimits, label: str) -> Iterator[tuple[str, bytes] | Unreadable]:
    from detectors.extract.message import Unreadable

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnreadableDocument("damaged ZIP archive") from exc
    with zf:
        # Comments travel inside the archive, shown by any unzip tool: read them as text.
        comments = b"\n".join(c for c in [zf.comment, *(i.comment for i in zf.infolist())] if c.strip())
        if comments:
            yield "(archive comments).txt", comments
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > limits.max_archive_members:
            yield Unreadable(label, f"more than {limits.max_archive_members} files in the archive")
            infos = infos[: limits.max_archive_members]
        for info in infos:
            where = f"{label}/{info.filename}"
            if info.flag_bits & 0x1:
                yield Unreadable(where, "password-protected ZIP member")
                continue
            if info.file_size > limits.max_attachment_bytes:
                yield Unreadable(where, f"larger than {limits.max_attachment_bytes} bytes")
                continue
            if info.compress_size and info.file_size / info.compress_size > limits.max_compression_ratio:
                yield Unreadable(where, f"compression ratio over {limits.max_compression_ratio:g}:1 (possible zip bomb)")
                continue
            try:
                with zf.open(info) as handle:
                    # Never trust the declared size: read at most one byte past the limit.
                    content = handle.read(limits.max_attachment_bytes + 1)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as exc:
                yield Unreadable(where, f"damaged ZIP member ({type(exc).__name__})")
                continue
            if len(content) > limits.max_attachment_bytes:
                yield Unreadable(where, f"larger than {limits.max_attachment_bytes} bytes")
                continue
            yield info.filename, content
