"""Command line: python -m server {serve,worker,migrate,seed-demo,create-root}."""
from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import os
import shutil
import sys
from pathlib import Path

from server import db
from server.config import ConfigError, Settings


async def _with_db(settings: Settings, work):
    await db.connect(settings.database_url)
    try:
        return await work()
    finally:
        await db.close()


def _metrics_dir(settings: Settings) -> None:
    """Several workers: prometheus_client keeps each one's figures in files that /metrics adds
    up. The folder is emptied at start (old files would count a previous run) and must be set
    before prometheus_client is first imported."""
    if settings.workers == 1 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    folder = Path(settings.upload_dir).parent / f"prometheus-{settings.port}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


# Connections waiting to be accepted. Sanic's default is 100; a room of vendors scanning at once
# opens several hundred in the same moment (the 500-member burst test once got a closed connection,
# httpx.ReadError, with 100: the likely cause, not proven). The kernel caps it at
# net.core.somaxconn (4096 here).
BACKLOG = 1024


def serve(settings: Settings) -> None:
    _metrics_dir(settings)
    from sanic import Sanic
    from sanic.worker.loader import AppLoader

    from server.app import create_app

    # Each worker process builds its own app from the same DANGJIAN_* environment.
    loader = AppLoader(factory=functools.partial(create_app, configure_logging=True))
    app = loader.load()
    single = settings.workers == 1
    app.prepare(host=settings.host, port=settings.port, workers=settings.workers, backlog=BACKLOG,
                single_process=single, access_log=False, motd=False)
    print(f"服务已启动: http://{settings.host}:{settings.port}  (工作台: /console/  API 文档: /docs)", flush=True)
    if single:
        Sanic.serve_single(primary=app)
    else:
        Sanic.serve(primary=app, app_loader=loader)


async def _run_worker(settings: Settings) -> None:
    """The job worker: the same parts as a web worker (database, store, WeChat, files), no HTTP."""
    from server import audit, auth, heap
    from server.jobs import engine
    from server.kv import store_for
    from server.storage import make_storage
    from server.wechat import make_gateway

    await db.connect(settings.database_url)
    store = store_for(settings)
    audit.use_store(store)
    auth.use_store(store)  # a job that changes roles drops cached principals too
    parts = engine.Resources(settings, make_storage(settings), store, make_gateway(settings, store))
    if settings.worker_metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.worker_metrics_port, addr=settings.host)
    jobs = engine.build(settings)
    pool = await engine.open_engine(jobs, settings, runs_jobs=True)
    heap.settle()  # a job's workbook or PDF is collected young, not walked with start-up's heap
    try:
        logging.getLogger("dangjian.jobs").info("worker started: concurrency %s", settings.worker_concurrency)
        await engine.run_worker(jobs, parts, in_process=False)
    finally:
        await engine.close_engine(jobs, pool)
        await store.close()
        await db.close()


def worker(settings: Settings) -> int:
    if not settings.uses_postgres:
        print("the worker needs PostgreSQL (DANGJIAN_DATABASE_URL=postgres://…); on SQLite the web process "
              "runs background jobs itself", file=sys.stderr)
        return 2
    from server import observe

    observe.configure_logging(settings.log_format)
    asyncio.run(_run_worker(settings))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="serve the app (settings from DANGJIAN_* variables)")
    sub.add_parser("worker", help="run background jobs (PostgreSQL; DANGJIAN_WORKER_CONCURRENCY at once)")
    sub.add_parser("migrate", help="apply migrations not yet applied")
    sub.add_parser("copy-files-to-database",
                   help="copy the files of DANGJIAN_UPLOAD_DIR into the database store (same keys; once, when moving)")
    sub.add_parser("seed-demo", help="load demo data if the database has no org yet")
    crowd = sub.add_parser("demo-crowd", help="add N demo members with dev:crowdN logins (not in production)")
    crowd.add_argument("--org-id", type=int, required=True, help="their life_org, e.g. 6 (河坊街市场党支部)")
    crowd.add_argument("--count", type=int, default=300)
    root = sub.add_parser("create-root", help="create the first root org and its admin on an empty database")
    root.add_argument("--name", required=True, help="e.g. 杭州市个体劳动者私营企业协会")
    root.add_argument("--district", required=True, help="e.g. 杭州市")
    root.add_argument("--admin-openid", required=True, help="the admin's WeChat openid (fake gateway: dev-<name>)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"配置错误: {exc}", file=sys.stderr)
        return 2

    if args.command == "serve":
        serve(settings)
    elif args.command == "worker":
        return worker(settings)
    elif args.command == "migrate":
        asyncio.run(db.migrate(settings.database_url))
        print("migrations applied")
    elif args.command == "copy-files-to-database":
        from server.storage import DatabaseStorage, copy_local_files

        if not settings.uses_postgres:
            print("the database file store is for PostgreSQL (DANGJIAN_DATABASE_URL=postgres://…)", file=sys.stderr)
            return 2
        copied, present = asyncio.run(_with_db(settings, lambda: copy_local_files(Path(settings.upload_dir),
                                                                                   DatabaseStorage())))
        print(f"{copied} files copied into the database, {present} were there already")
    elif args.command == "seed-demo":
        from server import demo

        loaded = asyncio.run(_with_db(settings, demo.load))
        print("demo data loaded" if loaded else "database already has orgs: demo data not loaded")
    elif args.command == "demo-crowd":
        from server import demo

        if settings.is_production:
            print("demo-crowd is for development databases only", file=sys.stderr)
            return 2
        codes = asyncio.run(_with_db(settings, lambda: demo.crowd(args.org_id, args.count)))
        print(f"{len(codes)} members; they log in as {codes[0]} … {codes[-1]}")
    elif args.command == "create-root":
        from server.errors import DomainError
        from server.orgs.service import create_root

        try:
            org, admin = asyncio.run(_with_db(settings, lambda: create_root(
                name=args.name, district=args.district, admin_openid=args.admin_openid)))
        except DomainError as exc:
            print(f"{exc.code}: {exc.message}", file=sys.stderr)
            return 1
        print(f"created org {org.id} {org.name}; admin user {admin.id} ({admin.openid})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
