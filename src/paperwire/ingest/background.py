"""Reading a large file in a reader process, so parsing runs on another core.

Parsing and writing are both Python work; in one process they take turns on the GIL.
``python -m paperwire.ingest.background`` parses a file and writes batches to its
standard output as pickles; the writer reads them in order, errors included.

The reader also runs the store's ``row_preparer`` on each record and sends what it
makes instead of the record, so that what a new paper needs written is ready before
the writer sees it.

The reader is started as its own small program rather than with multiprocessing's
spawn, which would first re-import the parent's main module (the whole CLI).
"""

from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import BinaryIO

from paperwire.ingest.batch import Batch, batches_of
from paperwire.ingest.collector import fewer_collections
from paperwire.records import PaperRecord

# Starting a reader costs a few tenths of a second: worth it only for large files.
MIN_BYTES = 4 * 1024 * 1024
_BATCH = "batch"
_END = "end"
_FAILED = "failed"

Preparer = Callable[[PaperRecord], object]


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
        # -P: the working directory must not shadow installed modules.
        [sys.executable, "-P", "-m", __name__, path, fmt, str(batch_size), preparer],
        stdout=subprocess.PIPE,
    )
    assert reader.stdout is not None
    try:
        while True:
            try:
                message = pickle.load(reader.stdout)
            except (EOFError, pickle.UnpicklingError):
                code = reader.wait()
                raise RuntimeError(f"{path}: the reader process ended (exit code {code})") from None
            kind = message[0]
            if kind == _END:
                return
            if kind == _FAILED:
                raise message[1]
            yield message[1]
    finally:
        reader.stdout.close()  # a reader still writing stops on the closed pipe
        try:
            reader.wait(timeout=5)
        except subprocess.TimeoutExpired:
            reader.kill()
            reader.wait()


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
            if prepare:
                batch.records = [prepare(record) for record in batch.records]
            _send(out, (_BATCH, batch))
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
        with fewer_collections():
            _run_reader(path, fmt, int(batch_size), preparer, out)
    except (BrokenPipeError, KeyboardInterrupt):
        # The writer is gone or was interrupted: stop quietly, with nothing left to flush.
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
