"""Reading contract files at other revisions through the ``git`` command (read-only: nothing here changes state)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mesh_platform.contracts.errors import GitError

_COMMIT = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class FileVersion:
    """A file as committed: the commit and the file's path in it (paths change across renames)."""

    commit: str
    path: str


class GitRepository:
    """A work tree's repository, read with ``git`` subprocesses."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def discover(cls, start: Path) -> GitRepository:
        """The repository containing ``start``; :class:`GitError` if there is none."""
        directory = start if start.is_dir() else start.parent
        top = _git(directory, "rev-parse", "--show-toplevel").strip()
        return cls(Path(top))

    def relative(self, path: Path) -> str:
        """``path`` relative to the work tree root, with forward slashes (as git names it)."""
        return path.resolve().relative_to(self.root.resolve()).as_posix()

    def resolve(self, ref: str) -> str:
        """The commit ``ref`` names; :class:`GitError` if it names none."""
        if ref.startswith("-"):
            raise GitError(f"{ref!r} is not a revision")
        try:
            return _git(self.root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
        except GitError as e:
            raise GitError(f"unknown revision {ref!r} in {self.root}") from e

    def merge_base(self, first: str, second: str) -> str:
        """The best common ancestor of two revisions."""
        return _git(self.root, "merge-base", self.resolve(first), self.resolve(second)).strip()

    def list_files(self, commit: str, directory: str) -> list[str]:
        """Paths of the files under ``directory`` at ``commit`` (empty if the directory did not exist)."""
        output = _git(self.root, "ls-tree", "-r", "--name-only", commit, "--", f"{directory.rstrip('/')}/")
        return [line for line in output.splitlines() if line]

    def read_file(self, commit: str, path: str) -> str:
        """The text of ``path`` at ``commit``."""
        return _git(self.root, "show", f"{commit}:{path}")

    def file_history(self, path: str) -> list[FileVersion]:
        """Every committed version of ``path`` reachable from HEAD, newest first, following renames.

        Empty when the file was never committed or the repository has no commits yet.
        """
        try:
            output = _git(self.root, "log", "--follow", "--format=%H", "--name-only", "--", path)
        except GitError:
            return []
        versions: list[FileVersion] = []
        commit: str | None = None
        for line in output.splitlines():
            if _COMMIT.match(line):
                commit = line
            elif line and commit is not None:
                versions.append(FileVersion(commit, line))
                commit = None
        return versions


def _git(cwd: Path, *args: str) -> str:
    try:
        completed = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", check=False
        )
    except OSError as e:
        raise GitError(f"cannot run git: {e}") from e
    if completed.returncode != 0:
        detail = completed.stderr.strip() or f"exit code {completed.returncode}"
        raise GitError(f"git {' '.join(args)}: {detail}")
    return completed.stdout
