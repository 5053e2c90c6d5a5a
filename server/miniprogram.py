"""The mini-program's pages that the server names: in subscribe messages (WeChat answers 41030
for a page the published mini-program does not have) and in the "scan an ordinary link" rules
registered in WeChat's console. tests/test_wechat_pages.py checks every page named anywhere in
server/ against miniprogram/src/app.json."""
from __future__ import annotations

ACTIVITY_PAGE = "pages/activity/index"
CHECKIN_PAGE = "pages/checkin/index"
PROFILE_PAGE = "pages/profile/index"
DESK_LOGIN_PAGE = "pages/desk-login/index"
PLAN_PAGE = "pages/plan/index"
FLOATING_QUEUE_PAGE = "pages/floating-queue/index"

# Link-rule prefix (under PUBLIC_BASE_URL) -> the page WeChat opens with the scanned URL in options.q.
LINK_RULES = {"c": CHECKIN_PAGE, "p": PROFILE_PAGE, "l": DESK_LOGIN_PAGE}


def activity_page(activity_id: int) -> str:
    return f"{ACTIVITY_PAGE}?id={activity_id}"


def plan_page(org_id: int) -> str:
    return f"{PLAN_PAGE}?org_id={org_id}"


def floating_queue_page(org_id: int) -> str:
    return f"{FLOATING_QUEUE_PAGE}?org_id={org_id}"


def serve_verify_file(app, name: str, content: str) -> None:
    """WeChat checks a link rule by fetching its verification file from the rule's last
    sub-folder (https://host/c/<name>, https://host/p/<name>), so the file is answered there."""
    from sanic.response import text
    from sanic_ext.extensions.openapi import openapi

    async def verify_file(request):
        return text(content, headers={"Cache-Control": "no-cache"})

    for prefix in LINK_RULES:
        app.add_route(openapi.exclude()(verify_file), f"/{prefix}/{name}", methods=["GET"],
                      name=f"wechat_verify_{prefix}")
