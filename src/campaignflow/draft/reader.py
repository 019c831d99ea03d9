"""Read a document (.txt in UTF-8 or GB18030, .docx, or text) into one string."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ..errors import DraftError

__all__ = ["decode", "read_document"]

#: Larger inputs are refused: a plan document is a few pages, not a database dump.
MAX_BYTES = 5_000_000


def decode(raw: bytes, *, source: str = "<bytes>") -> str:
    """Text of ``raw``: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030.

    GB18030 covers GBK and GB2312, the encodings Chinese offices save plain text in.

    Raises:
        DraftError: the bytes are binary or in none of these encodings.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _check_text(raw.decode("utf-16"), source)
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8", "gb18030"):
        try:
            return _check_text(raw.decode(encoding), source)
        except UnicodeDecodeError:
            continue
    raise DraftError(f"{source}: not a text document (neither UTF-8 nor GB18030)",
                     f"{source}:不是文本文档(既非 UTF-8 也非 GB18030 编码)")


def _check_text(text: str, source: str) -> str:
    # NULs and other C0 controls (bar tab/newline/CR/FF) mean a binary file decoded by luck.
    bad = sum(1 for ch in text if ord(ch) < 0x20 and ch not in "\t\n\r\f")
    if bad and bad * 100 > len(text):
        raise DraftError(f"{source}: looks like a binary file, not a text document",
                         f"{source}:看起来是二进制文件,不是文本文档")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_document(path: str | Path) -> str:
    """The text of a document file: ``.docx`` through python-docx, anything else as text.

    Raises:
        DraftError: the file is missing, too large, not a document, or a .docx
            while python-docx (the ``draft`` extra) is not installed.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise DraftError(f"{p}: cannot read: {exc.strerror or exc}", f"{p}:无法读取:{exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise DraftError(f"{p}: {len(raw)} bytes is too large for a plan document (limit {MAX_BYTES})",
                         f"{p}:{len(raw)} 字节,超出方案文档的大小上限({MAX_BYTES})")
    if raw.startswith(b"PK\x03\x04"):
        return _docx_text(raw, str(p))
    if p.suffix.lower() == ".doc" or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise DraftError(f"{p}: old Word .doc files are not read; save it as .docx or .txt",
                         f"{p}:不支持旧版 Word .doc 文件,请另存为 .docx 或 .txt")
    return decode(raw, source=str(p))


def _docx_text(raw: bytes, source: str) -> str:
    try:
        import docx  # python-docx, the "draft" extra
    except ImportError:
        raise DraftError(f"{source}: reading .docx needs python-docx: pip install 'campaignflow[draft]'",
                         f"{source}:读取 .docx 需要 python-docx:pip install 'campaignflow[draft]'") from None
    try:
        document = docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DraftError(f"{source}: not a Word document: {exc}", f"{source}:不是 Word 文档:{exc}") from None
    except Exception as exc:  # noqa: BLE001 - python-docx raises lxml and package errors of many kinds
        raise DraftError(f"{source}: cannot read the Word document: {type(exc).__name__}",
                         f"{source}:无法读取 Word 文档:{type(exc).__name__}") from None
    lines = [para.text for para in document.paragraphs]
    # A 任务分工表 is a table: each row becomes one line, cells joined as the document's own words.
    for table in document.tables:
        for row in table.rows:
            cells = []
            for cell in row.cells:
                text = cell.text.strip()
                if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                    cells.append(text)
            if cells:
                lines.append("　".join(cells))
    return "\n".join(lines)
