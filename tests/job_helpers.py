"""Following a job the way the desk does: its state asked for until it is done or failed."""
import asyncio


async def wait_done(c, url: str, rounds: int = 600) -> dict:
    """The job at `url` once it is done or failed (the test app's worker takes it meanwhile)."""
    job = None
    for _ in range(rounds):
        job = (await c.get(url)).json()
        if job["state"] in ("done", "failed"):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"{url} did not finish: {job}")
