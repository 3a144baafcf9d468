"""The glossary's files (``contracts/glossary/*.yaml``), read again when they change."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from mesh_platform.contracts.glossary import Glossary, load_glossary, term_files

log = logging.getLogger(__name__)


class GlossaryFiles:
    """The current glossary of a directory; a change to its files is picked up within ``recheck_seconds``.

    ``directory`` None (no glossary configured or found) is an empty glossary. Files with problems are left out and
    logged once per change (``mesh contracts lint`` names them); the catalog keeps serving the other terms.
    """

    def __init__(self, directory: Path | None, recheck_seconds: float = 2.0) -> None:
        self.directory = directory
        self._recheck_seconds = recheck_seconds
        self._lock = threading.Lock()
        self._glossary = Glossary()
        self._signature: tuple[tuple[str, int, int], ...] | None = None
        self._checked_at = float("-inf")

    def current(self) -> Glossary:
        """The glossary as the files say now (stat-ing them at most every ``recheck_seconds``)."""
        if self.directory is None:
            return self._glossary
        now = time.monotonic()
        if now - self._checked_at < self._recheck_seconds:
            return self._glossary
        with self._lock:
            if now - self._checked_at >= self._recheck_seconds:
                signature = self._files_signature()
                if signature != self._signature:
                    self._glossary = load_glossary(self.directory)
                    self._signature = signature
                    for problem in self._glossary.problems:
                        log.warning("glossary: %s: %s: %s [%s]", problem.file, problem.path, problem.message,
                                    problem.rule)
                self._checked_at = now
        return self._glossary

    def _files_signature(self) -> tuple[tuple[str, int, int], ...]:
        signature = []
        for file in term_files(self.directory) if self.directory else []:
            try:
                stat = file.stat()
            except OSError:
                continue
            signature.append((file.name, stat.st_mtime_ns, stat.st_size))
        return tuple(signature)
