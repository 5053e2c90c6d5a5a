"""One decorator that documents a route in the OpenAPI document: its body, its query
parameters, its success response and every error status it can answer with.

Every error answers with the same body (DESIGN.md §5), so one component describes them all.
"""
from __future__ import annotations

from pydantic import BaseModel
from sanic.response import JSONResponse, json
from sanic_ext.extensions.openapi import openapi
from sanic_ext.extensions.openapi.definitions import Parameter, RequestBody, Response
from sanic_ext.extensions.openapi.types import Schema

ERROR_DESCRIPTIONS = {
    400: "请求有误（JSON 无效、凭证无效等）",
    401: "未登录或登录已失效",
    403: "没有权限",
    404: "记录不存在或不在你的管辖范围内",
    409: "与现有记录冲突",
    410: "已作废（如已更换的三亮牌）",
    413: "提交的内容太大",
    415: "文件类型不支持",
    422: "字段校验未通过，fields 指出哪一项",
    429: "操作太频繁",
    502: "微信服务出错",
    503: "服务暂时不可用",
}
# Statuses any route can answer with, whatever it does (503: the database or store is down).
ALWAYS = (400, 413, 503)


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, str]


class ErrorBody(BaseModel):
    error: ErrorDetail


def _json(model: type[BaseModel]) -> dict:
    # openapi.component registers pydantic's own JSON schema (nested models included) under
    # components; the content then points at it. Handing the model itself to sanic-ext would
    # have it translate the class on its own, less faithfully than pydantic does.
    openapi.component(model)
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}


class _RawSchema(Schema):
    """A JSON schema passed through as pydantic wrote it (sanic-ext would read a plain dict as
    an object whose properties are the dict's keys)."""

    def __init__(self, raw: dict) -> None:
        super().__init__()
        self._raw = raw

    def serialize(self) -> dict:
        return self._raw


def _query_parameters(model: type[BaseModel]) -> list[Parameter]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        # Optional[X] shows as anyOf [X, null]; a query string cannot carry null, keep X.
        options = [p for p in prop.get("anyOf", [prop]) if p.get("type") != "null"]
        param_schema = {k: v for k, v in (options[0] if options else {}).items() if k != "title"}
        params.append(Parameter(name, _RawSchema(param_schema), location="query", required=name in required))
    return params


def doc(
    summary: str,
    *,
    tag: str,
    ok: type[BaseModel] | None = None,
    status: int | tuple[int, ...] = 200,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    errors: tuple[int, ...] = (),
    auth: bool = True,
    media: str | None = None,
    upload: str | None = None,
    form: type[BaseModel] | None = None,
    html_errors: bool = False,
):
    """`media`: a success body that is a file of that type rather than JSON.
    `upload`: the request is multipart/form-data carrying one file in this field.
    `form`: the request is an HTML form (application/x-www-form-urlencoded) with these fields.
    `html_errors`: a page for people: its own errors are pages too (JSON stays possible for
    errors raised before the page is reached, such as a body too large)."""
    statuses = status if isinstance(status, tuple) else (status,)
    content = {media: {"schema": {"type": "string", "format": "binary"}}} if media else (_json(ok) if ok else {})
    responses = [Response(content, status=code, description="成功") for code in statuses]
    codes = sorted(set(errors) | set(ALWAYS) | ({401} if auth else set()) | ({422} if body or query or upload or form else set()))
    error_content = _json(ErrorBody)
    if html_errors:
        error_content = {**error_content, "text/html": {"schema": {"type": "string"}}}
    responses += [Response(error_content, status=code, description=ERROR_DESCRIPTIONS[code]) for code in codes]

    def decorate(handler):
        return openapi.definition(
            summary=summary,
            tag=tag,
            body=_request_body(body, upload, form),
            parameter=_query_parameters(query) if query else None,
            response=responses,
            secured={"token": []} if auth else None,
        )(handler)

    return decorate


def _request_body(body, upload, form) -> RequestBody | None:
    if body:
        return RequestBody(_json(body), required=True)
    if upload:
        return _upload_body(upload)
    if form:
        return RequestBody({"application/x-www-form-urlencoded": {"schema": _RawSchema(form.model_json_schema())}},
                           required=True)
    return None


def _upload_body(field: str) -> RequestBody:
    schema = {"type": "object", "properties": {field: {"type": "string", "format": "binary"}}, "required": [field]}
    return RequestBody({"multipart/form-data": {"schema": _RawSchema(schema)}}, required=True)


def reply(model: BaseModel, status: int = 200) -> JSONResponse:
    return json(model.model_dump(mode="json"), status=status)
