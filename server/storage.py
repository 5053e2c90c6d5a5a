"""Where uploaded files live: one small interface, a local folder outside the web root now,
object storage later behind the same two calls. Keys are random; nothing is served directly."""
from __future__ import annotations

import abc
import secrets
from pathlib import Path


class FileStorage(abc.ABC):
    @abc.abstractmethod
    async def put(self, data: bytes, suffix: str) -> str:
        """Store the bytes under a new random key and return the key."""

    @abc.abstractmethod
    async def get(self, key: str) -> bytes | None: ...

    @abc.abstractmethod
    async def delete(self, key: str) -> None:
        """Remove the file; a missing one is not an error."""

    @abc.abstractmethod
    async def put_file(self, source: Path, suffix: str) -> str:
        """Store a finished file (a batch PDF, too big to hold in memory) under a new key; the
        source file is consumed."""

    @abc.abstractmethod
    def local_path(self, key: str) -> Path | None:
        """A path the server may stream the file from, or None if it is not stored."""

    @abc.abstractmethod
    def scratch_dir(self) -> Path:
        """Where a file being written lives until put_file (same disk, so the move is a rename)."""


class LocalStorage(FileStorage):
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not key.replace("-", "").replace(".", "").isalnum():  # keys are ours; refuse anything else
            raise ValueError("bad storage key")
        return self.root / key[:2] / key

    def _new(self, suffix: str) -> tuple[str, Path]:
        key = secrets.token_hex(16) + suffix
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        return key, path

    async def put(self, data: bytes, suffix: str) -> str:
        key, path = self._new(suffix)
        path.write_bytes(data)
        return key

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)
        return path.read_bytes() if path.exists() else None

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    async def put_file(self, source: Path, suffix: str) -> str:
        key, path = self._new(suffix)
        source.replace(path)
        return key

    def local_path(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None

    def scratch_dir(self) -> Path:
        path = self.root / "tmp"
        path.mkdir(parents=True, exist_ok=True)
        return path
