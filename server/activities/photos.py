"""Photos of a meeting for its record: uploaded by the activity's staff, seen by them and by
the members expected at it."""
from __future__ import annotations

from server import audit, images, limits
from server.activities import service as activities
from server.activities.models import ActivityPhoto
from server.auth import Principal
from server.db import MAX_ID
from server.errors import Conflict, NotFound
from server.storage import FileStorage

MAX_PHOTOS = 30


class PhotoNotFound(NotFound):
    code, message = "photo_not_found", "找不到该照片"


class TooManyPhotos(Conflict):
    code, message = "too_many_photos", f"每次活动最多上传 {MAX_PHOTOS} 张照片"


async def upload(principal: Principal, activity_id: int, data: bytes, files: FileStorage, store) -> ActivityPhoto:
    activity = await activities.staff_activity(principal, activity_id, "photo")
    if await ActivityPhoto.filter(activity=activity).count() >= MAX_PHOTOS:
        raise TooManyPhotos()
    await limits.charge(store, principal.user.id, "photo.upload")
    jpeg, width, height = await images.clean(data)
    key = await files.put(jpeg, ".jpg")
    photo = await ActivityPhoto.create(activity=activity, key=key, width=width, height=height, size=len(jpeg),
                                       uploaded_by=principal.user)
    await audit.record("activity.photo.added", actor=principal.user, org=activity.org_id, target=activity, photo_id=photo.id)
    return photo


async def list_photos(principal: Principal, activity_id: int) -> list[ActivityPhoto]:
    activity = await activities.get_activity(principal, activity_id)
    return await ActivityPhoto.filter(activity=activity).order_by("id")


async def read(principal: Principal, activity_id: int, photo_id: int, files: FileStorage) -> bytes:
    activity = await activities.get_activity(principal, activity_id)
    photo = await ActivityPhoto.get_or_none(id=photo_id, activity=activity) if 0 < photo_id <= MAX_ID else None
    data = await files.get(photo.key) if photo else None
    if data is None:
        raise PhotoNotFound()
    return data
