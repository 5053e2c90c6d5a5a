"""Checking text that will be shown to the public: pledges, customers' comments, replies.

A local word list always applies (it needs no network and catches the obvious); WeChat's
msg_sec_check v2 applies on top when the author came through the mini-program and so has an
openid WeChat can judge them by. "risky" is refused; "review" goes to a person.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

from server.errors import ValidationFailed
from server.wechat import WeChatBusy, WeChatGateway, WeChatRateLimited, WeChatRefused, WeChatUnavailable

WORDS_FILE = Path(__file__).with_name("blocked_words.txt")


class ContentRejected(ValidationFailed):
    code, message = "content_rejected", "内容含有不适宜公开的词语，请修改后再提交"


def _load_words() -> tuple[str, ...]:
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(_normalise(line) for line in lines if line.strip() and not line.startswith("#"))


def _normalise(text: str) -> str:
    # Full-width letters and digits fold to ASCII, case folds, and spaces or dots slipped
    # between characters ("赌 博", "加.微.信") do not hide a word.
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


BLOCKED_WORDS = _load_words()


def locally_blocked(text: str) -> bool:
    plain = _normalise(text)
    return any(word in plain for word in BLOCKED_WORDS)


async def check(text: str, *, field: str, gateway: WeChatGateway, openid: str | None, scene: int,
                wechat_down_means_review: bool = False) -> str:
    """'pass', 'review' or 'unchecked'; raises ContentRejected for text that must not be stored.
    'unchecked': WeChat could not judge it (no openid: typed on the web page), so a person must
    before it is shown anywhere, the mini-program included.
    scene: 1 profile (pledge), 2 comment. With `wechat_down_means_review`, WeChat being
    unreachable sends the text to a person instead of failing (a customer's complaint must not
    be lost because WeChat is slow); otherwise its error reaches the caller."""
    if not text:
        return "pass"
    if locally_blocked(text):
        raise ContentRejected(fields={field: "含有不适宜公开的词语"})
    if openid is None:
        return "unchecked"
    try:
        verdict = await gateway.check_text(text, openid, scene=scene)
    except (WeChatUnavailable, WeChatBusy, WeChatRateLimited, WeChatRefused):
        if wechat_down_means_review:
            return "review"
        raise
    if verdict.suggest == "risky":
        raise ContentRejected(fields={field: "微信内容安全检测未通过"})
    return "pass" if verdict.passed else "review"
