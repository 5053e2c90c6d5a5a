"""Domain errors with stable codes, and the one place that renders every error body.

Body shape (DESIGN.md §5): {"error": {"code": "...", "message": "中文", "fields": {...}}}.
Services raise `DomainError` subclasses; routes never build error bodies themselves.
"""
from __future__ import annotations

import logging
import sqlite3

from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeoutError
from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.response import JSONResponse, json
from tortoise.exceptions import DBConnectionError, OperationalError

log = logging.getLogger("dangjian.errors")


class DomainError(Exception):
    status = 400
    code = "bad_request"
    message = "请求有误"

    def __init__(self, message: str | None = None, *, fields: dict | None = None, extra: dict | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.fields = fields or {}
        self.extra = extra or {}


class InvalidJSON(DomainError):
    code, message = "invalid_json", "请求内容不是有效的 JSON"


class JSONTooDeep(InvalidJSON):
    code, message = "json_too_deep", "请求内容嵌套层数太多"


class UriTooLong(DomainError):
    status, code, message = 414, "uri_too_long", "请求的地址太长"


class BodyMissing(DomainError):
    code, message = "body_required", "请求内容为空"


class BodyTooLarge(DomainError):
    status, code, message = 413, "payload_too_large", "提交的内容太大"


class BodyNotObject(DomainError):
    code, message = "body_not_object", "请求内容应为 JSON 对象"


class ValidationFailed(DomainError):
    status, code, message = 422, "validation_failed", "填写的内容有误，请检查标出的项目"


class Unauthorized(DomainError):
    status, code, message = 401, "unauthorized", "请先登录"


class Forbidden(DomainError):
    status, code, message = 403, "forbidden", "没有权限进行此操作"


class NotFound(DomainError):
    status, code, message = 404, "not_found", "找不到该记录"


class ReferenceNotFound(NotFound):
    """A field of the request names a record that does not exist, or not of the kind the field
    takes (the fields say which): the request is well formed, the record is missing."""
    code, message = "reference_not_found", "提交的内容里引用的记录不存在，请检查标出的项目"


class Conflict(DomainError):
    status, code, message = 409, "conflict", "与现有记录冲突"


class RateLimited(DomainError):
    status, code, message = 429, "rate_limited", "操作太频繁，请稍后再试"


class UpstreamUnavailable(DomainError):
    status, code, message = 503, "service_unavailable", "服务暂时不可用，请稍后再试"


def error_body(code: str, message: str, fields: dict | None = None, extra: dict | None = None) -> dict:
    error = {"code": code, "message": message, "fields": fields or {}}
    error.update(extra or {})
    return {"error": error}


# Sanic's own exceptions (routing, body size, methods) mapped to stable codes.
_SANIC_CODES = {
    400: ("bad_request", "请求有误"),
    401: ("unauthorized", "请先登录"),
    403: ("forbidden", "没有权限进行此操作"),
    404: ("not_found", "找不到该页面或记录"),
    405: ("method_not_allowed", "不支持该请求方法"),
    408: ("request_timeout", "请求超时，请重试"),
    413: ("payload_too_large", "提交的内容太大"),
    416: ("range_not_satisfiable", "请求的范围无效"),
    503: ("service_unavailable", "服务暂时不可用，请稍后再试"),
}


_BACKEND_DOWN = (OSError, TimeoutError, DBConnectionError, RedisConnectionError, RedisTimeoutError)


class BackendUnavailable(UpstreamUnavailable):
    code, message = "backend_unavailable", "系统正在维护或繁忙，请稍后再试"


def _backend_down(exc: BaseException) -> bool:
    """A connection to the database or the store failed (not a bug in a query). SQLite counts a
    lock held by another process past the busy timeout as that too: try again shortly."""
    while exc is not None:
        if isinstance(exc, _BACKEND_DOWN):
            return True
        if isinstance(exc, (sqlite3.OperationalError, OperationalError)) and "database is locked" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def render(exc: Exception) -> JSONResponse:
    if not isinstance(exc, (DomainError, SanicException)) and _backend_down(exc):
        log.error("backend unavailable: %r", exc)
        exc = BackendUnavailable(extra={"retry_after": 5})
    if isinstance(exc, DomainError):
        headers = {"Retry-After": str(exc.extra["retry_after"])} if "retry_after" in exc.extra else None
        return json(error_body(exc.code, exc.message, exc.fields, exc.extra), status=exc.status, headers=headers)
    if isinstance(exc, SanicException) and exc.status_code == 413 and "header" in str(exc).lower():
        # Sanic says 413 when the request's head outgrows its limit: that is 431 (RFC 6585).
        return json(error_body("request_header_too_large", "请求头太大"), status=431)
    if isinstance(exc, SanicException) and exc.status_code < 500:
        code, message = _SANIC_CODES.get(exc.status_code, ("bad_request", "请求有误"))
        # Keep the headers Sanic attached, such as Allow on a 405 (RFC 9110 requires it).
        return json(error_body(code, message), status=exc.status_code, headers=getattr(exc, "headers", None))
    # Anything else is our bug or a broken dependency: log it whole, tell the client nothing inside.
    log.exception("unhandled error", exc_info=exc)
    return json(error_body("internal_error", "服务器出错了，请稍后再试"), status=500)


def _allowed_methods(request) -> str:
    """Sanic leaves Allow off a 405 on routes with path parameters; ask the router instead."""
    allowed = []
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        try:
            request.app.router.get(request.path, method, request.headers.get("host"))
        except SanicException:
            continue
        allowed.append(method)
    return ", ".join(allowed)


MAX_PATH = 2048  # the longest path any route needs is far shorter


def check_path(request) -> None:
    """Before anything else (server/app.py's one request middleware)."""
    if len(request.path) > MAX_PATH:
        raise UriTooLong()


def install(app: Sanic) -> None:
    async def handler(request, exc):
        response = render(exc)
        if response.status == 405 and "allow" not in response.headers:
            response.headers["Allow"] = _allowed_methods(request)
        return response

    app.error_handler.add(Exception, handler)
