async def test_me_for_secretary(world):
    async with world.client("sec_a") as c:
        response = await c.get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["roles"] == [{"role": "secretary", "org_id": world.branch_a.id, "org_name": world.branch_a.name}]
    assert body["member"] is None
