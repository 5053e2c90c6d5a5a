"""Meeting photos: checked, re-encoded, stripped of metadata, seen only by who may see the activity."""
import io

from PIL import Image

from server.activities.models import ActivityPhoto
from tests.factories import make_activity


def jpeg_with_gps(size=(1200, 900)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° to display
    exif[0x8825] = {1: "N", 2: (30.0, 14.0, 37.0), 3: "E", 4: (120.0, 10.0, 6.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


async def upload(world, activity, data, who="sec_a", name="photo.jpg"):
    async with world.client(who) as c:
        return await c.post(f"/api/v1/activities/{activity.id}/photos", files={"photo": (name, data, "image/jpeg")})


async def test_photo_is_reencoded_without_metadata_and_upright(world):
    activity = await make_activity(world)
    response = await upload(world, activity, jpeg_with_gps())
    assert response.status_code == 201
    photo = response.json()
    assert (photo["width"], photo["height"]) == (900, 1200)  # the orientation tag was applied, then dropped
    async with world.client("member_a") as c:
        listed = (await c.get(f"/api/v1/activities/{activity.id}/photos")).json()
        stored = await c.get(f"/api/v1/activities/{activity.id}/photos/{photo['id']}")
    assert [p["id"] for p in listed["items"]] == [photo["id"]]
    assert stored.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(stored.content)) as image:
        assert image.format == "JPEG" and not image.getexif() and "exif" not in image.info


async def test_png_is_accepted_and_large_ones_scaled_down(world):
    activity = await make_activity(world)
    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), (0, 90, 200)).save(out, "PNG")
    response = await upload(world, activity, out.getvalue(), name="board.png")
    assert response.status_code == 201 and max(response.json()["width"], response.json()["height"]) == 2560


async def test_not_images_too_large_and_missing_files_are_refused(world):
    activity = await make_activity(world)
    fake = await upload(world, activity, b"<?php echo 1; ?>" * 10)
    truncated = await upload(world, activity, jpeg_with_gps()[:300])
    huge = await upload(world, activity, b"\xff\xd8" + b"0" * (11 * 1024 * 1024))
    async with world.client("sec_a") as c:
        missing = await c.post(f"/api/v1/activities/{activity.id}/photos", files={"other": ("a.jpg", b"x", "image/jpeg")})
    assert fake.status_code == 415 and fake.json()["error"]["code"] == "not_an_image"
    assert truncated.status_code == 415
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "image_too_large"
    assert missing.status_code == 422 and "photo" in missing.json()["error"]["fields"]
    assert not await ActivityPhoto.filter(activity=activity).exists()


async def test_photos_stay_within_the_activitys_people(world):
    activity = await make_activity(world)
    photo = (await upload(world, activity, jpeg_with_gps())).json()
    refused = await upload(world, activity, jpeg_with_gps(), who="sec_b")
    by_member = await upload(world, activity, jpeg_with_gps(), who="member_a")
    async with world.client("sec_b") as c:
        hidden = await c.get(f"/api/v1/activities/{activity.id}/photos/{photo['id']}")
    assert refused.status_code == 404 and by_member.status_code == 404 and hidden.status_code == 404


SECRET = "13912345678 30.2741N 120.1551E"


def jpeg_with_every_metadata() -> bytes:
    """A JPEG carrying the secret in EXIF (and GPS), XMP, an ICC profile, a COM comment, and in
    bytes after its end."""
    image = Image.new("RGB", (800, 600), (10, 120, 60))
    exif = Image.Exif()
    exif[0x010E] = SECRET  # ImageDescription
    exif[0x8825] = {1: "N", 2: (30.0, 16.0, 27.0), 3: "E", 4: (120.0, 9.0, 18.0)}
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>{SECRET}</rdf:Description></x:xmpmeta>'.encode()
    icc = b"\x00\x00\x02\x00" + SECRET.encode() + b"\x00" * 200
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=SECRET.encode(), icc_profile=icc, xmp=xmp)
    return out.getvalue() + b"TRAILER " + SECRET.encode()


def png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET)
    info.add_itxt("Description", SECRET, zip=True)
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 90, 200)).save(out, "PNG", pnginfo=info)
    return out.getvalue() + SECRET.encode()


def assert_no_metadata(data: bytes) -> None:
    assert SECRET.encode() not in data and b"30.2741" not in data
    assert data.endswith(b"\xff\xd9")  # nothing after the end of the image
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert not image.getexif() and not image.info.get("icc_profile") and not image.info.get("comment")
        assert "xmp" not in image.info
    # Walk the segments: only SOI, DQT, SOF, DHT, SOS (and APP0 JFIF) may stand before the scan.
    position, markers = 2, []
    while data[position] == 0xFF and data[position + 1] != 0xDA:
        marker = data[position + 1]
        markers.append(marker)
        position += 2 + int.from_bytes(data[position + 2:position + 4], "big")
    assert set(markers) <= {0xE0, 0xDB, 0xC0, 0xC2, 0xC4}, [hex(m) for m in markers]


async def test_every_kind_of_metadata_is_gone_from_meeting_and_profile_photos(world):
    from tests.plate_helpers import fresh_ip, publish_member
    from tests.asgi import client

    activity = await make_activity(world)
    for planted in (jpeg_with_every_metadata(), png_with_text()):
        photo = (await upload(world, activity, planted)).json()
        async with world.client("member_a") as c:
            stored = await c.get(f"/api/v1/activities/{activity.id}/photos/{photo['id']}")
        assert_no_metadata(stored.content)
    code = await publish_member(world)
    async with world.client("member_a") as c:
        uploaded = await c.post(f"/api/v1/members/{world.member_a.id}/profile/photo",
                                files={"photo": ("me.jpg", jpeg_with_every_metadata(), "image/jpeg")})
    assert uploaded.status_code == 200
    async with client(world.backend.app, ip=fresh_ip()) as anonymous:
        public = await anonymous.get(uploaded.json()["photo_url"] if uploaded.json().get("photo_url")
                                     else f"/p/{code}/photo.jpg")
    assert public.status_code == 200
    assert_no_metadata(public.content)  # what a stranger can download from the plate's page


async def test_a_decompression_bomb_is_refused_before_it_is_decoded(world):
    activity = await make_activity(world)
    out = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(out, "PNG")  # 60 megapixels in a few hundred KB
    assert len(out.getvalue()) < 1_000_000
    response = await upload(world, activity, out.getvalue(), name="bomb.png")
    assert response.status_code == 413 and response.json()["error"]["code"] == "image_too_large"


async def test_a_replaced_profile_photo_is_deleted(world):
    from server.plates.models import Profile

    await make_activity(world)
    async with world.client("member_a") as c:
        await c.post(f"/api/v1/members/{world.member_a.id}/profile/consent", json={"version": "2026-11"})
        await c.post(f"/api/v1/members/{world.member_a.id}/profile/photo", files={"photo": ("a.jpg", jpeg_with_gps(), "image/jpeg")})
        first = (await Profile.get(member_id=world.member_a.id)).photo_key
        await c.post(f"/api/v1/members/{world.member_a.id}/profile/photo", files={"photo": ("b.jpg", jpeg_with_gps(), "image/jpeg")})
    files = world.backend.app.ctx.files
    assert await files.get(first) is None
    assert await files.get((await Profile.get(member_id=world.member_a.id)).photo_key) is not None
