"""Member cards (党员签到卡): printed, rendered to images with pdftoppm and read back, the QR
decoded by zxing-cpp to the member's current code; the photo only with the member's consent; an
org's cards one per page; a lost card's code replaced; the card's URL opened in a browser says
what it is and nothing more."""
from __future__ import annotations

import io
import shutil
import subprocess

import pytest
import zxingcpp
from PIL import Image

from tests.conftest import REQUIRE_SERVICES
from tests.factories import make_member
from tests.plate_helpers import publish_member

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # rendering does not depend on the database


def pages(pdf: bytes, tmp_path) -> list[Image.Image]:
    if shutil.which("pdftoppm") is None:
        if REQUIRE_SERVICES:
            pytest.fail("pdftoppm is missing: `make test` installs poppler-utils")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    (tmp_path / "cards.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(tmp_path / "cards.pdf"), str(tmp_path / "page")], check=True)
    return [Image.open(path).convert("RGB") for path in sorted(tmp_path.glob("page*.png"))]


def photo_colour(page: Image.Image) -> tuple[int, int, int]:
    """The middle of the card's photo box (3–21 mm across, 13–37 mm down, 2 mm bleed)."""
    mm = page.width / (85.6 + 4)
    return page.getpixel((round((2 + 12) * mm), round((2 + 25) * mm)))


async def test_a_card_carries_the_current_code_and_the_photo_only_with_consent(world, tmp_path):
    async with world.client("member_a") as c:
        code = (await c.get(f"/api/v1/members/{world.member_a.id}/member-code")).json()
        before = await c.get(f"/api/v1/members/{world.member_a.id}/member-card.pdf")
    await publish_member(world)  # consent and a photo (blue)
    async with world.client("member_a") as c:
        after = await c.get(f"/api/v1/members/{world.member_a.id}/member-card.pdf")
    assert before.status_code == 200 and before.headers["content-type"] == "application/pdf"
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    [plain] = pages(before.content, tmp_path / "before")
    [shown] = pages(after.content, tmp_path / "after")
    found = zxingcpp.read_barcodes(plain)
    assert [r.text for r in found] == [code["url"]] and code["url"].endswith("/m/" + code["code"])
    assert abs(plain.width / plain.height - (85.6 + 4) / (54 + 4)) < 0.01  # wallet size, with its bleed
    assert photo_colour(plain)[2] < 250 and abs(photo_colour(plain)[0] - photo_colour(plain)[2]) < 10  # grey: no consent yet
    r, g, b = photo_colour(shown)
    assert b > r + 60  # the member's (blue) photo, once they agreed to show it


async def test_an_orgs_cards_one_per_member_and_a_lost_card_replaced(world, tmp_path):
    second = await make_member(None, world.party_a, name="欧阳建华", mobile="13900000077")
    async with world.client("sec_a") as c:
        old = (await c.get(f"/api/v1/members/{second.id}/member-code")).json()["code"]
        reissued = (await c.post(f"/api/v1/members/{second.id}/member-code")).json()["code"]
        batch = await c.get(f"/api/v1/orgs/{world.branch_a.id}/member-cards.pdf")
    async with world.client("sec_b") as c:
        foreign = await c.get(f"/api/v1/orgs/{world.branch_a.id}/member-cards.pdf")
    async with world.client("member_a") as c:
        member = await c.get(f"/api/v1/orgs/{world.branch_a.id}/member-cards.pdf")
    assert batch.status_code == 200, batch.text
    images = pages(batch.content, tmp_path)
    decoded = {zxingcpp.read_barcodes(page)[0].text.rsplit("/", 1)[-1] for page in images}
    assert len(images) == 2 and reissued in decoded and old not in decoded
    assert foreign.status_code == 403 and member.status_code == 403


async def test_the_cards_url_in_a_browser_says_what_it_is_and_nothing_more(world):
    async with world.client("member_a") as c:
        code = (await c.get(f"/api/v1/members/{world.member_a.id}/member-code")).json()["code"]
    async with world.client() as c:
        page = await c.get(f"/m/{code}")
    assert page.status_code == 200 and "党员签到卡" in page.text
    assert world.member_a.name not in page.text and world.member_a.unit_name not in page.text
