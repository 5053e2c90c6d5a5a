"""A stand-in for WeChat's server API on loopback, as strict as WeChat's documentation
(../shared/WECHAT.md): what WeChat refuses, it refuses, with WeChat's errcodes.

- Login codes (`good-<who>`) are single-use: a second use answers 40163. `risky-<who>` answers
  40226 (high-risk user), `busy`/`limit` -1/45011.
- Access tokens: `POST /cgi-bin/stable_token` in normal mode hands every caller the same token
  while it is valid; `force_refresh` issues a new one and kills the old (counted: WeChat allows
  20 a day). Legacy `GET /cgi-bin/token` issues a new token per call and kills the previous.
  A stale token answers 40001 (or 42001 with `expire_with_42001`).
- `subscribeMessage.send` needs a consent per message (`grant`), else 43101; refuses a page the
  mini-program does not have (41030, pages read from miniprogram/src/app.json), a `thing` over
  20 characters (47003), an unknown template (40037), a bad miniprogram_state (47001).
- `msg_sec_check` v2 answers errcode 0 with a verdict: risky for 赌博, review for 待人工.
- `slow[path] = seconds` makes an endpoint hang; `fail_next[path] = [errcode, …]` makes its next
  calls fail with those errcodes.
"""
from __future__ import annotations

import json
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

APP_JSON = Path(__file__).resolve().parent.parent / "miniprogram" / "src" / "app.json"
APPID, SECRET = "wxappid", "wxsecret"
TEMPLATE = "tpl-reminder"
# The keys' rules (WECHAT.md): thing ≤ 20 characters, time a date and time, phrase ≤ 5.
THING_MAX = 20


def miniprogram_pages() -> set[str]:
    return set(json.loads(APP_JSON.read_text(encoding="utf-8"))["pages"])


class StandIn:
    def __init__(self) -> None:
        self.pages = miniprogram_pages()
        self.stable_fetches = 0
        self.forced_refreshes = 0
        self.legacy_fetches = 0
        self.stable_token: str | None = None
        self.valid_tokens: set[str] = set()
        self.used_codes: set[str] = set()
        self.consents: Counter = Counter()  # (openid, template) -> sends allowed
        self.delivered: list[dict] = []
        self.calls: list[tuple[str, dict, dict | None]] = []
        self.slow: dict[str, float] = {}
        self.fail_next: dict[str, list[int]] = defaultdict(list)
        self.expire_with_42001 = False
        self.refuse_every_token = False
        self._issued = 0
        self._lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _reply(self, payload: dict):
                body = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                self._dispatch(None)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                self._dispatch(json.loads(self.rfile.read(length) or b"{}"))

            def _dispatch(self, body):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                with standin._lock:
                    standin.calls.append((url.path, query, body))
                    delay = standin.slow.get(url.path, 0)
                    failure = standin.fail_next[url.path].pop(0) if standin.fail_next[url.path] else None
                if delay:
                    time.sleep(delay)
                if failure is not None:
                    return self._reply({"errcode": failure, "errmsg": "injected by the test"})
                with standin._lock:
                    answer = standin.answer(url.path, query, body)
                self._reply(answer)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):  # a client that timed out and left: expected
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # --- what a test can do to it ---

    def expire_all_tokens(self) -> None:
        """Every token dies now (WeChat expired or replaced them)."""
        with self._lock:
            self.valid_tokens.clear()
            self.stable_token = None

    def grant(self, openid: str, template: str = TEMPLATE, times: int = 1) -> None:
        """The user tapped "allow" in wx.requestSubscribeMessage: one send each time."""
        with self._lock:
            self.consents[(openid, template)] += times

    def calls_to(self, path: str) -> int:
        return sum(1 for p, _, _ in self.calls if p == path)

    # --- WeChat ---

    def _new_token(self) -> str:
        self._issued += 1
        token = f"TOKEN-{self._issued}"
        self.valid_tokens.add(token)
        return token

    def answer(self, path: str, query: dict, body: dict | None) -> dict:
        if path == "/cgi-bin/stable_token":
            body = body or {}
            if body.get("grant_type") != "client_credential":
                return {"errcode": 40002, "errmsg": "invalid grant_type"}
            if body.get("appid") != APPID or body.get("secret") != SECRET:
                return {"errcode": 40013, "errmsg": "invalid appid"}
            self.stable_fetches += 1
            if body.get("force_refresh"):
                self.forced_refreshes += 1
                self.valid_tokens.discard(self.stable_token)
                self.stable_token = None
            if self.stable_token is None:  # normal mode: the same token while it is valid
                self.stable_token = self._new_token()
            return {"access_token": self.stable_token, "expires_in": 7200}
        if path == "/cgi-bin/token":
            if query.get("appid") != APPID or query.get("secret") != SECRET:
                return {"errcode": 40013, "errmsg": "invalid appid"}
            self.legacy_fetches += 1
            self.valid_tokens.difference_update({t for t in self.valid_tokens if t != self.stable_token})
            return {"access_token": self._new_token(), "expires_in": 7200}
        if path == "/sns/jscode2session":
            if "access_token" in query:
                return {"errcode": 40001, "errmsg": "jscode2session takes no access token"}
            if query.get("appid") != APPID or query.get("secret") != SECRET:
                return {"errcode": 40013, "errmsg": "invalid appid"}
            code = query.get("js_code") or ""
            if code == "busy":
                return {"errcode": -1, "errmsg": "system error"}
            if code == "limit":
                return {"errcode": 45011, "errmsg": "api minute-quota reach limit"}
            if code.startswith("risky-"):
                return {"errcode": 40226, "errmsg": "invalid login, high risk user"}
            if not code.startswith("good-"):
                return {"errcode": 40029, "errmsg": "invalid code"}
            if code in self.used_codes:
                return {"errcode": 40163, "errmsg": "code been used"}
            self.used_codes.add(code)
            return {"openid": f"o-{code[5:]}", "session_key": "sk", "unionid": "u-1"}
        # Everything below needs a valid access token.
        if self.refuse_every_token or query.get("access_token") not in self.valid_tokens:
            if self.expire_with_42001:
                return {"errcode": 42001, "errmsg": "access_token expired"}
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if path == "/wxa/business/getuserphonenumber":
            code = body.get("code")
            if code in self.used_codes:
                return {"errcode": 40163, "errmsg": "code been used"}
            if code == "phone-ok":
                self.used_codes.add(code)
                return {"errcode": 0, "errmsg": "ok", "phone_info": {
                    "phoneNumber": "+86 13812345678", "purePhoneNumber": "13812345678", "countryCode": 86,
                    "watermark": {"timestamp": 1700000000, "appid": APPID}}}
            if code == "phone-hk":
                return {"errcode": 0, "errmsg": "ok", "phone_info": {
                    "phoneNumber": "+852 51234567", "purePhoneNumber": "51234567", "countryCode": "852",
                    "watermark": {"timestamp": 1700000000, "appid": APPID}}}
            return {"errcode": 40029, "errmsg": "invalid code"}
        if path == "/wxa/msg_sec_check":
            if body.get("version") != 2 or not body.get("openid") or body.get("scene") not in (1, 2, 3, 4):
                return {"errcode": 40003, "errmsg": "invalid openid, scene or version"}
            content = body.get("content", "")
            suggest, label = ("risky", 20001) if "赌博" in content else ("review", 21000) if "待人工" in content \
                else ("pass", 100)
            return {"errcode": 0, "errmsg": "ok", "result": {"suggest": suggest, "label": label},
                    "detail": [{"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label}]}
        if path == "/cgi-bin/message/subscribe/send":
            return self._send(body or {})
        return {"errcode": 404, "errmsg": "no such api in the stand-in"}

    def _send(self, body: dict) -> dict:
        if body.get("template_id") != TEMPLATE:
            return {"errcode": 40037, "errmsg": "invalid template_id"}
        if not str(body.get("touser", "")).startswith("o-") and not str(body.get("touser", "")).startswith("dev-"):
            return {"errcode": 40003, "errmsg": "invalid openid"}
        if body.get("miniprogram_state", "formal") not in ("developer", "trial", "formal"):
            return {"errcode": 47001, "errmsg": "data format error: miniprogram_state"}
        page = body.get("page")
        if page is not None and page.split("?", 1)[0] not in self.pages:
            return {"errcode": 41030, "errmsg": "invalid page rid: page not published"}
        for key, item in (body.get("data") or {}).items():
            value = item.get("value") if isinstance(item, dict) else None
            if not isinstance(value, str) or not value or (key.startswith("thing") and len(value) > THING_MAX):
                return {"errcode": 47003, "errmsg": f"argument invalid! data.{key}.value invalid"}
        consent = (body["touser"], body["template_id"])
        if self.consents[consent] <= 0:
            return {"errcode": 43101, "errmsg": "user refuse to accept the msg"}
        self.consents[consent] -= 1
        self.delivered.append(body)
        return {"errcode": 0, "errmsg": "ok", "msgid": len(self.delivered)}
