"""Read a document (.txt in UTF-8 or GB18030, .docx, a PDF's text layer, an old .doc, or text) into one string.

PDFs go through poppler's ``pdftotext``, old ``.doc`` files through LibreOffice
(``soffice --headless --convert-to docx``): Debian's poppler-utils and
libreoffice-writer, which ``.ci/run`` installs. Without them those two formats
are a ``DraftError`` that names the package.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from ..errors import DraftError

__all__ = ["decode", "read_document", "unwrap"]

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
    """The text of a document file: ``.docx`` through python-docx, a PDF through pdftotext, an old
    ``.doc`` through LibreOffice, anything else as text.

    Raises:
        DraftError: the file is missing, too large, not a document, a .docx while python-docx
            (the ``draft`` extra) is not installed, or a PDF / .doc while its tool is missing.
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
    if raw.startswith(b"%PDF-"):
        return _pdf_text(p)
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        # An OLE container: a Word .doc has a "WordDocument" stream (named in UTF-16 in its directory).
        if "WordDocument".encode("utf-16-le") not in raw:
            raise DraftError(f"{p}: an OLE file that is not a Word document (an .xls or .ppt?)",
                             f"{p}:OLE 文件但不是 Word 文档(.xls 或 .ppt?)")
        return _doc_text(p)
    if p.suffix.lower() == ".doc":
        raise DraftError(f"{p}: not a Word .doc file (no OLE header)", f"{p}:不是 Word .doc 文件(无 OLE 文件头)")
    return decode(raw, source=str(p))


def _tool(name: str, package: str, source: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DraftError(f"{source}: reading it needs {name} (Debian: apt-get install {package})",
                         f"{source}:读取此文件需要 {name}(Debian:apt-get install {package})")
    return path


def _run(cmd: list[str], source: str, timeout: float) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=timeout, check=True)  # noqa: S603 - a fixed tool
    except subprocess.TimeoutExpired:
        raise DraftError(f"{source}: {Path(cmd[0]).name} took more than {timeout:.0f} s",
                         f"{source}:{Path(cmd[0]).name} 超过 {timeout:.0f} 秒未完成") from None
    except (subprocess.CalledProcessError, OSError) as exc:
        err = getattr(exc, "stderr", b"") or b""
        detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [str(exc)]
        raise DraftError(f"{source}: {Path(cmd[0]).name} cannot read it: {detail[0]}",
                         f"{source}:{Path(cmd[0]).name} 无法读取:{detail[0]}") from None


def _pdf_text(path: Path) -> str:
    """A PDF's text layer through poppler's pdftotext, its visual lines joined back into paragraphs."""
    exe = _tool("pdftotext", "poppler-utils", str(path))
    out = _run([exe, "-enc", "UTF-8", "-nopgbrk", str(path), "-"], str(path), 60).stdout
    text = out.decode("utf-8", "replace").replace("\r\n", "\n").replace("\f", "\n")
    if not text.strip():
        raise DraftError(f"{path}: the PDF has no text layer (a scan?); run OCR first or give the text",
                         f"{path}:该 PDF 没有文字层(扫描件?);请先做文字识别或提供文本")
    return unwrap(text)


def _doc_text(path: Path) -> str:
    """An old Word .doc, converted to .docx by LibreOffice (headless, with a private profile) and read."""
    exe = _tool("soffice", "libreoffice-writer", str(path))
    with tempfile.TemporaryDirectory(prefix="campaignflow-doc-") as tmp:
        # A private profile: no clash with an office already running, or with another conversion.
        profile = Path(tmp, "profile").as_uri()
        _run([exe, f"-env:UserInstallation={profile}", "--headless", "--infilter=MS Word 97", "--convert-to", "docx",
              "--outdir", tmp, str(path)], str(path), 120)
        converted = Path(tmp, path.stem + ".docx")
        if not converted.is_file():
            raise DraftError(f"{path}: LibreOffice did not convert it (not a Word document?)",
                             f"{path}:LibreOffice 未能转换(不是 Word 文档?)")
        return _docx_text(converted.read_bytes(), str(path))


_MARKER = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、．.]|[(（][一二三四五六七八九十0-9]+[)）]|[0-9]+[.、．]|[①-⑳]|"
                     r"[一二三四五六七八九十]+是)")
_END = "。；;：:！!？?）)」』”"


def unwrap(text: str) -> str:
    """Text laid out in visual lines (a PDF's) with each paragraph back on one line.

    A line break is kept after a sentence's end, before an outline marker (一、 (一) 1. ①)
    or a blank line, and after a short line (a title, a heading, a paragraph's last
    line: shorter than most of the document's lines); elsewhere it only wrapped a line.
    """
    lines = text.split("\n")
    widths = sorted(len(ln.strip()) for ln in lines if ln.strip())
    full = widths[int(len(widths) * 0.75)] if widths else 0  # most lines of a paragraph are this wide
    out: list[str] = []
    for line in lines:
        cur = line.strip()
        prev = out[-1] if out else ""
        if (cur and prev and prev[-1] not in _END and not _MARKER.match(cur)
                and len(prev.split("\n")[-1]) >= 0.8 * full and full >= 10):
            out[-1] = prev + cur
        else:
            out.append(cur)
    return "\n".join(out)


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
