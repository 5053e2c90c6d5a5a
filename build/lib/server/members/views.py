"""Registration records as the API shows them: with whether the mobile was verified by WeChat
and, once approved, the member they became."""
from __future__ import annotations

from server.members.models import Member, Registration
from server.members.schemas import RegistrationOut


async def registration_outs(registrations: list[Registration]) -> list[RegistrationOut]:
    approved = [r.id for r in registrations if r.status == "approved"]
    member_ids = dict(
        await Member.filter(registration_id__in=approved).values_list("registration_id", "id")
    ) if approved else {}
    outs = []
    for registration in registrations:
        if not hasattr(registration.user, "phone"):  # not loaded with select_related
            await registration.fetch_related("user")
        out = RegistrationOut.model_validate(registration)
        out.mobile_verified = registration.user.phone == registration.mobile
        out.member_id = member_ids.get(registration.id)
        outs.append(out)
    return outs


async def registration_out(registration: Registration) -> RegistrationOut:
    return (await registration_outs([registration]))[0]
