"""Bearer tokens and who the caller is allowed to act on.

Tokens are 256-bit random strings handed out once; only their SHA-256 is stored. A resolved
token is cached in the key-value store for a minute so a busy phone does not cost a database
read per request; logout drops the cache entry with the row, so revocation is immediate.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from tortoise.expressions import Q

from server.accounts.models import AuthToken, User
from server.clock import now
from server.errors import Unauthorized
from server.kv import KeyValueStore
from server.orgs.models import Org, Role

TOKEN_CACHE_SECONDS = 60
DESK_IDLE = timedelta(hours=2)  # a desk token unused this long is over (checked once a cache minute)
STAFF_ROLES = ("secretary", "admin")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _cache_key(token_hash: str) -> str:
    return f"auth:token:{token_hash}"


async def issue_token(user: User, ttl_days: int, store: KeyValueStore | None = None, *, kind: str = "app",
                      agent: str = "") -> str:
    token = secrets.token_urlsafe(32)
    moment = now()
    token_hash = hash_token(token)
    await AuthToken.create(user=user, token_hash=token_hash, expires_at=moment + timedelta(days=ttl_days), kind=kind,
                           agent=agent[:200], last_used_at=moment if kind == "desk" else None)
    if store is not None:  # the phone's next request (GET /me, a scan) then costs no token query
        await store.set(_cache_key(token_hash), str(user.id), TOKEN_CACHE_SECONDS)
    return token


async def revoke_token(token: str, store: KeyValueStore) -> None:
    await revoke_token_hash(hash_token(token), store)


async def revoke_token_hash(token_hash: str, store: KeyValueStore) -> None:
    await AuthToken.filter(token_hash=token_hash, revoked_at=None).update(revoked_at=now())
    await store.delete(_cache_key(token_hash))


async def user_id_for_token(token: str, store: KeyValueStore) -> int | None:
    token_hash = hash_token(token)
    cached = await store.get(_cache_key(token_hash))
    if cached is not None:
        return int(cached) or None  # "0" caches a refusal, so garbage tokens cost no query either
    moment = now()
    row = await AuthToken.filter(
        token_hash=token_hash, revoked_at=None, expires_at__gt=moment
    ).first().values("id", "user_id", "kind", "last_used_at")
    user_id = row["user_id"] if row else None
    if row and row["kind"] == "desk":
        # A desk token's idle clock: each cache miss (at most one a minute) notes the use.
        if row["last_used_at"] is None or row["last_used_at"] <= moment - DESK_IDLE:
            user_id = None
        else:
            await AuthToken.filter(id=row["id"]).update(last_used_at=moment)
    await store.set(_cache_key(token_hash), str(user_id or 0), TOKEN_CACHE_SECONDS)
    return user_id


def bearer_token(request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or len(token) > 200:
        return None
    return token.strip()


@dataclass(frozen=True)
class Grant:
    """One role the caller holds, with what scope checks need of its org."""

    role: str
    org_id: int
    org_name: str
    org_path: str


@dataclass
class Principal:
    """The authenticated caller and the org subtrees their roles reach."""

    user: User
    roles: list[Grant] = field(default_factory=list)

    def paths(self, kinds: tuple[str, ...] = STAFF_ROLES) -> list[str]:
        return [grant.org_path for grant in self.roles if grant.role in kinds]

    def reaches(self, org: Org, kinds: tuple[str, ...] = STAFF_ROLES) -> bool:
        return any(org.path.startswith(path) for path in self.paths(kinds))

    def scope(self, org_field: str, kinds: tuple[str, ...] = STAFF_ROLES) -> Q:
        """A filter keeping rows whose org (reached through `org_field`) lies in the caller's subtrees."""
        paths = self.paths(kinds)
        if not paths:
            return Q(id__in=[])  # matches nothing
        return Q(*[Q(**{f"{org_field}__path__startswith": path}) for path in paths], join_type="OR")


async def authenticated_user_id(request) -> int:
    """Only the caller's user id: for hot paths (check-in) that need no roles."""
    token = bearer_token(request)
    if token is None:
        raise Unauthorized()
    user_id = await user_id_for_token(token, request.app.ctx.store)
    if not user_id:
        raise Unauthorized("登录已失效，请重新登录")
    return user_id


async def authenticate(request) -> Principal:
    user_id = await authenticated_user_id(request)
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise Unauthorized("登录已失效，请重新登录")
    return await load_principal(user)


async def load_principal(user: User) -> Principal:
    # Plain values, not model instances: this runs on every authenticated request.
    rows = await Role.filter(user=user).values_list("role", "org_id", "org__name", "org__path")
    return Principal(user=user, roles=[Grant(*row) for row in rows])
