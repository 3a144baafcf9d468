"""Generated SASL passwords, kept in private files (0600 in a 0700 directory) so a restart reuses them."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

_PRINCIPAL_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def new_password() -> str:
    """A random password (256 bits, URL-safe: no quote, backslash or semicolon that JAAS would trip over)."""
    return secrets.token_urlsafe(32)


class PasswordStore:
    """One ``<name>.password`` file per principal under ``directory``, created private and never overwritten.

    ``mesh up`` keeps the domains' passwords here (``<run dir>/kafka-credentials``) and hands each service only its
    own, through its environment; the broker keeps its admin and controller passwords beside its data.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path(self, name: str) -> Path:
        """The file holding ``name``'s password."""
        if not _PRINCIPAL_NAME.match(name):
            raise ValueError(f"{name!r} is not a principal name (lower-case letters, digits, '.', '_', '-')")
        return self.directory / f"{name}.password"

    def get_or_create(self, name: str) -> str:
        """``name``'s password, generated (and stored 0600) on first use."""
        path = self.path(name)
        if path.is_file():
            return path.read_text().strip()
        password = new_password()
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        # O_EXCL: two processes racing to create it must not end up with different passwords for one principal.
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(descriptor, "w") as file:
            file.write(password + "\n")
        return password

    def get(self, name: str) -> str | None:
        """``name``'s stored password, or None."""
        path = self.path(name)
        return path.read_text().strip() if path.is_file() else None
