"""Open any supported input file, tell its format by its content, and read its records.

Problems that make a whole file unusable (missing, binary, UTF-16, unknown format), or
the rest of it (corrupt gzip; a byte that is not UTF-8 in an XML file) raise
:class:`UnreadableInput` with the file, and where it can, the line and byte offset.
Problems with single records, and lines of line formats that cannot be read (not UTF-8,
over the record size limit), come back as RecordError values, and reading goes on.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
import zlib
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

from paperwire.ingest.formats import FORMATS
from paperwire.ingest.formats.common import non_blank
from paperwire.limits import MAX_RECORD_BYTES
from paperwire.records import PaperRecord, RecordError, UnreadableInput

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 8192
SNIFF_JSON_LINES = 5
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_XML_ROOT = re.compile(r"\s*<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]")
_XML_SKIP = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)", re.DOTALL)
_SNAPSHOT_KEYS = {"versions", "authors_parsed", "submitter"}
_NEWLINE = ord("\n")
_Binary = gzip.GzipFile | io.BufferedReader
_SKIP_BYTES = 1 << 16  # what skipping an over-long line holds at a time


def open_text(
    path: str, *, max_record_bytes: int = MAX_RECORD_BYTES, lenient: bool = False
) -> CheckedText:
    """Open ``path`` as UTF-8 text, gunzipping it when it starts with the gzip magic bytes.

    A UTF-8 byte-order mark is dropped. Binary and UTF-16 files are refused at once.
    Lines longer than ``max_record_bytes`` and lines that are not UTF-8 come as
    RecordErrors when iterating; ``read`` raises UnreadableInput at the first byte that
    is not UTF-8 (naming its line and byte offset in the uncompressed data), unless
    ``lenient``, which replaces it (for telling the format).
    """
    binary = _open_binary(path)
    try:
        head = _guarded(path, binary.read, SNIFF_BYTES)
        if head.startswith(_UTF16_BOMS):
            raise UnreadableInput(f"{path}: UTF-16 text; convert the file to UTF-8")
        nul = head.find(b"\x00")
        if nul >= 0:
            raise UnreadableInput(f"{path}: binary file (NUL byte at offset {nul}), not text")
        binary.seek(0)
    except BaseException:
        binary.close()
        raise
    return CheckedText(binary, path, max_record_bytes, "replace" if lenient else "strict")


def _open_binary(path: str) -> _Binary:
    try:
        with open(path, "rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
        return gzip.open(path, "rb") if compressed else open(path, "rb")
    except FileNotFoundError:
        raise UnreadableInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UnreadableInput(f"{path}: is a directory, not a file") from None
    except OSError as error:
        raise UnreadableInput(f"{path}: cannot open: {error.strerror or error}") from None


def _guarded(path: str, read: Callable[[int], bytes], size: int, line: int = 0) -> bytes:
    try:
        return read(size)
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        where = f" at line {line}" if line else ""
        raise UnreadableInput(
            f"{path}: corrupt or truncated gzip data{where} ({error}); "
            f"nothing from there on was read"
        ) from None


class CheckedText:
    """A strict UTF-8 text reader that reports where decoding failed, and reads lines
    only up to the record size limit.

    ``io.TextIOWrapper`` reports a decoding error relative to its internal buffer, and
    reads a line whole however long it is. Iterating over this one gives each line, or,
    in its place, a RecordError for a line that is not UTF-8 or longer than
    ``max_record_bytes`` (skipped to its end, never held whole), so that reading goes
    on with the next line. ``read`` and ``readline`` raise UnreadableInput instead
    (XML cannot be read on past a bad byte). Line ends are passed through unchanged.

    Not an ``io.TextIOBase``: iterating gives ``str | RecordError``, not ``str``. It is
    the parsers' :class:`~paperwire.ingest.formats.TextSource`, and a context manager
    that closes the file.
    """

    def __init__(
        self,
        binary: _Binary,
        path: str,
        max_record_bytes: int = MAX_RECORD_BYTES,
        errors: str = "strict",
    ) -> None:
        self._binary = binary
        self._path = path
        self.max_record_bytes = max_record_bytes
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors)
        self._offset = 0
        self._lines = 1
        self.closed = False

    def __enter__(self) -> CheckedText:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        data = self._read(self._binary.read, -1 if size is None else size)
        return self._decode(data, final=size is None or size < 0 or not data)

    def readline(self, size: int | None = -1) -> str:
        data = self._read(self._binary.readline, -1 if size is None else size)
        return self._decode(data, final=not data)

    def __next__(self) -> str | RecordError:
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        data = self._read(self._binary.readline, self.max_record_bytes + 1)
        if not data:
            self._decode(data, final=True)  # raises on an incomplete character at the end
            raise StopIteration
        if len(data) > self.max_record_bytes and data[-1] != _NEWLINE:
            return self._skip_long_line(len(data))
        line, offset = self._lines, self._offset
        self._lines, self._offset = line + 1, offset + len(data)
        try:
            return self._decoder.decode(data, True)
        except UnicodeDecodeError as error:
            self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
            return self._bad_line(line, offset, error)

    def __iter__(self) -> CheckedText:
        return self

    def close(self) -> None:
        self._binary.close()
        self.closed = True

    def _read(self, read: Callable[[int], bytes], size: int) -> bytes:
        return _guarded(self._path, read, size, self._lines)

    def _skip_long_line(self, size: int) -> RecordError:
        line = self._lines
        while True:
            chunk = self._read(self._binary.readline, _SKIP_BYTES)
            size += len(chunk)
            if not chunk or chunk[-1] == _NEWLINE:
                break
        self._offset += size
        self._lines += 1
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        return RecordError(
            self._path,
            line,
            f"line of {size:,} bytes is over the record size limit of "
            f"{self.max_record_bytes:,} bytes (PAPERWIRE_INGEST_MAX_RECORD_BYTES); skipped",
        )

    def _bad_line(self, line: int, offset: int, error: UnicodeDecodeError) -> RecordError:
        bad = error.object[error.start : error.start + 1].hex()
        return RecordError(
            self._path,
            line,
            f"not UTF-8 text: byte 0x{bad} at byte offset {offset + error.start} "
            f"({error.reason}); the line was not read",
            unreadable=True,
        )

    def _decode(self, data: bytes, final: bool) -> str:
        try:
            text = self._decoder.decode(data, final)
        except UnicodeDecodeError as error:
            where = self._offset + error.start
            line = self._lines + data.count(b"\n", 0, error.start)
            bad = error.object[error.start : error.start + 1].hex()
            raise UnreadableInput(
                f"{self._path}: not UTF-8 text: byte 0x{bad} at line {line}, byte offset "
                f"{where} ({error.reason}); nothing from there on was read; "
                f"convert the file to UTF-8"
            ) from None
        self._offset += len(data)
        self._lines += data.count(b"\n")
        return text


def detect_format(path: str) -> str:
    """The name of ``path``'s format (a key of FORMATS), told from its first bytes and lines."""
    with open_text(path, lenient=True) as stream:
        start = stream.read(SNIFF_BYTES).lstrip()
        while not start:
            chunk = stream.read(SNIFF_BYTES)
            if not chunk:
                raise UnreadableInput(f"{path}: empty file")
            start = chunk.lstrip()
    if start.startswith("<"):
        return _xml_format(start, path)
    if start.startswith("["):
        return "hf-daily"
    if start.startswith("{"):
        return _json_lines_format(path)
    return "listing"


def read_records(
    path: str, fmt: str = "auto", *, max_record_bytes: int = MAX_RECORD_BYTES
) -> Iterator[PaperRecord | RecordError]:
    """Records (and RecordErrors) from ``path`` in format ``fmt``, or the detected one;
    a record over ``max_record_bytes`` comes as a RecordError."""
    if fmt == "auto":
        fmt = detect_format(path)
    parser = FORMATS.get(fmt)
    if parser is None:
        raise ValueError(f"unknown format {fmt!r}; known formats: {', '.join(FORMATS)}")
    with open_text(path, max_record_bytes=max_record_bytes) as stream:
        yield from parser(stream, path)


def _xml_format(start: str, path: str) -> str:
    position = 0
    while match := _XML_SKIP.match(start, position):
        if match.end() == position:
            break
        position = match.end()
    root = _XML_ROOT.match(start, position)
    name = root.group(1) if root else None
    if name == "OAI-PMH":
        return "oai-pmh"
    if name == "feed":
        return "arxiv-atom"
    what = f"<{name}>" if name else "no root element found"
    raise UnreadableInput(
        f"{path}: XML, but not an arXiv Atom feed or an OAI-PMH response ({what})"
    )


def _json_lines_format(path: str) -> str:
    """Tell the JSON lines formats apart by the keys of the first object that parses."""
    obj: dict[str, Any] | None = None
    with open_text(path, lenient=True) as stream:
        for _, line in islice(non_blank(stream), SNIFF_JSON_LINES):
            if not isinstance(line, str):
                continue
            try:
                parsed = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(parsed, dict):
                obj = parsed
                break
    if obj is None:
        raise UnreadableInput(
            f"{path}: starts with '{{' but none of its first lines is a JSON object"
        )
    fmt = _json_keys_format(obj)
    if fmt is None:
        shown = ", ".join(sorted(obj)[:8])
        raise UnreadableInput(f"{path}: JSON lines of an unknown kind (keys: {shown})")
    return fmt


def _json_keys_format(obj: dict[str, Any]) -> str | None:
    keys = obj.keys()
    marker = obj.get("format")
    if isinstance(marker, str) and marker.startswith("paperwire/"):
        return "jsonl"
    if "_id" in keys and "text" in keys:
        return "beir"
    if keys & _SNAPSHOT_KEYS:
        return "arxiv-snapshot"
    if "paper" in keys:
        return "hf-daily"
    return None
