"""A stand-in for WeChat's server API on loopback, answering with WeChat's documented JSON.

It issues access tokens, refuses stale ones with 40001 (or 42001 once `expire_with_42001` is
set), and answers the four calls the gateway makes, errors included.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class StandIn:
    def __init__(self) -> None:
        self.token_fetches = 0
        self.valid_tokens: set[str] = set()
        self.calls: list[tuple[str, dict, dict | None]] = []
        self.expire_with_42001 = False
        self.refuse_every_token = False
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
                self._reply(standin.answer(url.path, query, body))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def expire_all_tokens(self) -> None:
        with self._lock:
            self.valid_tokens.clear()

    def calls_to(self, path: str) -> int:
        return sum(1 for p, _, _ in self.calls if p == path)

    def answer(self, path: str, query: dict, body: dict | None) -> dict:
        if path == "/cgi-bin/token":
            if query.get("appid") != "wxappid" or query.get("secret") != "wxsecret":
                return {"errcode": 40013, "errmsg": "invalid appid"}
            with self._lock:
                self.token_fetches += 1
                token = f"TOKEN-{self.token_fetches}"
                self.valid_tokens.add(token)
            return {"access_token": token, "expires_in": 7200}
        if path == "/sns/jscode2session":
            if "access_token" in query:
                return {"errcode": 40001, "errmsg": "jscode2session takes no access token"}
            code = query.get("js_code")
            if code == "busy":
                return {"errcode": -1, "errmsg": "system error"}
            if code == "limit":
                return {"errcode": 45011, "errmsg": "api minute-quota reach limit"}
            if not code or not code.startswith("good-"):
                return {"errcode": 40029, "errmsg": "invalid code"}
            return {"openid": f"o-{code[5:]}", "session_key": "sk", "unionid": "u-1"}
        # Everything below needs a valid access token.
        if self.refuse_every_token or query.get("access_token") not in self.valid_tokens:
            if self.expire_with_42001:
                return {"errcode": 42001, "errmsg": "access_token expired"}
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if path == "/wxa/business/getuserphonenumber":
            if body.get("code") == "phone-ok":
                return {"errcode": 0, "errmsg": "ok", "phone_info": {
                    "phoneNumber": "+86 13812345678", "purePhoneNumber": "13812345678", "countryCode": "86",
                    "watermark": {"timestamp": 1700000000, "appid": "wxappid"}}}
            if body.get("code") == "phone-hk":
                return {"errcode": 0, "errmsg": "ok", "phone_info": {
                    "phoneNumber": "+852 51234567", "purePhoneNumber": "51234567", "countryCode": "852",
                    "watermark": {"timestamp": 1700000000, "appid": "wxappid"}}}
            return {"errcode": 40029, "errmsg": "invalid code"}
        if path == "/wxa/msg_sec_check":
            risky = "赌博" in body.get("content", "")
            return {"errcode": 0, "errmsg": "ok", "result": {"suggest": "risky" if risky else "pass",
                                                             "label": 20001 if risky else 100}, "detail": []}
        if path == "/cgi-bin/message/subscribe/send":
            if body.get("touser") == "unsubscribed":
                return {"errcode": 43101, "errmsg": "user refuse to accept the msg"}
            return {"errcode": 0, "errmsg": "ok"}
        return {"errcode": 404, "errmsg": "no such api in the stand-in"}
