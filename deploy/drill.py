"""The fault drill: two app instances behind nginx on PostgreSQL and Redis, on this machine,
without Docker, then three faults. One line per scenario says what was counted.

    sudo .venv/bin/python deploy/drill.py            # from the repository root
    .venv/bin/python deploy/drill.py --members 400 --keep

Everything runs in a scratch folder with its own PostgreSQL cluster, Redis and nginx on free
ports, so the machine's own servers are never stopped. nginx is installed from Debian's
packages when missing (as root). nginx uses deploy/nginx/dangjian.conf itself, with the ports,
a self-signed certificate and the scratch paths put in.

1. check-ins with an instance killed (kill -9) half-way: every check-in that got a 201 is in
   the database, none twice, and phones retrying with their nonce succeed through the other;
2. Redis stopped for a while: plate pages and check-ins keep working (uncached), and both
   instances are ready again on their own once it is back;
3. PostgreSQL restarted: requests that need it fail cleanly (503 with a code) while it is down
   (the cached /me keeps answering) and succeed afterwards without restarting the app;
4. the job worker: a batch enqueued while no worker runs waits, then a 300-plate batch with the
   worker killed (kill -9) half-way and started again finishes once, one PDF, downloaded from the
   other instance, every plate in it decoded (zxing-cpp) to a code still valid, no member's plate
   issued twice;
5. two workers racing over the same 50 due reminders: each sent exactly once (counted at the
   strict stand-in WeChat, tests/wechat_standin.py, which the workers use);
6. WeChat answering -1 three times then 0: the reminder is sent once, after the engine's backoff.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
VERIFY_FILE, VERIFY_CONTENT = "drillAbc123.txt", "d41d8cd98f00b204e9800998ecf8427e"
sys.path.insert(0, str(ROOT))

from deploy.drill_jobs import JobScenarios  # noqa: E402
from server.demo import DEMO_PLATE_CODE  # noqa: E402

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, user: str | None = None, **kwargs) -> subprocess.CompletedProcess:
    command = [str(a) for a in args]
    if user and os.geteuid() == 0:
        command = ["runuser", "-u", user, "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


def wait_until(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (OSError, httpx.HTTPError, subprocess.SubprocessError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"drill: {what} did not come up in {seconds:.0f} s")


def ensure_nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("drill: nginx is missing; run as root (it installs Debian's nginx) or `sudo apt-get install nginx`")
    print("drill: installing nginx from Debian's packages", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                   stdout=subprocess.DEVNULL)
    subprocess.run(["service", "nginx", "stop"], check=False, capture_output=True)  # the drill runs its own
    return shutil.which("nginx") or "/usr/sbin/nginx"


class Drill(JobScenarios):
    def __init__(self, members: int, keep: bool, redis_down: float = 5.0) -> None:
        self.members, self.keep, self.redis_down = members, keep, redis_down
        self.work = Path(tempfile.mkdtemp(prefix="dangjian-drill-"))
        os.chmod(self.work, 0o755)
        self.pg_port, self.redis_port = free_port(), free_port()
        self.http_port, self.https_port = free_port(), free_port()
        self.app_ports = [free_port(), free_port()]
        self.instances: dict[int, subprocess.Popen] = {}
        self.workers: dict[str, subprocess.Popen] = {}
        self.standin = None
        self.redis: subprocess.Popen | None = None
        self.nginx: subprocess.Popen | None = None
        self.base = f"https://127.0.0.1:{self.https_port}"
        self.database_url = f"postgres://postgres@127.0.0.1:{self.pg_port}/dangjian"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DANGJIAN_DATABASE_URL": self.database_url,
            "DANGJIAN_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "DANGJIAN_PUBLIC_BASE_URL": self.base,
            "DANGJIAN_UPLOAD_DIR": str(self.work / "uploads"),
            "DANGJIAN_PROXIES": "1",
            "DANGJIAN_LOG_FORMAT": "json",
            "DANGJIAN_LOGIN_RATE_LIMIT": "100000",
            "DANGJIAN_WECHAT_VERIFY_FILE": VERIFY_FILE,
            "DANGJIAN_WECHAT_VERIFY_CONTENT": VERIFY_CONTENT,
        }

    # --- the parts -------------------------------------------------------------------------

    def start_postgres(self) -> None:
        data = self.work / "pg"
        data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        run(PG_BIN / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", user="postgres")
        self.pg_ctl("start")
        run(PG_BIN / "createdb", "-h", "127.0.0.1", "-p", self.pg_port, "-U", "postgres", "dangjian")

    def pg_ctl(self, action: str) -> None:
        options = f"-p {self.pg_port} -k {self.work / 'pg'} -c listen_addresses=127.0.0.1"
        args = [PG_BIN / "pg_ctl", "-D", self.work / "pg", "-w", "-l", self.work / "pg" / "log"]
        args += ["-m", "fast", "stop"] if action == "stop" else ["-o", options, "start"]
        run(*args, user="postgres")

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
                                       "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: subprocess.run(["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True,
                                          text=True).stdout.strip() == "PONG", 10, "Redis")

    def stop_redis(self) -> None:
        self.redis.terminate()
        self.redis.wait(10)

    def prepare_database(self) -> None:
        for command in ("migrate", "seed-demo"):
            subprocess.run([sys.executable, "-m", "server", command], cwd=ROOT, env=self.env, check=True,
                           capture_output=True)

    def answer(self, response: httpx.Response) -> str:
        """A response's status and, for an error, its code and what the instance logged under its
        request id: a failed check says why without rerunning."""
        if response.status_code < 400:
            return str(response.status_code)
        try:
            code = response.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            code = response.text[:80]
        request_id = response.headers.get("x-request-id") or "-"
        logged = [line.strip()[:300] for path in self.work.glob("app-*.log")
                  for line in path.read_text(errors="replace").splitlines() if request_id in line]
        return f"{response.status_code} {code} (request {request_id}: {logged or 'nothing logged'})"

    def start_instance(self, port: int) -> None:
        log = open(self.work / f"app-{port}.log", "ab")
        self.instances[port] = subprocess.Popen([sys.executable, "-m", "server", "serve"], cwd=ROOT,
                                                env={**self.env, "DANGJIAN_PORT": str(port)},
                                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(lambda: httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200, 30,
                   f"app instance on {port}")

    def start_worker(self, name: str) -> None:
        """A job worker (python -m server worker) that sends reminders to the stand-in WeChat."""
        log = open(self.work / f"worker-{name}.log", "ab")
        from tests.wechat_standin import APPID, SECRET, TEMPLATE

        env = {**self.env, "DANGJIAN_WECHAT_MODE": "real", "DANGJIAN_WECHAT_APPID": APPID,
               "DANGJIAN_WECHAT_SECRET": SECRET, "DANGJIAN_WECHAT_API_BASE": self.standin.base_url,
               "DANGJIAN_REMINDER_TEMPLATE_ID": TEMPLATE, "DANGJIAN_JOB_STALLED_SECONDS": "6",
               "DANGJIAN_WORKER_CONCURRENCY": "2"}
        self.workers[name] = subprocess.Popen([sys.executable, "-m", "server", "worker"], cwd=ROOT, env=env,
                                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop_worker(self, name: str, sig: int = signal.SIGTERM) -> None:
        if self.workers[name].poll() is None:
            os.killpg(self.workers[name].pid, sig)
        self.workers[name].wait(40)

    def kill_instance(self, port: int) -> None:
        os.killpg(self.instances[port].pid, signal.SIGKILL)  # kill -9: no goodbye, requests cut mid-way
        self.instances[port].wait()

    def start_nginx(self) -> None:
        nginx = ensure_nginx()
        tls = self.work / "tls"
        tls.mkdir()
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-keyout", tls / "privkey.pem", "-out", tls / "fullchain.pem")
        site = (ROOT / "deploy" / "nginx" / "dangjian.conf").read_text()
        site = site.replace("/etc/nginx/dangjian-upstream.conf", str(self.work / "upstream.conf"))
        site = site.replace("/etc/nginx/tls", str(tls)).replace("/srv/wechat-verify", str(ROOT / "deploy" / "wechat-verify"))
        site = site.replace("/var/log/nginx", str(self.work))
        site = re.sub(r"listen 80;", f"listen 127.0.0.1:{self.http_port};", site)
        site = re.sub(r"listen 443 ssl", f"listen 127.0.0.1:{self.https_port} ssl", site)
        upstream = "\n".join(f"    server 127.0.0.1:{p} max_fails=2 fail_timeout=5s;" for p in self.app_ports)
        (self.work / "upstream.conf").write_text(f"upstream dangjian {{\n{upstream}\n    keepalive 32;\n}}\n")
        (self.work / "site.conf").write_text(site)
        (self.work / "nginx.conf").write_text(
            f"worker_processes 1;\npid {self.work}/nginx.pid;\nerror_log {self.work}/nginx-error.log;\n"
            f"events {{ worker_connections 2048; }}\n"
            f"http {{\n  client_body_temp_path {self.work}/nginx-body;\n  proxy_temp_path {self.work}/nginx-proxy;\n"
            f"  include {self.work}/site.conf;\n}}\n")
        test = subprocess.run([nginx, "-t", "-p", str(self.work), "-c", str(self.work / "nginx.conf")], capture_output=True, text=True)
        if test.returncode != 0:
            raise SystemExit("drill: nginx refused deploy/nginx/dangjian.conf:\n" + test.stderr)
        self.nginx = subprocess.Popen([nginx, "-p", str(self.work), "-c", str(self.work / "nginx.conf"), "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: httpx.get(self.base + "/healthz", verify=False, timeout=1).status_code == 200, 15, "nginx")

    def stop(self) -> None:
        for process in [*self.instances.values(), *self.workers.values()]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(15)
        for process in (self.nginx, self.redis):
            if process and process.poll() is None:
                process.terminate()
                process.wait(10)
        if self.standin is not None:
            self.standin.__exit__(None, None, None)
        if (self.work / "pg" / "postmaster.pid").exists():
            self.pg_ctl("stop")
        if self.keep:
            print(f"drill: logs and data kept in {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    # --- data ------------------------------------------------------------------------------

    async def members_with_activity(self, count: int) -> tuple[list[str], str, str]:
        """`count` new members of the demo market's branch with logins, an activity starting
        now, and its current check-in token (through the secretary's own route)."""
        from server import db
        from server.activities.models import Activity
        from server.clock import now
        from server.codes import random_code
        from server.orgs.models import Org
        from tests.factories import make_logged_in_members

        await db.connect(self.database_url)
        try:
            org = await Org.get(name="河坊街市场党支部")
            activity = await Activity.create(org=org, kind="party_congress", title=f"演练党员大会 {uuid.uuid4().hex[:6]}",
                                             starts_at=now() + dt.timedelta(minutes=5),
                                             ends_at=now() + dt.timedelta(hours=2), checkin_code=random_code(12))
            bearer = await make_logged_in_members(org, count)
        finally:
            await db.close()
        async with httpx.AsyncClient(base_url=self.base, verify=False, timeout=10) as http:
            secretary = (await http.post("/api/v1/auth/wechat", json={"code": "dev:secretary1"})).json()["token"]
            code = (await http.get(f"/api/v1/activities/{activity.id}/checkin-code",
                                   headers={"Authorization": f"Bearer {secretary}"})).json()
        return bearer, code["token"], activity.checkin_code

    async def rows(self, checkin_code: str) -> tuple[int, int]:
        from server import db
        from server.activities.models import Attendance

        await db.connect(self.database_url)
        try:
            query = Attendance.filter(activity__checkin_code=checkin_code)
            return await query.count(), len(set(await query.values_list("member_id", flat=True)))
        finally:
            await db.close()

    # --- scenarios -------------------------------------------------------------------------

    async def checkin_burst_with_a_kill(self) -> str:
        bearer, token, code = await self.members_with_activity(self.members)
        spread = 3.0
        first: dict[str, int] = {}
        final: dict[int, int] = {}
        retried = 0

        async def phone(i: int, member_token: str, http: httpx.AsyncClient):
            nonlocal retried
            await asyncio.sleep(i * spread / len(bearer))
            body = {"token": token, "nonce": secrets.token_hex(12)}
            for attempt in range(6):
                try:
                    status = (await http.post("/api/v1/checkins", json=body,
                                              headers={"Authorization": f"Bearer {member_token}"})).status_code
                except httpx.HTTPError:
                    status = 0  # the connection died with the instance
                if attempt == 0:
                    first[str(status)] = first.get(str(status), 0) + 1
                else:
                    retried += 1
                if status == 201:
                    final[i] = 201
                    return
                await asyncio.sleep(0.3)  # the phone tries again, with the same nonce
            final[i] = status

        async def killer():
            await asyncio.sleep(spread / 2)
            self.kill_instance(self.app_ports[0])

        limits = httpx.Limits(max_connections=200, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=self.base, verify=False, timeout=15, limits=limits) as http:
            await asyncio.gather(killer(), *[phone(i, b, http) for i, b in enumerate(bearer)])
        rows, distinct = await self.rows(code)
        succeeded = sum(1 for status in final.values() if status == 201)
        self.start_instance(self.app_ports[0])
        verdict = "OK" if rows == distinct == succeeded == len(bearer) else "FAILED"
        return (f"[{verdict}] kill -9 mid-burst: {len(bearer)} members, first answers {dict(sorted(first.items()))}, "
                f"{retried} retries with the same nonce, {succeeded} got 201 in the end; database: {rows} rows, "
                f"{distinct} members, {rows - distinct} twice")

    async def redis_stopped(self) -> str:
        bearer, token, code = await self.members_with_activity(60)
        async with httpx.AsyncClient(base_url=self.base, verify=False, timeout=15) as http:
            warm = (await http.get(f"/p/{DEMO_PLATE_CODE}")).status_code
            self.stop_redis()
            started = time.monotonic()
            checkins = await asyncio.gather(*[http.post("/api/v1/checkins", json={"token": token, "nonce": secrets.token_hex(12)},
                                                        headers={"Authorization": f"Bearer {b}"}) for b in bearer[:40]])
            pages, profile, ready_down = [], [], []
            while time.monotonic() - started < self.redis_down:  # customers keep scanning plates meanwhile
                pages.append((await http.get(f"/p/{DEMO_PLATE_CODE}")).status_code)
                profile.append((await http.get(f"/api/v1/public/plates/{DEMO_PLATE_CODE}")).status_code)
                ready_down.append((await http.get("/readyz")).status_code)
                await asyncio.sleep(0.05)
            down_seconds = time.monotonic() - started
            self.start_redis()
            # redis-py reconnects on the next call, the near cache's listener within a second; on a
            # busy machine Redis itself may take longer to start: /readyz is asked until both say
            # 200, for up to 30 s (it once still said 503 after a fixed 2 s wait, in CI).
            back = time.monotonic()
            while True:
                await asyncio.sleep(0.5)
                ready_up = [httpx.get(f"http://127.0.0.1:{p}/readyz", timeout=5).status_code for p in self.app_ports]
                if ready_up == [200, 200] or time.monotonic() - back > 30:
                    break
            ready_after = time.monotonic() - back
            after = await asyncio.gather(*[http.post("/api/v1/checkins", json={"token": token, "nonce": secrets.token_hex(12)},
                                                     headers={"Authorization": f"Bearer {b}"}) for b in bearer[40:]])
            page_after = (await http.get(f"/p/{DEMO_PLATE_CODE}")).status_code
        rows, distinct = await self.rows(code)
        ok = (warm == page_after == 200 and set(pages) == set(profile) == {200}
              and {r.status_code for r in checkins} == {r.status_code for r in after} == {201}
              and set(ready_down) == {503} and ready_up == [200, 200] and rows == distinct == len(bearer))
        return (f"[{'OK' if ok else 'FAILED'}] Redis stopped {down_seconds:.1f} s: pages {pages.count(200)}/{len(pages)} and "
                f"JSON {profile.count(200)}/{len(profile)} answered 200, check-ins {sum(r.status_code == 201 for r in checkins)}/40 "
                f"got 201, /readyz said {sorted(set(ready_down))}; back up: both instances ready {ready_up} "
                f"after {ready_after:.1f} s, "
                f"{sum(r.status_code == 201 for r in after)}/{len(after)} more check-ins 201, database {rows} rows")

    async def postgres_restarted(self) -> str:
        async with httpx.AsyncClient(base_url=self.base, verify=False, timeout=15) as http:
            vendor = (await http.post("/api/v1/auth/wechat", json={"code": "dev:vendor1"})).json()["token"]
            headers = {"Authorization": f"Bearer {vendor}"}
            before = (await http.get("/api/v1/me", headers=headers)).status_code
            self.pg_ctl("stop")
            # /me is one cached document: it keeps answering from Redis and memory. A list reads
            # the database every time: it must fail cleanly.
            cached = [self.answer(await http.get("/api/v1/me", headers=headers)) for _ in range(4)]
            during = [await http.get("/api/v1/activities", headers=headers) for _ in range(10)]
            logins = [await http.post("/api/v1/auth/wechat", json={"code": "dev:drill-new"}) for _ in range(5)]
            ready_down = (await http.get("/readyz")).status_code
            self.pg_ctl("start")
            started = time.monotonic()
            after = []
            while time.monotonic() - started < 20:
                response = await http.get("/api/v1/activities", headers=headers)
                after.append(response.status_code)
                if after[-5:] == [200] * 5:
                    break
                await asyncio.sleep(0.2)
            recovered = time.monotonic() - started
            ready_up = [httpx.get(f"http://127.0.0.1:{p}/readyz", timeout=5).status_code for p in self.app_ports]
        codes = sorted({r.json()["error"]["code"] for r in during + logins if r.status_code == 503})
        statuses = sorted({r.status_code for r in during + logins})
        ok = before == 200 and statuses == [503] and codes == ["backend_unavailable"] and after[-5:] == [200] * 5 \
            and ready_down == 503 and ready_up == [200, 200] and cached == ["200"] * 4
        return (f"[{'OK' if ok else 'FAILED'}] PostgreSQL restarted: while down {len(during) + len(logins)} requests "
                f"that need it answered {statuses} with {codes} (/readyz {ready_down}), the cached /me [{', '.join(cached)}]; "
                f"after the restart requests succeeded again "
                f"within {recovered:.1f} s ({after.count(200)} of the last {len(after)} polls 200), no app restart, "
                f"both instances ready {ready_up}")

    async def verification_file(self) -> str:
        """WeChat fetches a link rule's verification file from the rule's own folder, over
        HTTP or HTTPS: /c/<file> and /p/<file> through nginx answer its content."""
        plain = f"http://127.0.0.1:{self.http_port}"
        answers = {f"{base}/{folder}/{VERIFY_FILE}": httpx.get(f"{base}/{folder}/{VERIFY_FILE}", verify=False, timeout=5)
                   for base in (plain, self.base) for folder in ("c", "p")}
        good = all(r.status_code == 200 and r.text == VERIFY_CONTENT for r in answers.values())
        other = httpx.get(f"{plain}/c/other.txt", timeout=5)
        link = httpx.get(f"{plain}/c/some-token", timeout=5)
        good = good and VERIFY_CONTENT not in other.text and link.status_code == 301
        # The security headers through nginx: each said once, the app's page policy kept.
        page = httpx.get(f"{self.base}/p/{DEMO_PLATE_CODE}", verify=False, timeout=5)
        said = {name: page.headers.get_list(name) for name in
                ("x-frame-options", "x-content-type-options", "content-security-policy")}
        headers_ok = said["x-frame-options"] == ["DENY"] and said["x-content-type-options"] == ["nosniff"] \
            and len(said["content-security-policy"]) == 1 and "script-src 'none'" in said["content-security-policy"][0]
        return (f"[{'OK' if good and headers_ok else 'FAIL'}] verification file: "
                f"{', '.join(f'{url.split(chr(47), 3)[3]} {r.status_code}' for url, r in answers.items())} "
                f"(http and https), another name does not get it; a check-in link over http moves to https "
                f"({link.status_code}); the plate page's security headers once each: "
                f"{sum(len(v) for v in said.values())} of 3")

    def main(self) -> int:
        lines = []
        scenarios = (self.verification_file, self.checkin_burst_with_a_kill, self.redis_stopped,
                     self.postgres_restarted, self.batch_with_the_worker_killed, self.two_workers_over_reminders,
                     self.wechat_busy)
        try:
            self.start_postgres()
            self.start_redis()
            self.prepare_database()
            for port in self.app_ports:
                self.start_instance(port)
            self.start_nginx()
            from tests.wechat_standin import StandIn

            self.standin = StandIn().__enter__()
            self.start_worker("a")
            print(f"drill: two instances ({self.app_ports}) behind nginx ({self.base}), PostgreSQL :{self.pg_port}, "
                  f"Redis :{self.redis_port}", flush=True)
            for scenario in scenarios:
                line = asyncio.run(scenario())
                print(line, flush=True)
                lines.append(line)
        finally:
            self.stop()
        return 0 if all(line.startswith("[OK]") for line in lines) and len(lines) == len(scenarios) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="deploy/drill.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=600, help="members checking in during the kill")
    parser.add_argument("--redis-down", type=float, default=5.0, help="seconds Redis stays stopped")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (logs, data)")
    arguments = parser.parse_args()
    sys.exit(Drill(arguments.members, arguments.keep, arguments.redis_down).main())
