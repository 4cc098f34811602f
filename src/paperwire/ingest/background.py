"""Reading a large file in a reader process, so parsing runs on another core.

Parsing and writing are both Python work; in one process they take turns on the GIL.
``python -m paperwire.ingest.background`` parses a file and writes batches to its
standard output as pickles; the writer reads them in order, errors included.

The reader also runs the store's ``row_preparer`` on each record and sends what it
makes instead of the record, so that what a new paper needs written is ready before
the writer sees it. The writer names the preparer, on a pipe of its own, once its store
is open: a reader can be started first (``start_reader``), and its start-up and first
batch then overlap the writer's own.

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
from contextlib import suppress
from typing import BinaryIO, TextIO

from paperwire.ingest.batch import Batch, batches_of
from paperwire.ingest.collector import fewer_collections
from paperwire.limits import MAX_RECORD_BYTES
from paperwire.records import PaperRecord

# Starting a reader costs a few tenths of a second: worth it only for large files.
MIN_BYTES = 4 * 1024 * 1024
_BATCH = "batch"
_END = "end"
_FAILED = "failed"
_NO_PREPARER = "-"

Preparer = Callable[[PaperRecord], object]


class ReaderProcess:
    """A reader process for one file, running from the moment this is made."""

    def __init__(
        self,
        path: str,
        fmt: str = "auto",
        *,
        batch_size: int = 1000,
        max_record_bytes: int = MAX_RECORD_BYTES,
    ) -> None:
        self.path = path
        # The preparer goes over a pipe of its own: standard input stays the writer's,
        # so that ``paperwire ingest /dev/stdin`` reads what was piped in.
        commands, self._commands = os.pipe()
        try:
            self._process = subprocess.Popen(
                # -P: the working directory must not shadow installed modules.
                [
                    *(sys.executable, "-P", "-m", __name__, path, fmt),
                    *(str(batch_size), str(max_record_bytes), str(commands)),
                ],
                stdout=subprocess.PIPE,
                pass_fds=(commands,),
            )
        except BaseException:
            os.close(self._commands)
            raise
        finally:
            os.close(commands)

    def batches(self, prepare: Preparer | None = None) -> Iterator[Batch]:
        """The file's batches, each record passed through ``prepare`` by the reader."""
        process = self._process
        assert process.stdout is not None
        preparer = f"{prepare.__module__}:{prepare.__qualname__}" if prepare else _NO_PREPARER
        try:
            with suppress(BrokenPipeError):  # a reader that ended says why on its output
                os.write(self._commands, f"{preparer}\n".encode())
            self._close_commands()
            while True:
                try:
                    message = pickle.load(process.stdout)
                except (EOFError, pickle.UnpicklingError):
                    code = process.wait()
                    raise RuntimeError(
                        f"{self.path}: the reader process ended (exit code {code})"
                    ) from None
                kind = message[0]
                if kind == _END:
                    return
                if kind == _FAILED:
                    raise message[1]
                yield message[1]
        finally:
            self.close()

    def _close_commands(self) -> None:
        if self._commands >= 0:
            os.close(self._commands)
            self._commands = -1

    @property
    def exit_code(self) -> int | None:
        """None while the reader runs."""
        return self._process.returncode

    def close(self) -> None:
        """Stop the reader, if it is still running, and wait for it."""
        process = self._process
        self._close_commands()  # a reader waiting for its preparer stops
        if process.stdout is not None:
            process.stdout.close()  # a reader still writing stops on the closed pipe
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_reader(
    path: str,
    fmt: str = "auto",
    *,
    batch_size: int = 1000,
    max_record_bytes: int = MAX_RECORD_BYTES,
) -> ReaderProcess | None:
    """A reader process for ``path`` when the file is large enough to be worth one."""
    try:
        large = os.path.getsize(path) >= MIN_BYTES
    except OSError:
        large = False  # read_records reports the problem
    if not large:
        return None
    return ReaderProcess(path, fmt, batch_size=batch_size, max_record_bytes=max_record_bytes)


def read_batches(
    path: str,
    fmt: str = "auto",
    *,
    batch_size: int = 1000,
    max_record_bytes: int = MAX_RECORD_BYTES,
    prepare: Preparer | None = None,
    reader: ReaderProcess | None = None,
) -> Iterator[Batch]:
    """The file's records in batches: from a reader process for large files (``reader``
    if one was started already), else parsed here."""
    from paperwire.ingest.reader import read_records

    reader = reader or start_reader(
        path, fmt, batch_size=batch_size, max_record_bytes=max_record_bytes
    )
    if reader:
        return reader.batches(prepare)
    return batches_of(read_records(path, fmt, max_record_bytes=max_record_bytes), batch_size)


def _send(out: BinaryIO, message: tuple[object, ...]) -> None:
    pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)


def _load_preparer(name: str) -> Preparer | None:
    if name == _NO_PREPARER:
        return None
    module, attribute = name.split(":")
    preparer: Preparer = getattr(importlib.import_module(module), attribute)
    return preparer


def _run_reader(
    path: str, fmt: str, sizes: tuple[int, int], commands: TextIO, out: BinaryIO
) -> bool:
    """Send the file's batches; False when the writer went away before naming a preparer."""
    from paperwire.ingest.reader import read_records

    batch_size, max_record_bytes = sizes
    named = False
    prepare: Preparer | None = None
    try:
        records = read_records(path, fmt, max_record_bytes=max_record_bytes)
        for batch in batches_of(records, batch_size):
            if not named:  # the first batch is parsed while the writer opens its store
                name = commands.readline().strip()
                if not name:
                    return False
                prepare, named = _load_preparer(name), True
            if prepare:
                batch.records = [prepare(record) for record in batch.records]
            _send(out, (_BATCH, batch))
        _send(out, (_END,))
    except Exception as error:  # handed to the writer, which raises it
        _send(out, (_FAILED, error))
    out.flush()
    return True


def main(argv: list[str]) -> int:
    """The reader process: ``PATH FORMAT BATCH_SIZE MAX_RECORD_BYTES COMMANDS_FD``; the
    preparer (``module:function`` or -) comes as a line on the file descriptor COMMANDS_FD."""
    path, fmt, batch_size, max_record_bytes, commands_fd = argv
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but batches on the pipe
    try:
        with fewer_collections(), open(int(commands_fd), encoding="utf-8") as commands:
            sizes = int(batch_size), int(max_record_bytes)
            return 0 if _run_reader(path, fmt, sizes, commands, out) else 1
    except (BrokenPipeError, KeyboardInterrupt):
        # The writer is gone or was interrupted: stop quietly, with nothing left to flush.
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
