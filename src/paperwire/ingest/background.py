"""Reading a large file in a reader process, so parsing runs on another core.

Parsing and writing are both Python work; in one process they take turns on the GIL.
``python -m paperwire.ingest.background`` parses a file and writes batches to its
standard output as pickles; the writer reads them in order, errors included.

The reader also runs the store's ``row_preparer`` on each record, so what a new paper
needs written is ready before the writer sees it. The records themselves travel
pickled as one blob per batch and are unpickled only if the writer reads them (a
record that is not a new paper); for a fresh import, the writer never does.

The reader is started as its own small program rather than with multiprocessing's
spawn, which would first re-import the parent's main module (the whole CLI).
"""

from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO, overload

from paperwire.ingest.batch import Batch, batches_of
from paperwire.records import PaperRecord

# Starting a reader costs a few tenths of a second: worth it only for large files.
MIN_BYTES = 4 * 1024 * 1024
_BATCH = "batch"
_END = "end"
_FAILED = "failed"

Preparer = Callable[[PaperRecord], object]


class PickledRecords(Sequence[PaperRecord]):
    """A batch's records, unpickled on first access."""

    def __init__(self, blob: bytes, count: int) -> None:
        self._blob = blob
        self._count = count
        self._records: list[PaperRecord] | None = None

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> PaperRecord: ...
    @overload
    def __getitem__(self, index: slice) -> list[PaperRecord]: ...
    def __getitem__(self, index: int | slice) -> PaperRecord | list[PaperRecord]:
        if self._records is None:
            self._records = pickle.loads(self._blob)
            self._blob = b""
        return self._records[index]


def read_batches(
    path: str, fmt: str = "auto", *, batch_size: int = 1000, prepare: Preparer | None = None
) -> Iterator[Batch]:
    """The file's records in batches: from a reader process for large files, else here."""
    from paperwire.ingest.reader import read_records

    try:
        large = os.path.getsize(path) >= MIN_BYTES
    except OSError:
        large = False  # read_records reports the problem
    if large:
        return read_batches_in_background(path, fmt, batch_size=batch_size, prepare=prepare)
    return batches_of(read_records(path, fmt), batch_size)


def read_batches_in_background(
    path: str, fmt: str = "auto", *, batch_size: int = 1000, prepare: Preparer | None = None
) -> Iterator[Batch]:
    """``read_batches`` in a reader process, which also runs ``prepare`` on each record."""
    preparer = f"{prepare.__module__}:{prepare.__qualname__}" if prepare else "-"
    reader = subprocess.Popen(
        [sys.executable, "-m", __name__, path, fmt, str(batch_size), preparer],
        stdout=subprocess.PIPE,
    )
    assert reader.stdout is not None
    try:
        while True:
            try:
                message = pickle.load(reader.stdout)
            except EOFError:
                code = reader.wait()
                raise RuntimeError(f"{path}: the reader process ended (exit code {code})") from None
            kind = message[0]
            if kind == _END:
                return
            if kind == _FAILED:
                raise message[1]
            _, blob, count, errors, prepared = message
            yield Batch(records=PickledRecords(blob, count), errors=errors, prepared=prepared)
    finally:
        if reader.poll() is None:
            reader.kill()
        reader.wait()
        reader.stdout.close()


def _send(out: BinaryIO, message: tuple[object, ...]) -> None:
    pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)


def _run_reader(path: str, fmt: str, batch_size: int, preparer: str, out: BinaryIO) -> None:
    from paperwire.ingest.reader import read_records

    prepare: Preparer | None = None
    if preparer != "-":
        module, name = preparer.split(":")
        prepare = getattr(importlib.import_module(module), name)
    try:
        for batch in batches_of(read_records(path, fmt), batch_size):
            records = list(batch.records)
            prepared = [prepare(record) for record in records] if prepare else None
            blob = pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL)
            _send(out, (_BATCH, blob, len(records), batch.errors, prepared))
        _send(out, (_END,))
    except Exception as error:  # handed to the writer, which raises it
        _send(out, (_FAILED, error))
    out.flush()


def main(argv: list[str]) -> int:
    """The reader process: ``PATH FORMAT BATCH_SIZE PREPARER`` (``module:function`` or -)."""
    path, fmt, batch_size, preparer = argv
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but batches on the pipe
    try:
        _run_reader(path, fmt, int(batch_size), preparer, out)
    except (BrokenPipeError, KeyboardInterrupt):
        # The writer is gone or was interrupted: stop quietly, with nothing left to flush.
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
