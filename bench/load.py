"""Load generation: wrk when installed (C, cheap on a 2-core machine), else a small asyncio
HTTP/1.1 keep-alive client. Both report requests per second, p50/p99/max latency and errors."""
from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import time
from urllib.parse import urlsplit


def run_load(url: str, headers: dict, *, seconds: float, connections: int) -> dict:
    if shutil.which("wrk"):
        return _wrk(url, headers, seconds, connections)
    return asyncio.run(_python_load(url, headers, seconds, connections))


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * _UNITS[unit]


def _wrk(url, headers, seconds, connections) -> dict:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(int(seconds), 1)}s", "--latency", url]
    for key, value in headers.items():
        command[1:1] = ["-H", f"{key}: {value}"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    kinds = {"non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
             **dict(zip(("connect", "read", "write", "timeout"), map(int, socket_errors.groups() if socket_errors else ())))}
    errors = sum(kinds.values())
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _ms(percentiles["50"]),
        "p99_ms": _ms(percentiles["99"]),
        "max_ms": _ms(re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", out).group(1)),
        "errors": errors,
        **({"error_kinds": {kind: n for kind, n in kinds.items() if n}} if errors else {}),
    }


async def _exchange(reader, writer, request: bytes) -> tuple[int, float]:
    """Send one request on an open connection and read the whole answer: (status, ms)."""
    started = time.perf_counter()
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))
    await reader.readexactly(length)
    return int(head[9:12]), (time.perf_counter() - started) * 1000


async def _python_load(url, headers, seconds, connections) -> dict:
    parts = urlsplit(url)
    request = (f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
               + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode()
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    async def worker():
        nonlocal errors
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        while time.monotonic() < deadline:
            status, ms = await _exchange(reader, writer, request)
            latencies.append(ms)
            errors += not 200 <= status < 300
        writer.close()

    begun = time.monotonic()
    await asyncio.gather(*[worker() for _ in range(connections)])
    elapsed = time.monotonic() - begun
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[int(len(latencies) * 0.99)],
        "max_ms": latencies[-1],  # a closed loop: a stalled event loop shows here more than in p99
        "errors": errors,
    }


async def burst(host: str, port: int, requests: list[bytes], spread: float = 0.0) -> dict:
    """Open one connection per request, then send them all at once (or evenly over `spread`
    seconds); time each answer. Raw sockets keep the client's cost low on a shared machine."""
    connections = await asyncio.gather(*[asyncio.open_connection(host, port) for _ in requests])
    statuses: list[int] = []
    latencies: list[float] = []

    async def one(index, connection, request):
        reader, writer = connection
        await asyncio.sleep(spread * index / len(requests))
        status, ms = await _exchange(reader, writer, request)
        latencies.append(ms)
        statuses.append(status)
        writer.close()

    begun = time.perf_counter()
    await asyncio.gather(*[one(i, c, r) for i, (c, r) in enumerate(zip(connections, requests))])
    elapsed = time.perf_counter() - begun
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50_ms": latencies[len(latencies) // 2],
            "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            "errors": sum(1 for s in statuses if s != 201), "seconds": elapsed}


def post_request(host: str, path: str, token: str, body: bytes) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


def load_cases(base: str, cases: list[tuple[str, str, str | None]], *, seconds: float, connections: int) -> list[dict]:
    """Each (label, path, bearer token or None) loaded after a one-second warm-up; the first is the
    ceiling, read again after the others (the higher reading is kept), and every row gets its
    ratio to it."""
    def one(label: str, path: str, token: str | None) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        run_load(base + path, headers, seconds=1, connections=connections)
        return {"case": label, **run_load(base + path, headers, seconds=seconds, connections=connections)}

    rows = [one(*case) for case in cases]
    rows[0] = higher_reading(rows[0], one(*cases[0]))
    ceiling = rows[0]["rps"]
    for row in rows:
        row["ratio_to_ceiling"] = round(row["rps"] / ceiling, 4) if ceiling else None
    return rows


def higher_reading(first: dict, second: dict) -> dict:
    """The higher of two readings of one case, both kept in it: a single low reading of the
    ceiling (a machine still settling) would flatter every ratio to it."""
    return dict(max(first, second, key=lambda row: row["rps"]), readings_rps=[round(first["rps"]), round(second["rps"])])


def readings_text(row: dict) -> str:
    """The ceiling's two readings (and the bare app's, when it has them), for under a table."""
    def both(values: list[int]) -> str:
        return " and ".join(map(str, values))

    floor = row.get("floor_readings_rps")
    return (f"ceiling read twice: {both(row['readings_rps'])} req/s" + (f" (bare Sanic {both(floor)})" if floor else "")
            + "; the higher is used")


def ratio_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_cases(rows: list[dict]) -> None:
    width = max(len(row["case"]) for row in rows) + 2
    print(f"{'case':{width}} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'x ceiling':>10}")
    for row in rows:
        print(f"{row['case']:{width}} {row['rps']:>9.0f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} "
              f"{row['errors']:>7} {ratio_text(row['ratio_to_ceiling']):>10}")
    print(readings_text(rows[0]))
