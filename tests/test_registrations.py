"""The 党建信息登记表: submitted by a vendor, approved or sent back by the secretary whose
subtree holds its life_org; one open registration per WeChat user; approval is exactly once."""
import asyncio

import pytest

from server.audit import AuditEntry
from server.auth import Principal, load_principal
from server.members import service
from server.members.models import Member, Registration
from tests.factories import registration_payload


async def submit(world, who="vendor", **overrides):
    async with world.client(who) as c:
        return await c.post("/api/v1/registrations", json=registration_payload(world, **overrides))


async def principal(world, who) -> Principal:
    return await load_principal(world.users[who])


# --- submitting ---------------------------------------------------------------------------------

async def test_vendor_submits_and_sees_it_pending(world):
    response = await submit(world)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending" and body["user_id"] == world.users["vendor"].id
    assert body["filled_on"]  # defaults to today in Shanghai
    assert body["mobile_verified"] is False
    async with world.client("vendor") as c:
        me = (await c.get("/api/v1/me")).json()
    assert me["registration"]["id"] == body["id"] and me["registration"]["status"] == "pending"


async def test_one_open_registration_per_user_even_when_sent_at_once(world):
    results = await asyncio.gather(*[submit(world) for _ in range(5)])
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201, 409, 409, 409, 409]
    refused = next(r for r in results if r.status_code == 409)
    assert refused.json()["error"]["code"] == "registration_already_open"
    assert await Registration.filter(user=world.users["vendor"]).count() == 1


async def test_a_member_cannot_register_again(world):
    response = await submit(world, who="member_a")
    assert response.status_code == 409 and response.json()["error"]["code"] == "already_a_member"


@pytest.mark.parametrize("overrides, field", [
    ({"mobile": "1381234567"}, "mobile"),
    ({"mobile": "12812345678"}, "mobile"),
    ({"mobile": "+8613812345678"}, "mobile"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 51}, "name"),
    ({"is_owner": "yes"}, "is_owner"),
    ({"life_org_id": "5"}, "life_org_id"),
    ({"life_org_id": 2**40}, "life_org_id"),
    ({"standing": "candidate"}, "standing"),
    ({"category": "vip"}, "category"),
    ({"unit_name": "店\x00名"}, "unit_name"),
    ({"filled_on": "yesterday"}, "filled_on"),
])
async def test_bad_fields_are_named_in_chinese(world, overrides, field):
    response = await submit(world, **overrides)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert field in error["fields"] and error["fields"][field]
    assert not any("a" <= ch <= "z" for ch in error["message"])  # the message is for people: Chinese
    assert not await Registration.filter(user=world.users["vendor"]).exists()


async def test_missing_fields_are_all_listed(world):
    async with world.client("vendor") as c:
        response = await c.post("/api/v1/registrations", json={"name": "李秀英"})
    fields = response.json()["error"]["fields"]
    assert response.status_code == 422
    assert {"unit_name", "mobile", "is_owner", "household_district", "life_org_id", "home_org", "standing", "placement"} <= set(fields)
    assert fields["mobile"] == "必填"


def without(world, *keys, **overrides) -> dict:
    return {k: v for k, v in registration_payload(world, **overrides).items() if k not in keys}


async def test_market_and_stall_go_with_in_market_placement(world):
    async with world.client("vendor") as c:
        missing = await c.post("/api/v1/registrations", json=without(world, "market_id", "stall_no"))
        null_market = await c.post("/api/v1/registrations", json=registration_payload(world, market_id=None))
        blank_stall = await c.post("/api/v1/registrations", json=registration_payload(world, stall_no="  "))
    standalone_with_stall = await submit(world, placement="standalone")
    assert missing.status_code == 422 and "市场" in missing.json()["error"]["fields"]["body"]
    assert null_market.status_code == 422 and "market_id" in null_market.json()["error"]["fields"]
    assert blank_stall.status_code == 422 and "stall_no" in blank_stall.json()["error"]["fields"]
    assert standalone_with_stall.status_code == 422
    async with world.client("vendor") as c:  # standalone: the two fields are left out, as the schema says
        ok = await c.post("/api/v1/registrations", json=without(world, "market_id", "stall_no", placement="standalone"))
    assert ok.status_code == 201 and ok.json()["market_id"] is None


async def test_unknown_or_unsuitable_orgs_and_markets_are_field_errors(world):
    unknown_org = await submit(world, life_org_id=99_999_999)
    association = await submit(world, life_org_id=world.root.id)
    unknown_market = await submit(world, market_id=99_999_999)
    # well formed, naming what is not there: 404 with the field named
    assert {unknown_org.status_code, association.status_code, unknown_market.status_code} == {404}
    assert unknown_org.json()["error"]["code"] == "reference_not_found"
    assert unknown_org.json()["error"]["fields"] == {"life_org_id": "找不到该组织"}
    assert "life_org_id" in association.json()["error"]["fields"]
    assert unknown_market.json()["error"]["fields"] == {"market_id": "找不到该市场"}


async def test_registrant_cannot_set_status_user_or_roles(world):
    response = await submit(world, status="approved", user_id=world.users["admin"].id, roles=["admin"])
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"status", "user_id", "roles"}
    assert not await Registration.filter(user=world.users["vendor"]).exists()


async def test_mobile_verified_when_it_matches_the_wechat_phone(world):
    vendor = world.users["vendor"]
    vendor.phone = "13812345678"
    await vendor.save()
    assert (await submit(world)).json()["mobile_verified"] is True


# --- reviewing ----------------------------------------------------------------------------------

async def test_secretary_sees_pending_in_their_subtree_only(world):
    registration = (await submit(world)).json()
    async with world.client("sec_a") as c:
        mine = (await c.get("/api/v1/registrations", params={"status": "pending"})).json()
    async with world.client("sec_b") as c:
        theirs = (await c.get("/api/v1/registrations", params={"status": "pending"})).json()
        detail = await c.get(f"/api/v1/registrations/{registration['id']}")
    assert [r["id"] for r in mine["items"]] == [registration["id"]] and mine["total"] == 1
    assert theirs == {"items": [], "total": 0}
    assert detail.status_code == 404 and detail.json()["error"]["code"] == "registration_not_found"


async def test_plain_users_see_no_registrations_but_their_own(world):
    registration = (await submit(world)).json()
    async with world.client("member_a") as c:
        listed = (await c.get("/api/v1/registrations")).json()
        other = await c.get(f"/api/v1/registrations/{registration['id']}")
    async with world.client("vendor") as c:
        own = await c.get(f"/api/v1/registrations/{registration['id']}")
    assert listed["total"] == 0 and other.status_code == 404 and own.status_code == 200


async def test_approval_creates_the_member_with_the_secretarys_category(world):
    registration = (await submit(world, category="local")).json()
    async with world.client("sec_a") as c:
        response = await c.post(f"/api/v1/registrations/{registration['id']}/approve", json={"category": "floating"})
    assert response.status_code == 200
    member = response.json()
    assert member["category"] == "floating" and member["user_id"] == world.users["vendor"].id
    assert member["life_org_id"] == world.party_a.id and member["stall_no"] == "A-015"
    async with world.client("vendor") as c:
        me = (await c.get("/api/v1/me")).json()
    assert me["member"]["id"] == member["id"] and me["registration"] is None
    entry = await AuditEntry.get(action="registration.approved", target_id=registration["id"])
    assert entry.actor_id == world.users["sec_a"].id and entry.data["member_id"] == member["id"]


async def test_approving_again_answers_with_the_same_member(world):
    registration = (await submit(world)).json()
    async with world.client("sec_a") as c:
        first = await c.post(f"/api/v1/registrations/{registration['id']}/approve", json={"category": "local"})
        second = await c.post(f"/api/v1/registrations/{registration['id']}/approve", json={"category": "local"})
    assert first.json()["id"] == second.json()["id"]
    assert await Member.filter(user=world.users["vendor"]).count() == 1
    assert await AuditEntry.filter(action="registration.approved", target_id=registration["id"]).count() == 1


async def test_concurrent_approvals_make_one_member(world):
    registration = (await submit(world)).json()
    reviewer = await principal(world, "sec_a")

    async def approve():
        try:
            return await service.approve_registration(reviewer, registration["id"], "local")
        except Exception as exc:  # noqa: BLE001  (collected and asserted on below)
            return exc

    results = await asyncio.gather(*[approve() for _ in range(8)])
    assert all(isinstance(r, Member) for r in results), results  # every retry answered, none failed
    assert len({r.id for r in results}) == 1
    assert await Member.filter(registration_id=registration["id"]).count() == 1


async def test_other_branch_secretary_gets_404_and_the_attempt_is_audited(world):
    registration = (await submit(world)).json()
    async with world.client("sec_b") as c:
        approve = await c.post(f"/api/v1/registrations/{registration['id']}/approve", json={"category": "local"})
        reject = await c.post(f"/api/v1/registrations/{registration['id']}/reject", json={"reason": "x"})
    assert approve.status_code == 404 and reject.status_code == 404
    assert (await Registration.get(id=registration["id"])).status == "pending"
    assert await AuditEntry.filter(action="registration.approve.denied", actor_id=world.users["sec_b"].id).exists()


async def test_admin_of_an_ancestor_may_review(world):
    registration = (await submit(world)).json()
    async with world.client("admin") as c:
        response = await c.post(f"/api/v1/registrations/{registration['id']}/approve", json={"category": "affiliated"})
    assert response.status_code == 200


async def test_reject_needs_a_reason_then_vendor_corrects_and_resubmits(world):
    registration = (await submit(world, mobile="13800000000")).json()
    async with world.client("sec_a") as c:
        no_reason = await c.post(f"/api/v1/registrations/{registration['id']}/reject", json={"reason": "  "})
        rejected = await c.post(f"/api/v1/registrations/{registration['id']}/reject", json={"reason": "手机号有误，请核对"})
        approve_after = await c.post(f"/api/v1/registrations/{registration['id']}/approve", json={"category": "local"})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["error"]["fields"]
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert approve_after.status_code == 409 and approve_after.json()["error"]["code"] == "registration_not_pending"

    async with world.client("vendor") as c:
        seen = (await c.get("/api/v1/me")).json()["registration"]
    assert seen["status"] == "rejected" and seen["reject_reason"] == "手机号有误，请核对"

    again = await submit(world, mobile="13812345678")
    assert again.status_code == 201 and again.json()["id"] != registration["id"]
    assert await AuditEntry.filter(action="registration.rejected", target_id=registration["id"]).exists()


async def test_approve_needs_a_known_category(world):
    registration = (await submit(world)).json()
    async with world.client("sec_a") as c:
        missing = await c.post(f"/api/v1/registrations/{registration['id']}/approve", json={})
        wrong = await c.post(f"/api/v1/registrations/{registration['id']}/approve", json={"category": "gold"})
    assert missing.status_code == 422 and wrong.status_code == 422
    assert (await Registration.get(id=registration["id"])).status == "pending"
