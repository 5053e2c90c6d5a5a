"""Hostile and malformed requests get a 4xx with a stable code and a Chinese message; never a 500."""
import pytest


@pytest.mark.parametrize("body, code", [
    (b"", "body_required"),
    (b"{not json", "invalid_json"),
    (b"\xff\xfe", "invalid_json"),
    (b"[1, 2]", "body_not_object"),
    (b'"text"', "body_not_object"),
    (b"null", "body_not_object"),
])
async def test_malformed_bodies(world, body, code):
    async with world.client("vendor") as c:
        response = await c.post("/api/v1/registrations", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code and response.json()["error"]["message"]


DEEP_ARRAY = b"[" * 1000 + b"]" * 1000
DEEP_OBJECT = b'{"a":' * 1000 + b"1" + b"}" * 1000


async def test_json_nested_a_thousand_deep_is_refused_on_every_json_route(world):
    # It raised RecursionError inside the JSON parser: a 500 from one unauthenticated request.
    routes = [(r.path, method) for r in world.backend.app.router.routes if r.path.startswith("api/v1/")
              for method in r.methods - {"GET", "HEAD", "OPTIONS", "DELETE"}]
    assert len(routes) > 20
    async with world.client("sec_a") as c:
        for path, method in routes:
            concrete = "/" + "/".join("1" if part.startswith("<") else part for part in path.split("/"))
            for body in (DEEP_ARRAY, DEEP_OBJECT):
                response = await c.request(method, concrete, content=body, headers={"Content-Type": "application/json"})
                assert response.status_code < 500, (method, concrete, response.text[:200])
    async with world.client("vendor") as c:
        response = await c.post("/api/v1/registrations", content=DEEP_OBJECT, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "json_too_deep"


@pytest.mark.parametrize("score", ["²", "٣", "３", "05", "-1", "1.0", ""])
async def test_the_page_form_refuses_a_score_that_is_not_one_of_the_five(world, score):
    from tests.plate_helpers import fresh_ip, publish_member
    from tests.asgi import client

    code = await publish_member(world)
    async with client(world.backend.app, ip=fresh_ip()) as c:
        response = await c.post(f"/p/{code}/ratings", data={"score": score, "nonce": "abcdefgh12"})
    assert response.status_code == 422 and "请先点星星打分" in response.text  # the page, not a 500


async def test_unknown_route_and_wrong_method_answer_json(world):
    async with world.client("vendor") as c:
        missing = await c.get("/api/v1/nothing-here")
        method = await c.delete("/api/v1/me")
        with_param = await c.put(f"/api/v1/members/{world.member_a.id}")
        text_id = await c.get("/api/v1/members/abc")
        huge_id = await c.get(f"/api/v1/members/{10**30}")
        negative = await c.get("/api/v1/registrations/-1")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert method.status_code == 405 and method.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in method.headers["allow"]
    assert with_param.status_code == 405 and {"GET", "PATCH"} <= set(with_param.headers["allow"].split(", "))
    assert text_id.status_code == 404 and huge_id.status_code == 404 and negative.status_code == 404


@pytest.mark.parametrize("params, field", [
    ({"limit": "0"}, "limit"), ({"limit": "10000"}, "limit"), ({"offset": "-1"}, "offset"),
    ({"org_id": "abc"}, "org_id"), ({"org_id": str(10**20)}, "org_id"), ({"category": "x"}, "category"),
    ({"q": "a\x00b"}, "q"), ({"category": ""}, "category"), ({"org_id": ""}, "org_id"),
])
async def test_bad_query_parameters(world, params, field):
    async with world.client("sec_a") as c:
        response = await c.get("/api/v1/members", params=params)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


async def test_like_wildcards_in_search_are_literal(world):
    async with world.client("sec_a") as c:
        response = await c.get("/api/v1/members", params={"q": "%"})
    assert response.status_code == 200 and response.json()["total"] == 0


async def test_json_bodies_have_their_own_small_limit(world):
    async with world.client("vendor") as c:
        response = await c.post("/api/v1/registrations", content=b'{"name": "' + b"x" * (300 * 1024) + b'"}')
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"


async def test_choice_list_messages_are_all_chinese(world):
    async with world.client("sec_a") as c:
        kind = await c.post("/api/v1/activities", json={"org_id": world.party_a.id, "kind": "party", "title": "x",
                                                        "starts_at": "2026-12-10T19:00:00+08:00", "duration_minutes": 60})
        status = await c.get("/api/v1/ratings", params={"status": "maybe"})
    for response, field in ((kind, "kind"), (status, "status")):
        message = response.json()["error"]["fields"][field]
        assert response.status_code == 422 and message.startswith("应为以下之一："), message
        assert " or " not in message and "、" in message, message


async def test_a_path_over_the_limit_answers_414(world):
    async with world.client("vendor") as c:
        response = await c.get("/api/v1/" + "a" * 3000)
    assert response.status_code == 414 and response.json()["error"]["code"] == "uri_too_long"
