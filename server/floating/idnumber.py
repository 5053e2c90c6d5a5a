"""身份证号 (GB 11643-1999): checked by its check digit and birth date, stored encrypted at rest
(AES-GCM, a key of its own), shown masked everywhere; the full number only on an explicit,
audited staff action or an audited export that asks for it.

The key is DANGJIAN_ID_NUMBER_KEY (32 random bytes, URL-safe base64); production refuses to
start without one. In development it is derived from the secret key, so `make run` works.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SHAPE = "^[0-9]{17}[0-9Xx]$"
_SHAPE = re.compile(SHAPE)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_CONTEXT = b"dangjian:id-number:v1"  # bound into every ciphertext: a value moved to another column fails


def problem(number: str, today: dt.date) -> str | None:
    """What is wrong with a 身份证号, in Chinese; None when it holds together."""
    if not _SHAPE.fullmatch(number):
        return "应为18位：17位数字加1位数字或X"
    if _CHECK[sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS)) % 11] != number[17].upper():
        return "校验位不对，请核对号码"
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "出生日期不存在，请核对号码"
    if born > today or born.year < 1900:
        return "出生日期不对，请核对号码"
    return None


def normal(number: str) -> str:
    return number.upper()


def mask(number: str) -> str:
    """330106********1234: the region and the last four, never the birth date."""
    return number[:6] + "*" * 8 + number[-4:]


def key_bytes(settings) -> bytes:
    if settings.id_number_key:
        return base64.urlsafe_b64decode(settings.id_number_key.encode() + b"=" * (-len(settings.id_number_key) % 4))
    return hashlib.sha256(b"id-number-key:" + settings.secret_key.encode()).digest()


def encrypt(number: str, settings) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(key_bytes(settings)).encrypt(nonce, number.encode(), _CONTEXT)
    return base64.b64encode(nonce + sealed).decode()


def decrypt(stored: str, settings) -> str:
    raw = base64.b64decode(stored)
    try:
        return AESGCM(key_bytes(settings)).decrypt(raw[:12], raw[12:], _CONTEXT).decode()
    except InvalidTag:
        raise ValueError("the ID number key does not open this value (was DANGJIAN_ID_NUMBER_KEY changed?)") from None
