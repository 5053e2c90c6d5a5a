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
