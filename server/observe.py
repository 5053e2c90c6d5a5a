"""What the service tells its operator: a request id on every response and log line, JSON logs,
Prometheus metrics, and whether it is ready to serve.

The request id comes from nginx (X-Request-ID) when it is well formed, else is made here; it is
sent back on the response and stamped on every log line written while the request runs.
Metrics go through prometheus_client; with several workers each writes to files in
PROMETHEUS_MULTIPROC_DIR (set by `python -m server serve`) and /metrics adds them up.
"""
from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import json
import logging
import os
import re
import sys
import time

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client import REGISTRY

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
log = logging.getLogger("dangjian.access")

HTTP_REQUESTS = Counter("dangjian_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
HTTP_SECONDS = Histogram("dangjian_http_request_seconds", "Time to answer, by route", ["method", "route"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
CHECKINS = Counter("dangjian_checkins_total", "Check-ins by outcome (created, replayed, or the refusal's code)", ["outcome"])
RATINGS = Counter("dangjian_ratings_total", "Ratings stored, by the status they got", ["status"])
PLATE_JOBS = Counter("dangjian_plate_jobs_total", "Batch print jobs finished, by state", ["state"])
JOB_OUTCOMES = Counter("dangjian_jobs_total", "Background jobs run, by task and outcome (succeeded, failed)",
                       ["task", "outcome"])
JOB_SECONDS = Histogram("dangjian_job_seconds", "Time a background job ran, by task", ["task"],
                        buckets=(0.01, 0.05, 0.25, 1, 5, 15, 60, 300, 900))
WECHAT_SECONDS = Histogram("dangjian_wechat_seconds", "Time WeChat took to answer, by API", ["api"],
                           buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
WECHAT_ERRORS = Counter("dangjian_wechat_errors_total", "WeChat calls that failed, by API and errcode "
                        "(unreachable: no answer)", ["api", "errcode"])


# --- logs --------------------------------------------------------------------------------------

class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, and any extra
    fields passed with `extra=`."""

    _PLAIN = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", REQUEST_ID.get()),
        }
        data.update({k: v for k, v in vars(record).items() if k not in self._PLAIN and not k.startswith("_")})
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def configure_logging(fmt: str, level: str = "INFO") -> None:
    """Every logger (Sanic's included) through one handler on stdout, JSON or text."""
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("sanic.root", "sanic.error", "sanic.access", "sanic.server", "sanic.websockets", "tortoise"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    # procrastinate says INFO for every job it starts and ends and every periodic deferral (the
    # stalled-job check runs every 5 s): thousands of lines a day that tell nothing. Its warnings
    # and errors stay; job outcomes are counted in dangjian_jobs_total.
    logging.getLogger("procrastinate").setLevel(logging.WARNING)


# --- requests ----------------------------------------------------------------------------------

def _route_label(request) -> str:
    # The route's pattern, never the raw path: ids and codes would make a label per request.
    route = getattr(request, "route", None)
    return route.path if route is not None else "unmatched"


# The metric children of each (method, route, status), looked up once: labels() takes a lock and
# checks its arguments on every call, a dict lookup does not (routes and statuses are few).
_children: dict[tuple[str, str, int], tuple] = {}


def _metrics_for(method: str, route: str, status: int) -> tuple:
    key = (method, route, status)
    found = _children.get(key)
    if found is None:
        found = _children[key] = (HTTP_REQUESTS.labels(method, route, str(status)), HTTP_SECONDS.labels(method, route))
    return found


def _new_request_id() -> str:
    return os.urandom(16).hex()  # as random as uuid4().hex, a fifth of its cost


def start(request) -> None:
    """At a request's start (server/app.py's one request middleware): its id and its clock."""
    incoming = request.headers.get("x-request-id", "")
    request.ctx.request_id = incoming if _WELL_FORMED.match(incoming) else _new_request_id()
    request.ctx.started = time.perf_counter()
    REQUEST_ID.set(request.ctx.request_id)


def finish(request, response, access_log: bool = False) -> None:
    """At its end (the one response middleware): the id on the answer, the metrics, the log line."""
    request_id = getattr(request.ctx, "request_id", None) or _new_request_id()
    response.headers["X-Request-ID"] = request_id
    started = getattr(request.ctx, "started", None)
    if started is None:  # refused before the request middleware ran (a malformed request)
        return
    seconds = time.perf_counter() - started
    route = _route_label(request)
    status = answered_status(request, response)
    requests, durations = _metrics_for(request.method, route, status)
    requests.inc()
    durations.observe(seconds)
    if access_log:
        log.info("%s %s %s", request.method, request.path, status,
                 extra={"route": route, "status": status, "ms": round(seconds * 1000, 2)})


CLIENT_GONE = 499  # nginx's "client closed request"


def answered_status(request, response) -> int:
    """The status to count: CLIENT_GONE when the client hung up before the answer (a phone that
    lost its signal, a page closed), which Sanic answers as a 500 nobody receives. Counted as
    a 500 it would look like a server error on every dashboard and alert (a load test's end
    alone made a hundred)."""
    connection = getattr(request, "conn_info", None)
    return CLIENT_GONE if connection is not None and connection.lost else response.status


def metrics_text(queues: dict[str, tuple[int, float]] | None = None) -> tuple[bytes, str]:
    """queues: {queue: (jobs waiting, age of the oldest in seconds)}, read from the job engine's
    tables at each scrape (the same figure whichever instance is asked)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    body = generate_latest(registry)
    if queues is not None:
        body += generate_latest(_QueueCollector.registry(queues))
    return body, CONTENT_TYPE_LATEST


class _QueueCollector:
    def __init__(self, queues: dict[str, tuple[int, float]]) -> None:
        self.queues = queues

    @classmethod
    def registry(cls, queues) -> CollectorRegistry:
        registry = CollectorRegistry()
        registry.register(cls(queues))
        return registry

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        depth = GaugeMetricFamily("dangjian_job_queue_depth", "Jobs waiting to start, by queue", labels=["queue"])
        age = GaugeMetricFamily("dangjian_job_queue_oldest_seconds", "How long the oldest waiting job has waited",
                                labels=["queue"])
        for queue, (waiting, oldest) in sorted(self.queues.items()):
            depth.add_metric([queue], waiting)
            age.add_metric([queue], oldest)
        return [depth, age]


# --- readiness ---------------------------------------------------------------------------------

READY_TIMEOUT = 2.0


async def readiness(store) -> dict[str, str]:
    """{"database": "ok" | "timeout" | "unavailable", "store": ...}: each checked with a short
    timeout. What failed is named, never how: no host, port or driver message leaves the server
    (the log has them)."""
    from tortoise import connections

    async def database():
        await connections.get("default").execute_query("SELECT 1")

    async def key_value():
        if not await store.ping():
            raise RuntimeError("ping failed")

    checks = {}
    for name, check in (("database", database), ("store", key_value)):
        try:
            await asyncio.wait_for(check(), READY_TIMEOUT)
            checks[name] = "ok"
        except TimeoutError:
            checks[name] = "timeout"
            logging.getLogger("dangjian.ready").warning("%s did not answer within %s s", name, READY_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 — whatever a driver raises means "not ready": reported, not raised
            checks[name] = "unavailable"
            logging.getLogger("dangjian.ready").warning("%s unavailable: %s: %s", name, exc.__class__.__name__, exc)
    return checks
