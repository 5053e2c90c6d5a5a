"""Members imported from a roster meet their WeChat account: a member on the roster without a
login is the same person as a user who verifies that mobile through WeChat, or whose
registration carries it. They are linked, never registered twice."""
from __future__ import annotations

from server import audit
from server.auth import forget_principal
from server.members.models import Member, Registration
from server.orgs.models import Org


def _root_path(path: str) -> str:
    return "/" + path.strip("/").split("/")[0] + "/"


async def imported_match(registration: Registration, life_org: Org | None = None) -> Member | None:
    """The one member without a login, on the roster of the same association, with the
    registration's mobile; None if there is none or more than one (staff decide then)."""
    life_org = life_org or await Org.get(id=registration.life_org_id)
    candidates = await Member.filter(mobile=registration.mobile, user_id=None, membership="active",
                                     life_org__path__startswith=_root_path(life_org.path)).limit(2)
    return candidates[0] if len(candidates) == 1 else None


async def imported_matches(registrations: list[Registration], orgs: dict[int, Org]) -> dict[int, dict]:
    """imported_match of many registrations (`orgs`: their life orgs by id) in one query: by
    registration id, {"id", "name"} of its one match."""
    if not registrations:
        return {}
    candidates = await Member.filter(mobile__in={r.mobile for r in registrations}, user_id=None,
                                     membership="active").values("id", "name", "mobile", "life_org__path")
    found = {}
    for registration in registrations:
        root = _root_path(orgs[registration.life_org_id].path)
        same = [c for c in candidates if c["mobile"] == registration.mobile and c["life_org__path"].startswith(root)]
        if len(same) == 1:
            found[registration.id] = {"id": same[0]["id"], "name": same[0]["name"]}
    return found


async def link_verified_phone(user) -> Member | None:
    """After WeChat verified the user's mobile: the imported member with that mobile becomes
    theirs, if exactly one has it and the user has no member record yet."""
    if not user.phone or await Member.exists(user_id=user.id):
        return None
    candidates = await Member.filter(mobile=user.phone, user_id=None, membership="active").limit(2)
    if len(candidates) != 1:
        return None
    # Conditional: two devices verifying at once link once (user_id is unique as well).
    if not await Member.filter(id=candidates[0].id, user_id=None).update(user_id=user.id):
        return None
    await forget_principal(user.id)  # their /me shows the member now
    member = await Member.get(id=candidates[0].id)
    await audit.record("member.linked", actor=user, org=member.life_org_id, target=member, via="wechat_phone")
    return member
