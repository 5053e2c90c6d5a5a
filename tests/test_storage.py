"""The file stores: a file comes back whole (however many chunks), a missing one is None, a
deleted one leaves no chunk behind, and a local store's files move into the database intact."""
import os

from server.storage import CHUNK, DatabaseStorage, FileChunk, LocalStorage, copy_local_files


async def test_the_database_store_keeps_a_file_whole_across_chunks(backend, tmp_path):
    store = DatabaseStorage()
    data = os.urandom(2 * CHUNK + 12345)
    source = tmp_path / "big.pdf"
    source.write_bytes(data)
    key = await store.put_file(source, ".pdf")
    assert not source.exists()  # consumed
    stored = await store.open(key)
    chunks = [block async for block in stored.chunks]
    assert stored.size == len(data) and [len(c) for c in chunks] == [CHUNK, CHUNK, 12345]
    assert b"".join(chunks) == data and await store.get(key) == data
    small = await store.put(b"jpeg", ".jpg")
    assert await store.get(small) == b"jpeg" and await store.open(key + "x") is None
    await store.delete(key)
    assert await store.open(key) is None and not await FileChunk.filter(file_id=key).exists()
    assert await store.get(small) == b"jpeg"  # only that file went


async def test_local_files_move_into_the_database_under_their_keys(backend, tmp_path):
    local = LocalStorage(tmp_path)
    keys = [await local.put(os.urandom(1000 + i), ".jpg") for i in range(3)]
    (tmp_path / "tmp").mkdir(exist_ok=True)
    (tmp_path / "tmp" / "half-written.pdf").write_bytes(b"x")  # scratch: not a stored file
    store = DatabaseStorage()
    assert await copy_local_files(tmp_path, store) == (3, 0)
    for key in keys:
        assert await store.get(key) == await local.get(key)
    assert await copy_local_files(tmp_path, store) == (0, 3)  # a second run copies nothing twice
