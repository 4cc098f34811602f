"""Files only their owner may read: the store, backups and development mail hold
subscribers' addresses, so they are created 0600 in 0700 directories, whatever the
umask. Files and directories that already exist are left as they are."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIRECTORY = 0o700


def private_directory(path: Path) -> None:
    """Create ``path`` and its missing parents, each 0700."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=PRIVATE_DIRECTORY)
        except FileExistsError:  # made meanwhile by another process
            continue
        os.chmod(directory, PRIVATE_DIRECTORY)  # mkdir's mode is cut by the umask


def create_private_file(path: Path) -> bool:
    """Create ``path`` empty and 0600 (its directory too, 0700); False when it exists."""
    private_directory(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    try:
        os.fchmod(descriptor, PRIVATE_FILE)
    finally:
        os.close(descriptor)
    return True


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file at ``path``, 0600 (FileExistsError if it exists)."""
    private_directory(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(descriptor, "wb") as out:
        os.fchmod(out.fileno(), PRIVATE_FILE)
        out.write(data)
