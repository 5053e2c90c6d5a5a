"""The main process watches its server workers: one that dies (kill -9, out of memory, a crash)
is logged and replaced, so an instance does not go on with fewer workers while /readyz, answered
by the survivors, still says ready.

Sanic's worker manager notices a dead worker's state but does not start another; this thread
asks it to, through the manager's own restart message, the one `app.m.restart()` sends.
Workers that exit as the server shuts down are left alone.
"""
from __future__ import annotations

import logging
import signal
import threading
import time

log = logging.getLogger("dangjian.watchdog")
POLL_SECONDS = 1.0
# How a worker leaves when the server is stopping: no reason to start another.
ORDERLY_EXITS = {0, -signal.SIGTERM, -signal.SIGINT}


def start(app, _loop) -> None:
    """main_process_ready listener: runs in the main process, only when there are workers to watch."""
    threading.Thread(target=_watch, args=(app.manager,), name="worker-watchdog", daemon=True).start()


def _watch(manager) -> None:
    replaced: dict[str, int] = {}  # process name -> the pid already replaced
    while True:
        time.sleep(POLL_SECONDS)
        if getattr(manager, "_shutting_down", False):
            return
        for process in list(manager.transient_processes):
            exitcode = process.exitcode
            if process.is_alive() or exitcode is None or exitcode in ORDERLY_EXITS:
                continue
            if replaced.get(process.name) == process.pid:
                continue  # asked already; the manager is on it
            replaced[process.name] = process.pid
            log.error("worker %s (pid %s) died with exit code %s; starting a new one",
                      process.name, process.pid, exitcode)
            manager.monitor_publisher.send(f"{process.name}:")
