"""Files and directories only their owner can read: stores, broker data, the run directory (0600 / 0700).

Whatever the process umask, what the mesh creates to hold data is private. Directories that already exist and that
the mesh did not create (``/tmp``, a home directory) are left as they are unless the caller owns them outright
(``tighten=True``, e.g. the run directory).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_DIRECTORY_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_directory(path: Path, *, tighten: bool = False) -> Path:
    """Create ``path`` (and missing parents) as 0700 directories; with ``tighten``, make an existing one 0700 too."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=PRIVATE_DIRECTORY_MODE)
        except FileExistsError:
            pass  # created concurrently (another worker of the same service)
        os.chmod(directory, PRIVATE_DIRECTORY_MODE)  # mkdir's mode is masked by the umask
    if tighten and not missing:
        os.chmod(path, PRIVATE_DIRECTORY_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 if it does not exist; make an existing regular file 0600."""
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
        os.close(descriptor)
    except FileExistsError:
        pass
    if stat.S_ISREG(path.stat().st_mode):
        os.chmod(path, PRIVATE_FILE_MODE)
    return path
