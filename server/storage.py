"""Where uploaded and made files live: one small interface, two stores behind it.

- `DatabaseStorage` (the default on PostgreSQL): the bytes in the database, in chunks of 1 MiB,
  so a PDF the worker made on one host downloads from a web instance on any other, and the
  backup of the database is the backup of the files.
- `LocalStorage` (the default on SQLite): a folder on this host, outside any web root.

Keys are random; nothing is served directly. A big file goes in and comes out a chunk at a
time, so memory stays flat however large it is.
"""
from __future__ import annotations

import abc
import asyncio
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from tortoise import fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

CHUNK = 1024 * 1024


@dataclass
class StoredFile:
    size: int
    chunks: AsyncIterator[bytes]


class FileStorage(abc.ABC):
    @abc.abstractmethod
    async def put(self, data: bytes, suffix: str) -> str:
        """Store the bytes under a new random key and return the key."""

    @abc.abstractmethod
    async def get(self, key: str) -> bytes | None:
        """The whole file (photos: small); None if it is not stored."""

    @abc.abstractmethod
    async def open(self, key: str) -> StoredFile | None:
        """The file's size and its bytes a chunk at a time (a batch PDF: large); None if not stored."""

    @abc.abstractmethod
    async def delete(self, key: str) -> None:
        """Remove the file; a missing one is not an error."""

    @abc.abstractmethod
    async def put_file(self, source: Path, suffix: str) -> str:
        """Store a finished file under a new key; the source file is consumed."""

    def scratch_dir(self) -> Path:
        """Where a file being written lives until put_file."""
        path = Path(tempfile.gettempdir()) / "dangjian-scratch"
        path.mkdir(parents=True, exist_ok=True)
        return path


async def send(request, stored: StoredFile, content_type: str, disposition: str) -> None:
    """A stored file as the answer, a chunk at a time, for the caller only (no cache keeps it)."""
    response = await request.respond(content_type=content_type, headers={
        "Content-Disposition": disposition, "Cache-Control": "private, no-store", "Content-Length": str(stored.size)})
    async for chunk in stored.chunks:
        await response.send(chunk)
    await response.eof()


def new_key(suffix: str) -> str:
    return secrets.token_hex(16) + suffix


def valid_key(key: str) -> bool:
    return 0 < len(key) <= 64 and key.replace(".", "").isalnum() and key.isascii()


class LocalStorage(FileStorage):
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not valid_key(key):  # keys are ours; refuse anything else
            raise ValueError("bad storage key")
        return self.root / key[:2] / key

    def _new(self, suffix: str) -> tuple[str, Path]:
        key = new_key(suffix)
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

    async def open(self, key: str) -> StoredFile | None:
        path = self._path(key)
        if not path.is_file():
            return None

        async def chunks():
            with path.open("rb") as handle:
                while block := await asyncio.to_thread(handle.read, CHUNK):
                    yield block

        return StoredFile(path.stat().st_size, chunks())

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    async def put_file(self, source: Path, suffix: str) -> str:
        key, path = self._new(suffix)
        await asyncio.to_thread(_move, source, path)
        return key

    def scratch_dir(self) -> Path:  # same disk as the files, so put_file is a rename
        path = self.root / "tmp"
        path.mkdir(parents=True, exist_ok=True)
        return path


def _move(source: Path, target: Path) -> None:
    shutil.move(source, target)


class FileRecord(Model):
    key = fields.CharField(max_length=64, primary_key=True)
    size = fields.BigIntField()
    chunks = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "stored_files"


class FileChunk(Model):
    id = fields.BigIntField(primary_key=True)
    file = fields.ForeignKeyField("models.FileRecord", related_name="parts", on_delete=fields.CASCADE)
    seq = fields.IntField()
    data = fields.BinaryField()

    class Meta:
        table = "stored_file_chunks"
        unique_together = (("file", "seq"),)


class DatabaseStorage(FileStorage):
    """The file's record is written last, in the same transaction as its chunks: a file is either
    whole or absent."""

    async def put(self, data: bytes, suffix: str) -> str:
        async def blocks():
            for start in range(0, max(len(data), 1), CHUNK):
                yield data[start:start + CHUNK]

        return await self._store(blocks(), suffix)

    async def put_file(self, source: Path, suffix: str) -> str:
        async def blocks():
            with source.open("rb") as handle:
                while block := await asyncio.to_thread(handle.read, CHUNK):
                    yield block

        try:
            return await self._store(blocks(), suffix)
        finally:
            source.unlink(missing_ok=True)

    async def _store(self, blocks: AsyncIterator[bytes], suffix: str, key: str | None = None) -> str:
        key = key or new_key(suffix)
        size = seq = 0
        async with in_transaction():
            record = await FileRecord.create(key=key, size=0, chunks=0)
            async for block in blocks:
                await FileChunk.create(file=record, seq=seq, data=block)
                size, seq = size + len(block), seq + 1
            await FileRecord.filter(key=key).update(size=size, chunks=seq)
        return key

    async def get(self, key: str) -> bytes | None:
        stored = await self.open(key)
        if stored is None:
            return None
        return b"".join([block async for block in stored.chunks])

    async def open(self, key: str) -> StoredFile | None:
        if not valid_key(key):
            raise ValueError("bad storage key")
        record = await FileRecord.get_or_none(key=key)
        if record is None:
            return None

        async def chunks():
            for seq in range(record.chunks):  # one chunk in memory at a time
                rows = await FileChunk.filter(file_id=key, seq=seq).values_list("data", flat=True)
                if rows:
                    yield bytes(rows[0])

        return StoredFile(record.size, chunks())

    async def delete(self, key: str) -> None:
        async with in_transaction():
            await FileChunk.filter(file_id=key).delete()
            await FileRecord.filter(key=key).delete()


async def copy_local_files(root: Path, store: DatabaseStorage) -> tuple[int, int]:
    """Every file of a local store into the database under the same key (a deployment moving to
    the database store keeps its photos and PDFs). Files already there are left alone.
    Returns (copied, already there)."""
    copied = present = 0
    for path in sorted(root.glob("*/*")):
        if not path.is_file() or not valid_key(path.name) or path.parent.name != path.name[:2]:
            continue  # tmp/ and anything that is not ours
        if await FileRecord.exists(key=path.name):
            present += 1
            continue

        async def blocks(source=path):
            with source.open("rb") as handle:
                while block := await asyncio.to_thread(handle.read, CHUNK):
                    yield block

        await store._store(blocks(), "", key=path.name)
        copied += 1
    return copied, present


def make_storage(settings) -> FileStorage:
    return DatabaseStorage() if settings.stores_files_in_database else LocalStorage(Path(settings.upload_dir))
