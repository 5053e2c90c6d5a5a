"""Time: stored in UTC, shown with the Asia/Shanghai offset, business dates in Shanghai."""
from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import PlainSerializer

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def utc(value: dt.datetime) -> dt.datetime:
    """A filter value comparable with stored datetimes on every database (see server/db.py)."""
    return value.astimezone(dt.timezone.utc)


def today() -> dt.date:
    """Today's business date in Shanghai (a vendor's evening is already tomorrow in UTC+0 terms)."""
    return dt.datetime.now(SHANGHAI).date()


# Every datetime the API returns: ISO 8601 with the +08:00 offset, whatever zone it was read in.
LocalDatetime = Annotated[dt.datetime, PlainSerializer(lambda value: value.astimezone(SHANGHAI).isoformat(), return_type=str)]
