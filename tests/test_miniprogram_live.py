"""The mini-program's develop build against a real server as `make run` starts it (fake WeChat,
demo data): its own services (miniprogram/tests/live/develop-build.js) run in Node with a `wx`
whose requests are real HTTP. A new developer's first run: the demo users are offered instead of
a wx.login code the fake gateway refuses; then a vendor's leave request, seen pending, decided by
the secretary on the phone, and seen decided; and a check-in at a meeting with a geofence, refused
without the phone's position and far away, signed in at the market with its accuracy; and a meeting in a room without signal, member codes
scanned against the downloaded list and uploaded (twice) when the network is back."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.serverproc import ServerProcess
from tests.test_miniprogram import MINIPROGRAM

pytestmark = pytest.mark.e2e


def test_the_develop_build_logs_in_as_a_demo_user_and_runs_a_leave_request(tmp_path):
    if not shutil.which("node"):
        if REQUIRE_SERVICES:
            pytest.fail("node is missing")
        pytest.skip("node is not installed: the mini-program's live test was skipped")
    server = ServerProcess({"DANGJIAN_DATABASE_URL": f"sqlite://{tmp_path / 'live.sqlite3'}",
                            "DANGJIAN_UPLOAD_DIR": str(tmp_path / "uploads")})
    with server:
        result = subprocess.run(["node", str(MINIPROGRAM / "tests" / "live" / "develop-build.js"), server.base],
                                cwd=MINIPROGRAM, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout)
    assert report["first"] == {"code": "dev_user_needed", "navigated": ["/pages/dev-login/index"], "wxLogins": 0}
    assert {"admin", "secretary1", "vendor1"} <= set(report["users"])
    assert report["secretary"] == {"staff": True, "roles": ["湖滨分会"]}
    assert report["vendor"] == {"name": "王建国", "staff": False}
    assert report["upcoming"] == ["十二月支部党员大会"]
    assert report["before"] is None
    assert report["emptyReason"]["status"] == 422 and report["emptyReason"]["fields"].get("reason")
    assert report["pending"] == "pending"
    assert report["requests"] == [{"reason": "去义乌进货", "status": "pending"}]
    assert report["decided"] == "approved"
    assert report["wxLogins"] == 0  # the fake gateway was never sent wx.login's code
    # location check-in: refused without a position, refused 2 km away, signed in at the market
    assert report["location"] == {"bare": "location_required", "far": "outside_geofence",
                                  "sent": {"lat": 30.2491, "lng": 120.1713, "accuracy_m": 30}, "title": "党课：定位签到"}
    # offline: two cards scanned with no network (one twice), kept, uploaded, then the same batch again
    offline = report["offline"]
    assert offline["scanned"][0] == [True, "王建国", False] and offline["scanned"][2] == [True, "王建国", True]
    assert offline["whileOffline"] == "network"
    assert offline["first"] == {"recorded": 2} and offline["again"] == {"recorded": 2}
    assert offline["present"] == 2 and offline["methods"] == ["card", "card"]
