"""The org tree (associations, branches, party branches, market orgs) and roles on it."""
from tortoise import fields
from tortoise.models import Model

ORG_KINDS = {
    "association": "个私协会",
    "branch": "基层分会",
    "party_branch": "党支部",
    "market_org": "市场党组织",
}
ROLES = {"secretary": "书记", "admin": "管理员"}


def path_ids(path: str) -> list[int]:
    """The org ids of a materialised path, root first: "/1/4/9/" → [1, 4, 9]."""
    return [int(part) for part in path.strip("/").split("/") if part]


class Org(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    kind = fields.CharField(max_length=20)
    district = fields.CharField(max_length=50, default="")
    parent = fields.ForeignKeyField("models.Org", related_name="children", null=True, on_delete=fields.RESTRICT)
    # Materialised path of ids, "/1/4/9/": a subtree is one indexed prefix match on any database.
    path = fields.CharField(max_length=255, default="", db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "orgs"


class Role(Model):
    # `secretary` or `admin` on an org; it reaches the org's whole subtree and nothing else.

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="roles", on_delete=fields.CASCADE)
    org = fields.ForeignKeyField("models.Org", related_name="roles", on_delete=fields.CASCADE)
    role = fields.CharField(max_length=20)
    granted_by = fields.ForeignKeyField("models.User", related_name="granted_roles", null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "roles"
        unique_together = (("user", "org", "role"),)

