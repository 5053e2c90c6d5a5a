"""Parsing request bodies and query strings into pydantic models, with Chinese field errors.

Input models forbid unknown fields, so a client cannot slip in `status`, `user_id` or roles
(mass assignment): such a request is refused with the field named.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from server.db import MAX_ID
from server.errors import BodyMissing, BodyNotObject, BodyTooLarge, InvalidJSON, JSONTooDeep, ValidationFailed

M = TypeVar("M", bound=BaseModel)

# The same rules are written into the OpenAPI document as patterns (JSON Schema's ECMA regex and
# Python's agree on these), so a client generated from it sends what the server accepts.
_CONTROL_CHARS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_CONTROL = re.compile(f"[{_CONTROL_CHARS}]")
NO_CONTROL_PATTERN = f"^[^{_CONTROL_CHARS}]*$"
# What str.strip() removes (str.isspace), spelled out: ECMA's \s and Python's differ (\x85, \ufeff).
_SPACES = r"\t\n\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK_PATTERN = f"^[^{_CONTROL_CHARS}]*[^{_SPACES}{_CONTROL_CHARS}][^{_CONTROL_CHARS}]*$"
MOBILE_PATTERN = "^1[3-9][0-9]{9}$"
MAINLAND_MOBILE = re.compile(MOBILE_PATTERN)


def _clean(value: str) -> str:
    # PostgreSQL refuses NUL in text and no form field needs control characters.
    if _CONTROL.search(value):
        raise ValueError("control_characters")
    return value.strip()


def strip_control(value: str) -> str:
    """Free text from a header (a browser's User-Agent) with control characters taken out."""
    return _CONTROL.sub("", value).strip()


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("blank")
    return value


def _mobile(value: str) -> str:
    if not MAINLAND_MOBILE.fullmatch(value):  # digits 0-9 only: \d would take ١٣ too
        raise ValueError("mobile")
    return value


def _documented(pattern: str, **extra) -> dict:
    # In the schema only: the validators below enforce the rule with a Chinese message each.
    return {"json_schema_extra": {"pattern": pattern, **extra}}


def Text(max_length: int):
    """A trimmed, non-empty single text with no control characters."""
    return Annotated[str, Field(max_length=max_length, **_documented(NOT_BLANK_PATTERN, minLength=1)),
                     AfterValidator(_clean), AfterValidator(_not_blank)]


def OptionalText(max_length: int):
    return Annotated[str, Field(max_length=max_length, **_documented(NO_CONTROL_PATTERN)), AfterValidator(_clean)]


DAY_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_DAY = re.compile(DAY_PATTERN)


def _day_text(value):
    # A date as a form sends it, "2026-06-30": not a number, not a date and time.
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise ValueError("date_text")
    return value


Day = Annotated[dt.date, Field(strict=False, json_schema_extra={"pattern": DAY_PATTERN}), BeforeValidator(_day_text)]
Mobile = Annotated[str, Field(max_length=11, **_documented(MOBILE_PATTERN, minLength=11)), AfterValidator(_mobile)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def exactly_one_of(*names: str) -> dict:
    """The schema's way of saying "send exactly one of these fields" (the model checks it too)."""
    return {"oneOf": [{"required": [name]} for name in names]}


class Query(BaseModel):
    # Query strings are text: let pydantic turn "12" into 12 there, and ignore unknown keys
    # (caches and tracking parameters add their own).
    model_config = ConfigDict(extra="ignore")


_MESSAGES = {
    "missing": "必填",
    "extra_forbidden": "不允许提交此项",
    "string_type": "应为文字",
    "string_too_long": "太长了，最多 {max_length} 个字",
    "string_too_short": "太短了",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为是或否",
    "bool_parsing": "应为是或否",
    "greater_than_equal": "应不小于 {ge}",
    "less_than_equal": "应不大于 {le}",
    "literal_error": "应为以下之一：{expected}",
    "date_type": "应为日期，如 2026-06-30",
    "date_parsing": "应为日期，如 2026-06-30",
    "date_from_datetime_parsing": "应为日期，如 2026-06-30",
    "datetime_type": "应为带时区的时间，如 2026-12-01T19:00:00+08:00",
    "datetime_parsing": "应为带时区的时间，如 2026-12-01T19:00:00+08:00",
    "datetime_from_date_parsing": "应为带时区的时间，如 2026-12-01T19:00:00+08:00",
    "timezone_aware": "请带上时区，如 +08:00",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "string_pattern_mismatch": "格式不正确",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
}
_VALUE_MESSAGES = {
    "control_characters": "含有不可见的控制字符",
    "blank": "不能为空",
    "mobile": "应为 11 位中国大陆手机号",
    "user_or_member": "请指定 user_id 或 member_id 其中之一",
    "market_required": "市场内个体工商户须填写市场和摊位号",
    "market_not_allowed": "个体工商户（不在市场内）不填写市场和摊位号",
    "datetime_text": "应为带时区的时间文字，如 2026-12-01T19:00:00+08:00",
    "date_text": "应为日期文字，如 2026-06-30",
}


def _message(error: dict) -> str:
    if error["type"] == "value_error":
        reason = str(error.get("ctx", {}).get("error", ""))
        return _VALUE_MESSAGES.get(reason, reason or "填写有误")
    template = _MESSAGES.get(error["type"], "填写有误")
    ctx = dict(error.get("ctx", {}))
    if "expected" in ctx:  # pydantic lists choices in English: "'a', 'b' or 'c'"
        ctx["expected"] = "、".join(part.strip() for part in str(ctx["expected"]).replace(" or ", ", ").split(", "))
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def field_errors(exc: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]) or "body"
        fields.setdefault(name, _message(error))
    return fields


MAX_JSON_BYTES = 256 * 1024  # the longest form (meeting minutes) is far below this


def parse_body(request, model: type[M]) -> M:
    if not request.body:
        raise BodyMissing()
    if len(request.body) > MAX_JSON_BYTES:
        raise BodyTooLarge()
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidJSON() from exc
    except RecursionError as exc:  # [[[[…]]]] a thousand deep: no form nests like that
        raise JSONTooDeep() from exc
    if not isinstance(data, dict):
        raise BodyNotObject()
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(fields=field_errors(exc)) from exc


def parse_query(request, model: type[M]) -> M:
    # Blank values are kept: `?kind=` is a client bug to report, not a filter to drop silently.
    data = {key: values[0] for key, values in request.get_args(keep_blank_values=True).items()}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(fields=field_errors(exc)) from exc
