"""The application factory. Nothing happens at import: pools open in listeners."""
from __future__ import annotations

import asyncio
import functools
import logging

import ujson
from sanic import Blueprint, Sanic
from sanic.response import json, raw
from sanic_ext import Extend
from sanic_ext.extensions.http.extension import HTTPExtension
from sanic_ext.extensions.openapi.extension import OpenAPIExtension

from server import audit, auth, db, docs, errors, heap, miniprogram, observe, security, watchdog, wire
from server.accounts.routes import bp as accounts_bp
from server.audit_trail import bp as audit_bp
from server.desk.routes import bp as desk_bp, pages as desk_pages
from server.desk import static as desk_static
from server.activities.routes import bp as activities_bp, pages as checkin_pages
from server.config import Settings
from server.evaluation.routes import bp as evaluation_bp, pages as evaluation_pages
from server.floating.routes import bp as floating_bp, pages as floating_pages
from server.kv import store_for
from server.markets.routes import bp as markets_bp
from server.members.import_routes import bp as imports_bp
from server.members.routes import bp as members_bp
from server.orgs.routes import bp as orgs_bp
from server.plates.pages import pages as plate_pages
from server.plates.routes import bp as plates_bp
from server.reports.routes import bp as reports_bp
from server.statistics.routes import bp as statistics_bp
from server.jobs import engine
from server.storage import make_storage
from server.wechat import make_gateway

log = logging.getLogger("dangjian")


def create_app(settings: Settings | None = None, name: str = "dangjian", configure_logging: bool = False) -> Sanic:
    """configure_logging: take over logging (JSON or text, request ids); the server process
    does, tests leave pytest's capture alone."""
    settings = settings or Settings.from_env()
    settings.check()  # also for settings built in code, not only those read from the environment
    if configure_logging:
        observe.configure_logging(settings.log_format)
    wire.install()  # every response's headers cleaned as Sanic cleans them, checked before translated
    app = Sanic(name, dumps=functools.partial(ujson.dumps, ensure_ascii=False, escape_forward_slashes=False),
                configure_logging=not configure_logging)
    app.config.FALLBACK_ERROR_FORMAT = "json"
    # The largest body anything takes: a photo (server/images.py). JSON bodies have their own,
    # much smaller limit in server/validation.py.
    app.config.REQUEST_MAX_SIZE = 12 * 1024 * 1024
    # Behind nginx the client's address (for rate limits and the audit trail) comes from the
    # X-Forwarded-For that nginx appends, trusted for exactly as many proxies as are configured.
    app.config.PROXIES_COUNT = settings.proxies
    app.config.OAS_UI_DEFAULT = "swagger"
    app.config.OAS_URL_PREFIX = "/docs"
    app.config.OAS_AUTODOC = False
    # No cross-origin caller: the mini-program is no browser, the desk and the pages are served
    # from here. sanic-ext's CORS would add a response middleware that never adds a header.
    app.config.CORS = False
    docs.serve_offline(app)
    # sanic-ext for the OpenAPI document and the automatic HEAD/OPTIONS only: its dependency
    # injection (unused here) ran a signal handler on every request.
    Extend(app, extensions=[OpenAPIExtension, HTTPExtension], built_in_extensions=False)
    app.ctx.settings = settings
    app.ext.openapi.describe(
        "非公党建 · 三亮 服务接口",
        version="1",
        description="个体工商户和商品交易市场党建：登记审核、组织与党员、三会一课与扫码签到、培训率与台账、三亮牌与群众评价。"
                    "错误体统一为 {error: {code, message, fields}}。",
    )
    app.ext.openapi.add_security_scheme("token", "http", scheme="bearer")

    api = Blueprint.group(accounts_bp, desk_bp, orgs_bp, markets_bp, statistics_bp, imports_bp, members_bp, activities_bp, reports_bp, plates_bp, evaluation_bp, floating_bp, audit_bp,
                          version=1,
                          version_prefix="/api/v")
    app.blueprint(api)
    app.blueprint(checkin_pages)
    app.blueprint(plate_pages)
    app.blueprint(evaluation_pages)
    app.blueprint(floating_pages)
    app.blueprint(desk_pages)
    desk_static.serve(app)
    if settings.wechat_verify_file:
        miniprogram.serve_verify_file(app, settings.wechat_verify_file, settings.wechat_verify_content)
    errors.install(app)
    access_log = settings.access_log

    # One middleware each way, calling plain functions: Sanic dispatches two signals around every
    # middleware, which cost more than the work itself (the ceiling against a bare Sanic app).
    @app.on_request
    def before(request):
        errors.check_path(request)
        observe.start(request)

    @app.on_response
    def after(request, response):
        observe.finish(request, response, access_log)
        security.headers(request, response)
        docs.finish_document(request, response)

    @app.get("/healthz")
    async def healthz(request):
        """Alive: the process answers. Says nothing of the database or Redis (that is /readyz)."""
        return json({"status": "ok"})

    @app.get("/readyz")
    async def readyz(request):
        """Ready: the database and the key-value store answer. A load balancer sends traffic
        only to instances that say so."""
        checks = await observe.readiness(request.app.ctx.store)
        if all(value == "ok" for value in checks.values()):
            return json({"status": "ready", **checks})
        return json(errors.error_body("not_ready", "服务暂时不可用：数据库或缓存无法连接", fields=checks), status=503)

    @app.get("/metrics")
    async def metrics(request):
        try:  # the job queues, from the database: a scrape still answers when it does not
            queues = await asyncio.wait_for(engine.queue_figures(), observe.READY_TIMEOUT)
        except Exception:  # noqa: BLE001 — whatever the driver raises, the other metrics still count
            queues = None
        body, content_type = observe.metrics_text(queues)
        return raw(body, content_type=content_type)

    app.main_process_ready(watchdog.start)  # several workers: a dead one is logged and replaced

    @app.before_server_start
    async def open_resources(app):
        await db.connect(settings.database_url)
        app.ctx.store = store_for(settings)
        app.ctx.wechat = make_gateway(settings, app.ctx.store)
        audit.use_store(app.ctx.store)
        auth.use_store(app.ctx.store)
        app.ctx.files = make_storage(settings)
        # The job engine: web workers enqueue; on SQLite (or when asked) they also run the jobs.
        app.ctx.jobs = engine.build(settings)
        app.ctx.jobs_pool = await engine.open_engine(app.ctx.jobs, settings, runs_jobs=settings.runs_jobs_in_process)
        if settings.runs_jobs_in_process:
            parts = engine.Resources(settings, app.ctx.files, app.ctx.store, app.ctx.wechat)
            app.ctx.job_worker = asyncio.create_task(engine.run_worker(app.ctx.jobs, parts, in_process=True))

    @app.after_server_start
    async def settle_heap(app):  # after every module, pool and cache of start-up is in place
        app.ctx.collector_was = heap.settle()

    @app.before_server_stop
    async def unsettle_heap(app):
        if hasattr(app.ctx, "collector_was"):  # not when start-up failed before settling
            heap.unsettle(app.ctx.collector_was)

    @app.before_server_stop
    async def stop_worker(app):
        worker = getattr(app.ctx, "job_worker", None)
        if worker is not None:
            worker.cancel()  # procrastinate lets running jobs finish (shutdown_graceful_timeout)
            await asyncio.gather(worker, return_exceptions=True)

    @app.after_server_stop
    async def close_resources(app):
        await engine.close_engine(app.ctx.jobs, app.ctx.jobs_pool)
        await app.ctx.store.close()
        await db.close()

    return app
