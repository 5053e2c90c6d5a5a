"""The rotating check-in token shown as a QR code on the secretary's phone.

token = <activity checkin_code>.<time slice, base 36>.<signature>

The slice changes every SLICE_SECONDS; the current and the previous slice are accepted, so a
code scanned just before it turns still works while a screenshot forwarded a minute later does
not. Verification needs the secret and the clock only, no database read.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time

from server.errors import DomainError

SLICE_SECONDS = 20
_FORMAT = re.compile(r"^([2-9a-z]{8,16})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{22})$")


class TokenInvalid(DomainError):
    # The code shown on the secretary's phone is the pass that lets a member check in: a forged
    # or stale one is refused as a pass is (403), not as a malformed request.
    status, code, message = 403, "token_invalid", "签到码无效，请扫描书记手机上的签到码"


class TokenExpired(DomainError):
    status, code, message = 403, "token_expired", "签到码已过期，请重新扫描书记手机上的最新签到码"


def _slice(at: float) -> int:
    return int(at // SLICE_SECONDS)


def _signature(secret: str, code: str, slice_no: int) -> str:
    digest = hmac.new(secret.encode(), f"checkin:{code}:{slice_no}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def issue(secret: str, code: str, at: float | None = None) -> tuple[str, int]:
    """The token for now and the seconds until the next one."""
    at = time.time() if at is None else at
    slice_no = _slice(at)
    token = f"{code}.{_base36(slice_no)}.{_signature(secret, code, slice_no)}"
    return token, SLICE_SECONDS - int(at % SLICE_SECONDS)


def parse(secret: str, token: str) -> tuple[str, int]:
    """(activity checkin_code, slice) of a token we signed, however old; else TokenInvalid."""
    match = _FORMAT.match(token or "")
    if not match:
        raise TokenInvalid()
    code, slice_text, signature = match.groups()
    slice_no = int(slice_text, 36)
    if not hmac.compare_digest(signature, _signature(secret, code, slice_no)):
        raise TokenInvalid()
    return code, slice_no


def check_fresh(slice_no: int, at: float | None = None) -> None:
    now_slice = _slice(time.time() if at is None else at)
    if slice_no > now_slice:  # signed by us, but for the future: clocks disagree or it was forged
        raise TokenInvalid()
    if slice_no < now_slice - 1:
        raise TokenExpired()
