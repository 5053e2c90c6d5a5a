"""Consent, pledge, photo and plates: what becomes public, when, and what never does."""
import io
import re

from PIL import Image

import plates
from server.audit import AuditEntry
from server.plates.html import NONCE_MARK
from server.plates.models import Consent, Plate
from server.plates.profiles import CONSENT_TEXT, CONSENT_VERSION
from server.plates.schemas import PUBLIC_FIELDS, PublicProfile
from tests.plate_helpers import publish_member

PRIVATE = ("mobile", "openid", "household_district", "home_org", "registration", "user_id", "life_org", "category",
           "standing", "is_owner", "filled_by")


async def test_public_profile_shows_exactly_the_public_fields(world):
    code = await publish_member(world)
    async with world.client() as anonymous:
        response = await anonymous.get(f"/api/v1/public/plates/{code}")
    assert response.status_code == 200
    profile = response.json()
    assert set(profile) == set(PublicProfile.model_fields)
    member = world.member_a
    assert profile["name"] == member.name and profile["unit_name"] == member.unit_name
    assert profile["pledge"] == "诚信经营，明码标价，接受群众监督。"
    assert profile["badge"] == "中共党员" and profile["stars"] is None
    assert profile["rating_count"] == 0 and profile["rating_average"] is None
    assert profile["photo_url"].startswith(f"/p/{code}/photo.jpg")
    text = response.text
    for value in (member.mobile, world.users["member_a"].openid, member.household_district, member.home_org):
        assert value not in text


def test_public_schema_cannot_carry_private_fields():
    assert not any(private in field for field in PUBLIC_FIELDS for private in PRIVATE)
    try:
        PublicProfile(code="x", name="n", photo_url=None, badge="b", market=None, stall=None, unit_name="u", pledge="",
                      stars=None, rating_average=None, rating_count=0, ratings=[], mobile="13900000000")
    except ValueError as refused:
        assert "mobile" in str(refused)
    else:
        raise AssertionError("the public schema took a mobile number")


async def test_nothing_is_public_before_consent_and_the_page_goes_at_once_on_withdrawal(world):
    member = world.member_a
    async with world.client("member_a") as c:
        plate = (await c.post(f"/api/v1/members/{member.id}/plate")).json()
        assert plate["public"] is False
        code = plate["code"]
        async with world.client() as anonymous:
            before = await anonymous.get(f"/api/v1/public/plates/{code}")
            assert before.status_code == 404 and before.json()["error"]["code"] == "profile_not_public"
            assert member.name not in before.text
            await c.post(f"/api/v1/members/{member.id}/profile/consent", json={"version": CONSENT_VERSION})
            shown = await anonymous.get(f"/api/v1/public/plates/{code}")  # now cached
            page = await anonymous.get(f"/p/{code}")
            assert shown.status_code == 200 and member.name in page.text
            withdrawn = await c.delete(f"/api/v1/members/{member.id}/profile/consent")
            assert withdrawn.status_code == 200 and withdrawn.json()["public"] is False
            after = await anonymous.get(f"/api/v1/public/plates/{code}")
            page_after = await anonymous.get(f"/p/{code}")
            photo_after = await anonymous.get(f"/p/{code}/photo.jpg")
    assert after.status_code == 404 and after.json()["error"]["code"] == "profile_not_public"
    assert page_after.status_code == 404 and member.name not in page_after.text and "暂未公开" in page_after.text
    assert photo_after.status_code == 404
    consent = await Consent.get(member=member)
    assert consent.text == CONSENT_TEXT and consent.version == CONSENT_VERSION and consent.withdrawn_at is not None
    actions = await AuditEntry.filter(target_type="members", target_id=member.id).values_list("action", flat=True)
    assert {"profile.consent.given", "profile.consent.withdrawn", "plate.issued"} <= set(actions)


async def test_consent_is_the_members_own_and_for_the_current_text(world):
    member = world.member_a
    async with world.client("sec_a") as secretary:
        by_secretary = await secretary.post(f"/api/v1/members/{member.id}/profile/consent",
                                            json={"version": CONSENT_VERSION})
    async with world.client("member_a") as c:
        stale = await c.post(f"/api/v1/members/{member.id}/profile/consent", json={"version": "2020-01"})
        text = await c.get("/api/v1/profile-consent")
    assert by_secretary.status_code == 403 and by_secretary.json()["error"]["code"] == "consent_is_personal"
    assert stale.status_code == 409 and stale.json()["error"]["current_version"] == CONSENT_VERSION
    assert text.json() == {"version": CONSENT_VERSION, "text": CONSENT_TEXT}
    assert not await Consent.filter(member=member).exists()


async def test_reissuing_revokes_the_old_code_and_its_page_shows_nothing_personal(world):
    old = await publish_member(world)
    async with world.client("sec_a") as secretary:  # the member's secretary may issue too
        again = await secretary.post(f"/api/v1/members/{world.member_a.id}/plate")
    new = again.json()["code"]
    assert again.status_code == 201 and new != old
    assert again.json()["url"] == f"{world.backend.settings.public_base_url}/p/{new}"
    assert re.fullmatch(r"[23456789abcdefghjkmnpqrstuvwxyz]{12}", new)
    async with world.client() as anonymous:
        json_old = await anonymous.get(f"/api/v1/public/plates/{old}")
        page_old = await anonymous.get(f"/p/{old}")
        page_new = await anonymous.get(f"/p/{new}")
    assert json_old.status_code == 404 and json_old.json()["error"]["code"] == "plate_replaced"
    assert page_old.status_code == 404 and "已更换" in page_old.text
    assert world.member_a.name not in page_old.text and world.member_a.unit_name not in page_old.text
    assert page_new.status_code == 200 and world.member_a.name in page_new.text
    assert await Plate.filter(member=world.member_a, revoked_at=None).count() == 1


async def test_plates_are_issued_and_drawn_only_by_the_member_or_their_staff(world):
    member = world.member_a
    for who in ("vendor", "sec_b"):
        async with world.client(who) as c:
            issued = await c.post(f"/api/v1/members/{member.id}/plate")
            drawn = await c.get(f"/api/v1/members/{member.id}/plate.png")
        assert issued.status_code == 404 and drawn.status_code == 404
    assert not await Plate.filter(member=member).exists()
    async with world.client("member_a") as c:
        not_yet = await c.get(f"/api/v1/members/{member.id}/plate.pdf")
    assert not_yet.status_code == 404 and not_yet.json()["error"]["code"] == "plate_not_issued"


async def test_plate_png_and_pdf_carry_the_plate_url(world):
    import pypdf
    import zxingcpp

    code = await publish_member(world)
    url = f"{world.backend.settings.public_base_url}/p/{code}"
    async with world.client("member_a") as c:
        png = await c.get(f"/api/v1/members/{world.member_a.id}/plate.png")
        pdf = await c.get(f"/api/v1/members/{world.member_a.id}/plate.pdf?layout=a6-portrait")
        bad_layout = await c.get(f"/api/v1/members/{world.member_a.id}/plate.png?layout=a0")
    assert png.headers["content-type"] == "image/png"
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))] == [url]
    assert pdf.headers["content-type"] == "application/pdf"
    page = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0]
    assert float(page.trimbox.width) < float(page.trimbox.height)  # A6 portrait
    assert [r.text for r in zxingcpp.read_barcodes(page.images[0].image)] == [url]
    assert bad_layout.status_code == 422 and "layout" in bad_layout.json()["error"]["fields"]


async def test_pledge_is_length_limited_and_content_checked(world):
    member = world.member_a
    async with world.client("member_a") as c:
        long = await c.patch(f"/api/v1/members/{member.id}/profile", json={"pledge": "诚" * 81})
        blocked = await c.patch(f"/api/v1/members/{member.id}/profile", json={"pledge": "诚信经营 加 微 信 优惠"})
        risky = await c.patch(f"/api/v1/members/{member.id}/profile", json={"pledge": "fake-risky 承诺"})
        ok = await c.patch(f"/api/v1/members/{member.id}/profile", json={"pledge": "  童叟无欺  "})
    assert long.status_code == 422 and "pledge" in long.json()["error"]["fields"]
    assert blocked.status_code == 422 and blocked.json()["error"]["code"] == "content_rejected"
    assert risky.status_code == 422 and risky.json()["error"]["code"] == "content_rejected"
    assert ok.status_code == 200 and ok.json()["pledge"] == "童叟无欺"


async def test_photo_is_checked_reencoded_and_served_to_the_public_only_while_public(world):
    member = world.member_a
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (30.0, 14.0, 37.0)}
    with_gps = io.BytesIO()
    Image.new("RGB", (800, 600), (10, 20, 30)).save(with_gps, "JPEG", exif=exif)
    async with world.client("member_a") as c:
        not_image = await c.post(f"/api/v1/members/{member.id}/profile/photo",
                                files={"photo": ("x.jpg", b"<script>alert(1)</script>", "image/jpeg")})
        huge = await c.post(f"/api/v1/members/{member.id}/profile/photo",
                           files={"photo": ("x.jpg", b"\xff\xd8" + b"0" * (11 * 1024 * 1024), "image/jpeg")})
        assert (await c.get(f"/api/v1/members/{member.id}/profile")).json()["has_photo"] is False
        await c.post(f"/api/v1/members/{member.id}/profile/photo", files={"photo": ("x.jpg", with_gps.getvalue(), "image/jpeg")})
    assert not_image.status_code == 415 and not_image.json()["error"]["code"] == "not_an_image"
    assert huge.status_code == 413
    code = await publish_member(world, photo=False)
    async with world.client() as anonymous:
        public_photo = await anonymous.get(f"/p/{code}/photo.jpg")
        again = await anonymous.get(f"/p/{code}/photo.jpg", headers={"If-None-Match": public_photo.headers["etag"]})
    assert public_photo.status_code == 200
    with Image.open(io.BytesIO(public_photo.content)) as image:
        assert image.format == "JPEG" and not image.getexif()
    assert again.status_code == 304
    assert "private" in public_photo.headers["cache-control"]


async def test_unknown_and_malformed_codes_get_a_chinese_404(world):
    async with world.client() as anonymous:
        for code in ("abcdefghjkmn", "0O1lI0O1lI0O", "x", "%3Cscript%3E", "a" * 200):
            page = await anonymous.get(f"/p/{code}")
            data = await anonymous.get(f"/api/v1/public/plates/{code}")
            assert page.status_code == 404 and "找不到这块三亮牌" in page.text, code
            assert "<script>" not in page.text
            assert data.status_code == 404 and data.json()["error"]["code"] == "plate_not_found"


async def test_public_page_is_small_escaped_and_works_without_javascript(world):
    code = await publish_member(world, pledge="<script>alert('x')</script>诚信")
    async with world.client() as anonymous:
        page = await anonymous.get(f"/p/{code}")
        again = await anonymous.get(f"/p/{code}")  # from the cached entry, with an answer's own nonce
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert len(page.content) < 30 * 1024
    nonces = [re.search(r'name="nonce" value="([^"]+)"', answer.text).group(1) for answer in (page, again)]
    assert nonces[0] != nonces[1] and len(nonces[1]) >= 16 and NONCE_MARK not in again.text
    assert again.text.replace(nonces[1], "") == page.text.replace(nonces[0], "") and "诚信" in again.text
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text
    assert f'action="/p/{code}/ratings"' in page.text and 'name="nonce"' in page.text
    assert world.member_a.mobile not in page.text


async def test_page_stays_under_30_kb_with_the_longest_comments_and_replies(world):
    from server.clock import today
    from server.plates.models import Plate, Rating

    code = await publish_member(world, pledge="诚" * 80)
    plate = await Plate.get(code=code)
    for i in range(25):
        await Rating.create(member=world.member_a, plate=plate, score=5, comment="好" * 200, customer=f"c{i}",
                            channel="web", day=today(), nonce=f"n{i}", status="published", reply="谢" * 300)
    async with world.client() as anonymous:
        page = await anonymous.get(f"/p/{code}")
        data = (await anonymous.get(f"/api/v1/public/plates/{code}")).json()
    assert data["rating_count"] == 25 and len(data["ratings"]) == 10
    assert len(page.content) < 30 * 1024, len(page.content)


async def test_simultaneous_issues_leave_exactly_one_current_plate(world):
    import asyncio

    member = world.member_a
    async with world.client("member_a") as c:
        answers = await asyncio.gather(*[c.post(f"/api/v1/members/{member.id}/plate") for _ in range(6)])
    assert [a.status_code for a in answers] == [201] * 6
    current = await Plate.filter(member=member, revoked_at=None).values_list("code", flat=True)
    assert len(current) == 1 and await Plate.filter(member=member).count() == 6
    assert current[0] in {a.json()["code"] for a in answers}


async def test_simultaneous_consents_record_one_consent(world):
    import asyncio

    member = world.member_a
    async with world.client("member_a") as c:
        answers = await asyncio.gather(*[c.post(f"/api/v1/members/{member.id}/profile/consent",
                                                json={"version": CONSENT_VERSION}) for _ in range(5)])
    assert {a.status_code for a in answers} == {200} and all(a.json()["public"] for a in answers)
    assert await Consent.filter(member=member).count() == 1


def banded(size: tuple[int, int], bands: list[tuple[int, int, int]], orientation: int = 1) -> bytes:
    """A JPEG of equal vertical bands of colour, left to right, with an EXIF orientation."""
    image = Image.new("RGB", size)
    width = size[0] // len(bands)
    for i, colour in enumerate(bands):
        image.paste(colour, (i * width, 0, size[0] if i == len(bands) - 1 else (i + 1) * width, size[1]))
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def near(pixel, colour) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(pixel, colour))


async def test_a_profile_photo_is_kept_at_the_plates_photo_size_cut_around_its_centre(world):
    """The plate's photo slot is 3:4: a landscape photo loses its sides, as the plate and the public
    page (object-fit: cover) always cut them; a phone's rotated photo stands up first."""
    red, green, blue = (200, 30, 30), (30, 160, 60), (40, 60, 200)
    member = world.member_a
    stored = {}
    for name, photo in (("landscape", banded((1600, 900), [red, green, green, blue])),
                        ("rotated", banded((1200, 900), [red, green, blue], orientation=6))):
        async with world.client("member_a") as c:
            uploaded = await c.post(f"/api/v1/members/{member.id}/profile/photo", files={"photo": (f"{name}.jpg", photo, "image/jpeg")})
            assert uploaded.status_code == 200, uploaded.text
            stored[name] = Image.open(io.BytesIO((await c.get(f"/api/v1/members/{member.id}/profile/photo.jpg")).content))
    landscape, rotated = stored["landscape"], stored["rotated"]
    assert landscape.size == rotated.size == plates.PHOTO_PX == (531, 709)
    # 1 600 × 900 cut to 3:4 keeps the middle 675 columns: the green bands only.
    assert all(near(landscape.getpixel((x, 354)), green) for x in (3, 265, 527))
    # Orientation 6 turns it a quarter clockwise: the left band (red) comes on top, blue at the bottom.
    assert near(rotated.getpixel((265, 5)), red) and near(rotated.getpixel((265, 703)), blue)
    assert not rotated.getexif()
