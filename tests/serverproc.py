"""A real server process started the way `make run` starts it: migrate, demo data, serve.
Used by the end-to-end tests and by bench/."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import httpx

from server.config import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_command(env: dict, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "server", *args], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"python -m server {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result


def start(args: list[str], env: dict):
    """The process writes into a temporary file, never a pipe: nobody reads a pipe while the
    process runs, and once its 64 KB are full every log line blocks the server (a long fuzz run
    hit exactly that: requests timed out behind a blocked write)."""
    log = tempfile.TemporaryFile()
    process = subprocess.Popen([sys.executable, "-m", "server", *args], cwd=PROJECT_ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    return process, log


def stop(process: subprocess.Popen, log, seconds: float) -> bytes:
    """SIGTERM to the process group, SIGKILL if it is not gone in `seconds`; what it wrote."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    log.seek(0)
    output = log.read()
    log.close()
    return output


def answers(base: str, seconds: float = 60) -> bool:
    """Whether a server just started at `base` answers /healthz within `seconds`. A minute: two
    Sanic workers starting on a machine busy with the rest of the suite took over 30 s once (CI,
    2026-11-29), where an idle machine takes a few."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.2)
    return False


class ServerProcess:
    def __init__(self, env: dict, prepare: bool = True) -> None:
        self.prepare = prepare
        self.port = free_port()
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env, "DANGJIAN_PORT": str(self.port)}
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "ServerProcess":
        if self.prepare:  # migrate and load demo data first, as `make run` does
            run_command(self.env, "migrate")
            run_command(self.env, "seed-demo")
        self.process, self._log = start(["serve"], self.env)
        if answers(self.base):
            return self
        self.__exit__()
        raise RuntimeError("server did not start: " + self.output()[-3000:])

    def __exit__(self, *exc) -> None:
        self._output = stop(self.process, self._log, 15)

    def output(self) -> str:
        """What the server wrote (stdout and stderr), once it has stopped."""
        return self._output.decode(errors="replace")


class WorkerProcess:
    """`python -m server worker` on the same settings as a ServerProcess (PostgreSQL)."""

    def __init__(self, env: dict) -> None:
        self.env = {key: value for key, value in env.items() if key != "DANGJIAN_PORT"}
        self.process: subprocess.Popen | None = None
        self._output = b""

    def __enter__(self) -> "WorkerProcess":
        self.process, self._log = start(["worker"], self.env)
        return self

    def __exit__(self, *exc) -> None:
        self._output = stop(self.process, self._log, 45)  # running jobs get 30 s to finish

    def output(self) -> str:
        return self._output.decode(errors="replace")
