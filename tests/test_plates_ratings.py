"""Customers' ratings: one a day, nonce replays, floods, content checks, and moderation."""
import asyncio
import uuid

from server.audit import AuditEntry
from server.plates.models import Rating
from server.plates.ratings import PER_CLIENT_PER_MINUTE
from tests.asgi import client
from tests.plate_helpers import fresh_ip, publish_member


def rating(score=5, comment="", complaint=False, nonce=None) -> dict:
    return {"score": score, "comment": comment, "complaint": complaint, "nonce": nonce or uuid.uuid4().hex}


def customer(world, token=None):
    return client(world.backend.app, token, ip=fresh_ip())


async def test_a_good_rating_is_published_at_once_and_shows_on_the_profile(world):
    code = await publish_member(world)
    await world.add_user("shopper")
    async with customer(world) as c:
        first = await c.get(f"/api/v1/public/plates/{code}")  # cached now
    async with client(world.backend.app, world.tokens["shopper"], ip=fresh_ip()) as c:  # WeChat checks the text
        posted = await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(5, "货真价实"))
        after = await c.get(f"/api/v1/public/plates/{code}")
    assert first.json()["rating_count"] == 0
    assert posted.status_code == 201 and posted.json()["status"] == "published"
    profile = after.json()
    assert profile["rating_count"] == 1 and profile["rating_average"] == 5.0
    assert profile["ratings"][0]["comment"] == "货真价实"


async def test_a_web_comment_waits_for_the_secretary_while_its_score_counts(world):
    # WeChat's check needs an openid: text typed on the web page has had none, so it is shown
    # nowhere (page, JSON, mini-program) until a secretary publishes it. The score counts at once.
    code = await publish_member(world)
    async with customer(world) as c:
        stars_only = await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(4))
    async with customer(world) as c:
        commented = await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(5, "老板很实在"))
        profile = (await c.get(f"/api/v1/public/plates/{code}")).json()
        page = (await c.get(f"/p/{code}")).text
    assert stars_only.json()["status"] == "published"
    assert commented.status_code == 201 and commented.json()["status"] == "flagged"
    assert "留言经审核后显示" in commented.json()["message"]
    assert "dj_customer" in commented.headers.get("set-cookie", "")
    assert profile["rating_count"] == 2 and profile["rating_average"] == 4.5
    assert all(r["comment"] != "老板很实在" for r in profile["ratings"]) and "老板很实在" not in page
    held = await Rating.get(member=world.member_a, comment="老板很实在")
    assert held.flag_reason == "unchecked_comment"
    async with world.client("sec_a") as c:
        queue = (await c.get("/api/v1/ratings", params={"status": "flagged"})).json()
        assert held.id in [r["id"] for r in queue["items"]]
        assert (await c.post(f"/api/v1/ratings/{held.id}/publish")).status_code == 200
    async with customer(world) as c:
        profile = (await c.get(f"/api/v1/public/plates/{code}")).json()
    assert profile["ratings"][0]["comment"] == "老板很实在" and profile["rating_count"] == 2


async def test_the_average_has_one_decimal(world):
    code = await publish_member(world)
    for score in (5, 4, 5):
        async with customer(world) as c:
            assert (await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(score))).status_code == 201
    async with customer(world) as c:
        profile = (await c.get(f"/api/v1/public/plates/{code}")).json()
        page = (await c.get(f"/p/{code}")).text
    assert profile["rating_average"] == 4.7 and profile["rating_count"] == 3  # 14 / 3, not 4
    assert "4.7 分" in page


async def test_one_rating_per_customer_per_day_and_a_retry_replays_the_first_answer(world):
    code = await publish_member(world)
    body = rating(4, "不错")
    async with customer(world) as c:  # a double tap before the browser holds a cookie
        answers = await asyncio.gather(*[c.post(f"/api/v1/public/plates/{code}/ratings", json=body) for _ in range(5)])
    assert {a.status_code for a in answers} == {201}
    assert len({a.text for a in answers}) == 1
    assert await Rating.filter(member=world.member_a).count() == 1
    async with customer(world) as c:  # the first rating sets the cookie the second one carries
        first = await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(5))
        second = await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(1))
    assert first.status_code == 201
    assert second.status_code == 409 and second.json()["error"]["code"] == "already_rated_today"
    assert await Rating.filter(member=world.member_a).count() == 2


async def test_mini_program_customers_are_known_by_openid(world):
    code = await publish_member(world)
    await world.add_user("shopper")
    async with client(world.backend.app, world.tokens["shopper"], ip=fresh_ip()) as c:
        first = await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(5))
    async with client(world.backend.app, world.tokens["shopper"], ip=fresh_ip()) as other_phone_session:
        again = await other_phone_session.post(f"/api/v1/public/plates/{code}/ratings", json=rating(4))
    async with client(world.backend.app, "not-a-token", ip=fresh_ip()) as c:
        bad_token = await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(4))
    assert first.status_code == 201 and "set-cookie" not in first.headers
    assert again.status_code == 409
    assert bad_token.status_code == 401
    stored = await Rating.get(member=world.member_a)
    assert stored.channel == "miniprogram" and world.users["shopper"].openid not in stored.customer


async def test_a_flood_from_one_client_stores_no_more_than_the_limit(world):
    code = await publish_member(world)
    ip = fresh_ip()
    statuses = []
    for _ in range(200):  # a new cookie each time: only the address ties them together
        async with client(world.backend.app, ip=ip) as c:
            statuses.append((await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(5))).status_code)
    stored = await Rating.filter(member=world.member_a).count()
    assert stored == PER_CLIENT_PER_MINUTE == statuses.count(201)
    assert statuses.count(429) == 200 - PER_CLIENT_PER_MINUTE


async def test_low_scores_and_complaints_wait_for_the_secretary(world):
    code = await publish_member(world)
    async with customer(world) as c:
        low = await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(2, "态度差"))
    async with customer(world) as c:
        complaint = await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(4, "秤不准", complaint=True))
    async with customer(world) as c:
        profile = (await c.get(f"/api/v1/public/plates/{code}")).json()
    assert low.json()["status"] == complaint.json()["status"] == "flagged"
    assert "书记" in low.json()["message"]
    assert profile["rating_count"] == 0
    async with world.client("sec_a") as secretary:
        queue = (await secretary.get("/api/v1/ratings?status=flagged")).json()
    assert {r["flag_reason"] for r in queue["items"] if r["member_id"] == world.member_a.id} == {"low_score", "complaint"}
    # The queue says whose stall it is, not only a member number.
    assert {(r["member_name"], r["unit_name"]) for r in queue["items"] if r["member_id"] == world.member_a.id} == {
        (world.member_a.name, world.member_a.unit_name)}
    async with world.client("sec_b") as other:
        assert (await other.get("/api/v1/ratings?status=flagged")).json()["items"] == []


async def test_moderation_publish_hide_and_reply(world):
    code = await publish_member(world)
    async with customer(world) as c:
        await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(1, "缺斤少两"))
    async with customer(world) as c:
        await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(2, "骂人的话"))
    async with world.client("sec_a") as secretary:
        flagged = (await secretary.get(f"/api/v1/ratings?status=flagged&member_id={world.member_a.id}")).json()["items"]
        by_comment = {r["comment"]: r["id"] for r in flagged}
        async with world.client("sec_b") as other:
            denied = await other.post(f"/api/v1/ratings/{by_comment['缺斤少两']}/publish")
        published = await secretary.post(f"/api/v1/ratings/{by_comment['缺斤少两']}/publish")
        replied = await secretary.put(f"/api/v1/ratings/{by_comment['缺斤少两']}/reply",
                                      json={"reply": "已核实，已为顾客补足并批评教育"})
        no_reason = await secretary.post(f"/api/v1/ratings/{by_comment['骂人的话']}/hide", json={})
        hidden = await secretary.post(f"/api/v1/ratings/{by_comment['骂人的话']}/hide", json={"reason": "辱骂内容"})
    assert denied.status_code == 404
    assert published.json()["status"] == "published"
    assert replied.json()["reply"] == "已核实，已为顾客补足并批评教育"
    assert no_reason.status_code == 422
    assert hidden.json()["status"] == "hidden" and hidden.json()["hidden_reason"] == "辱骂内容"
    async with customer(world) as c:
        profile = (await c.get(f"/api/v1/public/plates/{code}")).json()
        page = await c.get(f"/p/{code}")
    assert [(r["comment"], r["reply"]) for r in profile["ratings"]] == [("缺斤少两", "已核实，已为顾客补足并批评教育")]
    assert profile["rating_count"] == 1 and profile["rating_average"] == 1.0
    assert "骂人的话" not in page.text and "书记回复：已核实" in page.text
    async with world.client("member_a") as me:
        mine = (await me.get(f"/api/v1/members/{world.member_a.id}/ratings")).json()
    assert [r["comment"] for r in mine["items"]] == ["缺斤少两"]
    actions = set(await AuditEntry.filter(action__startswith="rating.").values_list("action", flat=True))
    assert {"rating.published", "rating.hidden", "rating.replied", "rating.publish.denied"} <= actions


async def test_bad_ratings_are_refused_and_nothing_is_stored(world):
    code = await publish_member(world)
    cases = [
        ({**rating(), "score": 0}, "score"), ({**rating(), "score": 6}, "score"), ({**rating(), "score": "5"}, "score"),
        ({**rating(), "score": None}, "score"), ({**rating(), "score": 4.5}, "score"),
        ({**rating(), "comment": "好" * 10_000}, "comment"), ({**rating(), "nonce": ""}, "nonce"),
        ({"score": 5}, "nonce"), ({**rating(), "status": "published"}, "status"),
    ]
    async with customer(world) as c:
        for body, field in cases:
            response = await c.post(f"/api/v1/public/plates/{code}/ratings", json=body)
            assert response.status_code == 422, body
            assert field in response.json()["error"]["fields"], body
        blocked = await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(5, "办 证 刷 单 找我"))
        unknown = await c.post("/api/v1/public/plates/abcdefghjkmn/ratings", json=rating())
        malformed = await c.post(f"/api/v1/public/plates/{code}/ratings", content=b"{not json")
    assert blocked.status_code == 422 and blocked.json()["error"]["code"] == "content_rejected"
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "plate_not_found"
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "invalid_json"
    assert not await Rating.filter(member=world.member_a).exists()


async def test_wechat_content_check_applies_to_mini_program_comments(world):
    code = await publish_member(world)
    await world.add_user("shopper2")
    async with client(world.backend.app, world.tokens["shopper2"], ip=fresh_ip()) as c:
        risky = await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(5, "fake-risky words"))
    assert risky.status_code == 422 and risky.json()["error"]["code"] == "content_rejected"
    assert not await Rating.filter(member=world.member_a).exists()


async def test_html_in_comments_is_escaped_on_the_page(world):
    code = await publish_member(world)
    async with customer(world) as c:
        await c.post(f"/api/v1/public/plates/{code}/ratings",
                     json=rating(5, '<img src=x onerror="alert(1)"><script>alert(2)</script>'))
    async with world.client("sec_a") as c:
        held = await Rating.get(member=world.member_a)
        assert (await c.post(f"/api/v1/ratings/{held.id}/publish")).status_code == 200
    async with customer(world) as c:
        page = await c.get(f"/p/{code}")
    assert "<script>alert(2)" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page.text


async def test_the_html_form_posts_and_redirects_back_with_thanks(world):
    code = await publish_member(world)
    async with customer(world) as c:
        page = await c.get(f"/p/{code}")
        assert "set-cookie" not in page.headers  # looking sets nothing
        nonce = page.text.split('name="nonce" value="')[1].split('"')[0]
        form = {"score": "3", "comment": "还行", "nonce": nonce}
        posted = await c.post(f"/p/{code}/ratings", data=form)
        cookie = posted.headers["set-cookie"].split(";")[0]
        assert "HttpOnly" in posted.headers["set-cookie"] and "SameSite=Lax" in posted.headers["set-cookie"]
        replay = await c.post(f"/p/{code}/ratings", data=form, headers={"Cookie": cookie})
        again = await c.post(f"/p/{code}/ratings", data={**form, "nonce": "other"}, headers={"Cookie": cookie})
        no_score = await c.post(f"/p/{code}/ratings", data={"comment": "x", "nonce": "n2"}, headers={"Cookie": cookie})
        shown = await c.get(posted.headers["location"])
    assert posted.status_code == 303 and posted.headers["location"].startswith(f"/p/{code}?rated=comment_held")
    assert replay.status_code == 303
    assert again.status_code == 409 and "今天已经评价过" in again.text
    assert no_score.status_code == 422 and "请先点星星打分" in no_score.text
    assert "感谢您的评价" in shown.text and "留言经审核后显示" in shown.text
    assert "还行" not in shown.text  # typed on the web: not shown until the secretary publishes it
    assert await Rating.filter(member=world.member_a).count() == 1


def test_customer_cookies_are_signed_and_forged_ones_ignored():
    from server.plates.visitors import cookie_identity, new_cookie

    cookie = new_cookie("secret-one")
    value = cookie.split(".")[0]
    assert cookie_identity(cookie, "secret-one") == value
    assert cookie_identity(cookie, "another-secret") is None
    assert cookie_identity(value + ".0000", "secret-one") is None
    for garbage in (None, "", "a.b.c", "x" * 500, "."):
        assert cookie_identity(garbage, "secret-one") is None


async def test_with_wechat_unreachable_a_mini_program_comment_waits_for_a_person(world):
    from server.kv import MemoryStore
    from server.plates import ratings
    from server.wechat import RealWeChat

    code = await publish_member(world)
    unreachable = RealWeChat("wx-app", "secret", MemoryStore(), base_url="http://127.0.0.1:9", timeout=1)
    answer, created = await ratings.submit(
        code, score=5, comment="老板人很好", complaint=False, nonce="offline-1",
        customer=ratings.Customer("miniprogram", "o-offline"), client=fresh_ip(), store=world.backend.store,
        gateway=unreachable, secret="s")
    assert created and answer["status"] == "flagged"
    stored = await Rating.get(member=world.member_a)
    assert stored.flag_reason == "content_review" and stored.comment == "老板人很好"


async def test_refused_posts_do_not_use_up_a_plates_quota(world):
    # A vendor could otherwise post 60 comments the word list refuses, from many addresses, and
    # silence every genuine rating and complaint against himself for an hour.
    from server.plates.ratings import PER_PLATE_PER_HOUR

    code = await publish_member(world)
    for _ in range(PER_PLATE_PER_HOUR + 5):
        async with customer(world) as c:
            refused = await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(5, "加微信代开发票"))
        assert refused.status_code == 422
    async with customer(world) as c:
        complaint = await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(1, "", complaint=True))
    assert complaint.status_code == 201
    for _ in range(PER_PLATE_PER_HOUR - 1):  # stored ones do use it
        async with customer(world) as c:
            assert (await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(4))).status_code == 201
    async with customer(world) as c:
        over = await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(4))
    assert over.status_code == 429 and 1 <= int(over.headers["retry-after"]) <= 3600
    assert await Rating.filter(member=world.member_a).count() == PER_PLATE_PER_HOUR


async def test_a_member_cannot_rate_his_own_plate(world):
    code = await publish_member(world)
    async with client(world.backend.app, world.tokens["member_a"], ip=fresh_ip()) as c:
        own = await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(5, "我最好"))
    assert own.status_code == 403 and own.json()["error"]["code"] == "own_plate"
    assert not await Rating.filter(member=world.member_a).exists()


async def test_cross_site_posts_are_refused_and_pages_cannot_be_framed(world):
    code = await publish_member(world)
    evil = {"Origin": "https://evil.example"}
    async with customer(world) as c:
        page = await c.get(f"/p/{code}")
        nonce = page.text.split('name="nonce" value="')[1].split('"')[0]
        form = await c.post(f"/p/{code}/ratings", data={"score": "1", "nonce": nonce}, headers=evil)
        by_referer = await c.post(f"/p/{code}/ratings", data={"score": "1", "nonce": nonce},
                                  headers={"Referer": "https://evil.example/page.html"})
        as_json = await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(1), headers=evil)
        same = await c.post(f"/p/{code}/ratings", data={"score": "4", "nonce": nonce},
                            headers={"Origin": "http://testserver"})
        miniprogram = await c.post(f"/api/v1/public/plates/{code}/ratings", json=rating(5),
                                   headers={"Referer": "https://servicewechat.com/wxappid/3/page-frame.html"})
        api = await c.get("/api/v1/public/plates/" + code)
    assert form.status_code == by_referer.status_code == as_json.status_code == 403
    assert "请在三亮牌页面上提交评价" in form.text and as_json.json()["error"]["code"] == "cross_site_request"
    assert same.status_code == 303 and miniprogram.status_code == 409  # same visitor, same day: refused as a repeat
    assert await Rating.filter(member=world.member_a).count() == 1
    for response in (page, form):
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "script-src 'none'" in response.headers["content-security-policy"]
    assert api.headers["x-content-type-options"] == "nosniff" and page.headers["x-content-type-options"] == "nosniff"
