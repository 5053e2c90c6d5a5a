"""WeChat users and their bearer tokens."""
from tortoise import fields
from tortoise.models import Model


class User(Model):
    # A WeChat user of the mini-program: a vendor, a secretary or association staff.

    id = fields.IntField(primary_key=True)
    openid = fields.CharField(max_length=64, unique=True)
    unionid = fields.CharField(max_length=64, null=True)
    # Verified through WeChat's getuserphonenumber flow, never typed in by hand.
    phone = fields.CharField(max_length=20, null=True)
    phone_verified_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "users"


TOKEN_KINDS = {"app": "小程序", "desk": "电脑工作台"}


class AuthToken(Model):
    # A bearer token. Only its SHA-256 is stored: a database leak yields no usable token.
    # `app`: the mini-program's login. `desk`: the console's, handed out when a phone confirms a
    # login QR; it also ends after two idle hours (last_used_at, written at most once a minute).

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="tokens", on_delete=fields.CASCADE)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    kind = fields.CharField(max_length=8, db_default="app", default="app")
    last_used_at = fields.DatetimeField(null=True)
    agent = fields.CharField(max_length=200, db_default="", default="")  # the desk browser, shown on the phone

    class Meta:
        table = "auth_tokens"
        indexes = (("user_id",),)  # a user's tokens (desk sessions, revoking all at once)
