"""Reading a file in a child process, so parsing runs on the other core.

Parsing and upserting are both Python work; in one process they take turns on the GIL.
A child process parses and sends chunks of records (pickled) through a bounded queue;
the parent only unpickles and writes. Records arrive in file order, errors included.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
from collections.abc import Iterator

from paperwire.records import PaperRecord, RecordError

CHUNK = 500
# Starting a child costs a few tenths of a second: worth it only for large files.
MIN_BYTES = 4 * 1024 * 1024
_END = "end"
_FAILED = "failed"
_CHUNK = "chunk"


def _reader(path: str, fmt: str, out: multiprocessing.Queue, parent: int) -> None:  # type: ignore[type-arg]
    """Child process: parse ``path`` and send chunks until done, or until the parent is gone."""
    from paperwire.ingest.reader import read_records

    def send(message: tuple[str, object]) -> bool:
        while True:
            try:
                out.put(message, timeout=1)
                return True
            except queue.Full:
                if os.getppid() != parent:  # the parent was killed: stop, do not linger
                    out.cancel_join_thread()  # nobody will read what is still buffered
                    return False

    chunk: list[PaperRecord | RecordError] = []
    try:
        for item in read_records(path, fmt):
            chunk.append(item)
            if len(chunk) >= CHUNK:
                if not send((_CHUNK, chunk)):
                    return
                chunk = []
        if chunk and not send((_CHUNK, chunk)):
            return
        send((_END, None))
    except Exception as error:  # handed to the parent, which raises it
        send((_FAILED, error))


def read_records_anywhere(path: str, fmt: str = "auto") -> Iterator[PaperRecord | RecordError]:
    """``reader.read_records(path, fmt)``: in a child process for large files, else here."""
    from paperwire.ingest.reader import read_records

    try:
        large = os.path.getsize(path) >= MIN_BYTES
    except OSError:
        large = False  # read_records reports the problem
    return read_records_in_background(path, fmt) if large else read_records(path, fmt)


def read_records_in_background(path: str, fmt: str = "auto") -> Iterator[PaperRecord | RecordError]:
    """``reader.read_records(path, fmt)``, parsed in a child process."""
    context = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue = context.Queue(maxsize=8)  # type: ignore[type-arg]
    child = context.Process(
        target=_reader, args=(path, fmt, out, os.getpid()), name="paperwire-reader", daemon=True
    )
    child.start()
    try:
        while True:
            try:
                kind, payload = out.get(timeout=5)
            except queue.Empty:
                if not child.is_alive():
                    raise RuntimeError(f"{path}: the reader process died") from None
                continue
            if kind == _END:
                return
            if kind == _FAILED:
                raise payload  # type: ignore[misc]
            yield from payload  # type: ignore[misc]
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=5)
        out.close()
