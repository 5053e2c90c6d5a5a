"""The desk over a city-sized roster: 20 000 members of one branch, the roster screen paged in
Chromium as a clerk pages it, and the first visit's script.

    python -m bench.console                      # PostgreSQL + Redis when they answer, else SQLite
    python -m bench.console --backend sqlite --members 20000 --turns 15

A page turn is timed in the browser from the click on 下一页 to the new rows on screen (the
request, the answer, the table drawn); the same request alone (httpx, no browser) is its floor.
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import re
import statistics
import sys
import time

import httpx

from bench.__main__ import RESULTS, _backend_env, _org_ids, _token
from bench.members import add_history
from server.desk.static import DIST
from tests.resources import release
from tests.serverproc import ServerProcess

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def initial_script_kb() -> float:
    index = (DIST / "index.html").read_text()
    names = re.findall(r'(?:src|href)="/console/(assets/[^"]+\.js)"', index)
    return round(sum(len(gzip.compress((DIST / n).read_bytes(), 9)) for n in names) / 1024, 1)


def page_turns(server, org_id: int, turns: int) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(server.base + "/console/login")
        page.locator("[data-test=dev-secretary1]").click()
        page.wait_for_url(re.compile(r"/console/(?!login)"))
        started = time.perf_counter()
        page.goto(f"{server.base}/console/members")
        page.locator(".el-pagination__total").wait_for()
        first_load = time.perf_counter() - started
        total = page.locator(".el-pagination__total").inner_text()
        timings = []
        for _ in range(turns):
            before = page.locator(".el-table__body tr").first.inner_text()
            started = time.perf_counter()
            page.locator(".el-pagination .btn-next").click()
            page.wait_for_function(
                "before => { const r = document.querySelector('.el-table__body tr'); return r && r.innerText !== before; }",
                arg=before)
            timings.append((time.perf_counter() - started) * 1000)
        browser.close()
    return {"first_load_ms": round(first_load * 1000), "total_label": total,
            "turn_median_ms": round(statistics.median(timings), 1), "turn_max_ms": round(max(timings), 1),
            "turns": turns}


def api_floor(server, token: str, org_id: int, turns: int) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    timings = []
    with httpx.Client(base_url=server.base, headers=headers, timeout=30) as c:
        for page in range(1, turns + 1):
            started = time.perf_counter()
            c.get("/api/v1/members", params={"org_id": org_id, "limit": 20, "offset": page * 20}).raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
    return {"api_median_ms": round(statistics.median(timings), 1), "api_max_ms": round(max(timings), 1)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.console")
    parser.add_argument("--backend", choices=["auto", "postgres", "sqlite"], default="auto")
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--turns", type=int, default=15)
    args = parser.parse_args(argv)
    if not (DIST / "index.html").exists():
        raise SystemExit("console/dist is missing: run `make console` first")
    backend, env = asyncio.run(_backend_env(args.backend))
    try:
        with ServerProcess(env) as server:
            hubin, market_org = _org_ids(env["DANGJIAN_DATABASE_URL"])
            total = asyncio.run(add_history(env["DANGJIAN_DATABASE_URL"], market_org, args.members))
            token = _token(server.base, "dev:secretary1")
            floor = api_floor(server, token, hubin, args.turns)
            browser = page_turns(server, hubin, args.turns)
    finally:
        release()
    result = {"backend": backend, "members": total, "initial_script_gzip_kb": initial_script_kb(), **floor, **browser}
    print(f"backend={backend}: {total} members on the roster ({browser['total_label']} in the table)")
    print(f"first visit's script: {result['initial_script_gzip_kb']} KB gzipped (budget 400)")
    print(f"roster screen: first load {browser['first_load_ms']} ms; page turn in Chromium median "
          f"{browser['turn_median_ms']} ms, max {browser['turn_max_ms']} ms over {args.turns} turns "
          f"(the request alone: median {floor['api_median_ms']} ms, max {floor['api_max_ms']} ms)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "console.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
