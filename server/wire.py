"""Response headers, cleaned as Sanic cleans them, at a tenth of the cost.

Before writing a response Sanic strips CR, LF and NUL from every header's name and value with
`str.translate` and a deletion table: a dictionary lookup per character, about 0.2 µs for a
32-character request id and 1 µs for the public page's policy. Making the header block of a
`/me` answer (three headers) took 5.8 µs, 4.9 of them in that; our `/healthz` answers in about
40 µs. A header almost never holds one of those characters, so `clean` looks for them first
(three memchr scans) and translates only when one is there: the same text out for every text in.

`install` puts `clean` in Sanic's place (sanic 25.12's `BaseHTTPResponse._sanitize_header_value`,
a static method every response class inherits); tests/test_observe.py fails if a Sanic upgrade
renames what it replaces.
"""
from __future__ import annotations

from sanic.response import types

_STRIP = types.HEADER_TRANSLATION_TABLE


def clean(value: str) -> str:
    """`value` without CR, LF and NUL (a header cannot end early or smuggle another)."""
    if "\r" in value or "\n" in value or "\x00" in value:
        return value.translate(_STRIP)
    return value


def install() -> None:
    types.BaseHTTPResponse._sanitize_header_value = staticmethod(clean)
