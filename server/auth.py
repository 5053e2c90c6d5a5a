"""Bearer tokens and who the caller is allowed to act on.

Tokens are 256-bit random strings handed out once; only their SHA-256 is stored. A resolved
token is cached in the key-value store for a minute so a busy phone does not cost a database
read per request, and in each process's near cache (server/kv.py) so it costs no round trip to
Redis either; logout drops the entry with the row in every process, so revocation is immediate.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from tortoise.expressions import Q
from tortoise.signals import post_delete, post_save

from server import db
from server.accounts.models import AuthToken, User
from server.clock import now
from server.errors import Unauthorized
from server.kv import KeyValueStore
from server.members.models import Attachment, Member, Registration
from server.orgs.models import Org, Role, path_ids

log = logging.getLogger("dangjian.auth")
TOKEN_CACHE_SECONDS = 60
DESK_IDLE = timedelta(hours=2)  # a desk token unused this long is over (checked once a cache minute)
STAFF_ROLES = ("secretary", "admin")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _cache_key(token_hash: str) -> str:
    # "caller", not the "token" of the release before, whose values were a bare user id: during a
    # rolling upgrade each release reads only values it wrote.
    return f"auth:caller:{token_hash}"


class Caller(NamedTuple):
    """Who holds a token, as cached with it: the user and, if they are a member, what a scan
    needs of the record ({"id", "life_org_id", "life_org__path"})."""

    user_id: int
    member: dict | None


_MEMBER_FIELDS = ("id", "life_org_id", "life_org__path")
# A cache miss: the token, its user's member and the member's org, as one plain statement (the
# same through Tortoise cost five times as much, and a meeting's first scans are all misses).
_CALLER_QUERY = (
    f'SELECT t.id, t.user_id, t.kind, t.last_used_at, t.revoked_at, t.expires_at, m.id, m.life_org_id, o.path '
    f'FROM "{AuthToken._meta.db_table}" t LEFT JOIN "{Member._meta.db_table}" m ON m.user_id = t.user_id '
    f'LEFT JOIN "{Org._meta.db_table}" o ON o.id = m.life_org_id WHERE t.token_hash = $1')
_REFUSED = "0"  # cached for a refused token, so garbage tokens cost no query either


def _encode(caller: Caller | None) -> str:
    if caller is None:
        return _REFUSED
    member = caller.member or {}
    return json.dumps([caller.user_id, *(member.get(name) for name in _MEMBER_FIELDS)])


def _decode(cached: str) -> Caller | None:
    if cached == _REFUSED:
        return None
    user_id, *member = json.loads(cached)
    return Caller(user_id, dict(zip(_MEMBER_FIELDS, member)) if member[0] else None)


_REFUSED_KEPT = object()  # what a worker's memory keeps for a refused token: None would read as a miss


def _decode_kept(cached: str) -> Caller | object:
    """A cached caller as a worker's memory keeps it (decoded once, shared by the requests that
    read it: never changed)."""
    caller = _decode(cached)
    return _REFUSED_KEPT if caller is None else caller


async def issue_token(user: User, ttl_days: int, store: KeyValueStore | None = None, *, kind: str = "app",
                      agent: str = "") -> str:
    token = secrets.token_urlsafe(32)
    moment = now()
    token_hash = hash_token(token)
    await AuthToken.create(user=user, token_hash=token_hash, expires_at=moment + timedelta(days=ttl_days), kind=kind,
                           agent=agent[:200], last_used_at=moment if kind == "desk" else None)
    if store is not None:  # the phone's next request (GET /me, a scan) then costs no token query
        rows = await Member.filter(user_id=user.id).values(*_MEMBER_FIELDS)
        await store.set(_cache_key(token_hash), _encode(Caller(user.id, rows[0] if rows else None)),
                        TOKEN_CACHE_SECONDS)
    return token


async def revoke_token(token: str, store: KeyValueStore) -> None:
    await revoke_token_hash(hash_token(token), store)


async def revoke_token_hash(token_hash: str, store: KeyValueStore) -> None:
    await AuthToken.filter(token_hash=token_hash, revoked_at=None).update(revoked_at=now())
    await store.near_delete(_cache_key(token_hash))


_UNREAD = object()  # the caller has not read the key


async def caller_for_token(token: str, store: KeyValueStore, cached: "str | None | object" = _UNREAD) -> Caller | None:
    """The token's caller from the store (or `cached`, its value already read by the caller with
    other keys at once, None if missing), else one query: the token, its user's member and the
    member's org."""
    token_hash = hash_token(token)
    if cached is _UNREAD:
        kept = await store.near_get(_cache_key(token_hash), _decode_kept)
        if kept is not None:
            return None if kept is _REFUSED_KEPT else kept
    elif cached is not None:
        return _decode(cached)
    moment = now()
    rows = await db.fetch(_CALLER_QUERY, [token_hash])
    token_id, user_id, kind, last_used_at, revoked_at, expires_at, *member = rows[0] if rows else [None] * 9
    caller = None
    if token_id is not None and revoked_at is None and db.aware(expires_at) > moment:
        caller = Caller(user_id, dict(zip(_MEMBER_FIELDS, member)) if member[0] is not None else None)
    if caller and kind == "desk":
        # A desk token's idle clock: each cache miss (at most one a minute) notes the use.
        last_used_at = db.aware(last_used_at)
        if last_used_at is None or last_used_at <= moment - DESK_IDLE:
            caller = None
        else:
            await AuthToken.filter(id=token_id).update(last_used_at=moment)
    await store.set(_cache_key(token_hash), _encode(caller), TOKEN_CACHE_SECONDS)
    return caller


async def user_id_for_token(token: str, store: KeyValueStore) -> int | None:
    caller = await caller_for_token(token, store)
    return caller.user_id if caller else None


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


def subtree(paths: list[str]) -> Q:
    """Orgs under any of the materialised paths (the orgs themselves included)."""
    return Q(*[Q(path__startswith=path) for path in paths], join_type="OR") if paths else Q(id__in=[])


async def _subtree_ids(paths: list[str]) -> list[int]:
    return list(await Org.filter(subtree(paths)).order_by("id").values_list("id", flat=True)) if paths else []


@dataclass
class Principal:
    """The authenticated caller and the org subtrees their roles reach."""

    user: User
    roles: list[Grant] = field(default_factory=list)
    # As a member: the orgs on their life org's path and those they are attached to (一方隶属，
    # 多重管理), whose activities they are expected at.
    member_org_ids: list[int] = field(default_factory=list)
    _org_ids: dict = field(default_factory=dict, repr=False)

    def paths(self, kinds: tuple[str, ...] = STAFF_ROLES) -> list[str]:
        return [grant.org_path for grant in self.roles if grant.role in kinds]

    def reaches(self, org: Org, kinds: tuple[str, ...] = STAFF_ROLES) -> bool:
        return any(org.path.startswith(path) for path in self.paths(kinds))

    async def org_ids(self, kinds: tuple[str, ...] = STAFF_ROLES) -> list[int]:
        """Every org in the caller's subtrees. The staff roles' list is resolved with the principal
        and cached with it (dropped when an org is added under them: orgs.service.insert_org);
        other kinds cost one small query, once a request."""
        if kinds not in self._org_ids:
            self._org_ids[kinds] = await _subtree_ids(self.paths(kinds))
        return self._org_ids[kinds]

    async def scope(self, org_field: str, kinds: tuple[str, ...] = STAFF_ROLES, *, within: Org | None = None) -> Q:
        """Rows whose org (the foreign key `org_field`, e.g. "life_org" or "member__life_org") lies
        in the caller's subtrees, and with `within` also in that org's subtree: one list of org ids
        compared with the row's own column, never a join on paths, and never two filters."""
        ids = await self.org_ids(kinds)
        if within is not None:
            reached = set(ids)
            ids = [i for i in await Org.filter(path__startswith=within.path).values_list("id", flat=True) if i in reached]
        return Q(**{f"{org_field}_id__in": ids or [0]})


async def authenticated_user_id(request) -> int:
    """Only the caller's user id: for hot paths that need no roles."""
    token = bearer_token(request)
    if token is None:
        raise Unauthorized()
    return (await caller_from_cache(token, request.app.ctx.store)).user_id


def token_cache_key(token: str) -> str:
    """Where the token's caller is cached, for a caller that reads it with other keys at once."""
    return _cache_key(hash_token(token))


async def caller_from_cache(token: str, store: KeyValueStore, cached: "str | None | object" = _UNREAD) -> Caller:
    """The caller behind a token (`cached`: what its cache key held, when read with other keys at
    once); a miss asks the database. Unauthorized when the token is unknown, revoked or expired."""
    caller = await caller_for_token(token, store, cached)
    if caller is None:
        raise Unauthorized("登录已失效，请重新登录")
    return caller


# The caller's account, roles and the org ids those reach, cached for every authenticated request:
# kept in each process's memory (the store's near cache) and dropped in every process at once when
# a role is granted or revoked, an org of theirs renamed or added under theirs, or their phone
# verified (forget_principal).
PRINCIPAL_SECONDS = 60
_store: KeyValueStore | None = None


def use_store(store: KeyValueStore) -> None:
    """The key-value store principals are cached in (set at start-up, as audit's)."""
    global _store
    _store = store


def _principal_key(user_id: int) -> str:
    return f"auth:principal:{user_id}"


def _user_fields(user: User) -> dict:
    return {name: getattr(user, name) for name in User._meta.db_fields}


def _dump(principal: Principal) -> str:
    user = {name: value.isoformat() if isinstance(value, datetime) else value
            for name, value in _user_fields(principal.user).items()}
    return json.dumps({"user": user, "roles": [list(grant.__dict__.values()) for grant in principal.roles],
                       "org_ids": principal._org_ids.get(STAFF_ROLES), "member_org_ids": principal.member_org_ids})


def _load(text: str) -> Principal | None:
    data = json.loads(text)
    fields = {name: datetime.fromisoformat(value) if name in _DATETIMES and value else value
              for name, value in data["user"].items()}
    if "member_org_ids" not in data:  # cached by the release before: load it afresh
        return None
    principal = Principal(user=User._init_from_db(**fields), roles=[Grant(*row) for row in data["roles"]],
                          member_org_ids=data["member_org_ids"])
    principal._org_ids[STAFF_ROLES] = data["org_ids"]
    return principal


_DATETIMES = {name for name, f in User._meta.fields_map.items() if f.field_type is datetime}


def me_key(user_id: int) -> str:
    """The caller's whole `GET /me` answer, cached beside the principal and dropped with it."""
    return f"auth:me:{user_id}"


async def forget_principal(*user_ids: int) -> None:
    """Drop cached principals and `/me` documents everywhere, and the cached callers of their
    live tokens (which carry the member), after a change to what they hold or show."""
    if _store is not None and user_ids:
        # The principals first: they go even if the tokens cannot be read.
        await _store.near_delete(*(key for user_id in user_ids for key in (_principal_key(user_id), me_key(user_id))))
        hashes = await AuthToken.filter(user_id__in=user_ids, revoked_at=None, expires_at__gt=now()).values_list(
            "token_hash", flat=True)
        await _store.near_delete(*(_cache_key(token_hash) for token_hash in hashes))


# Tortoise's signals fire when the statement has run, before its transaction commits: a request
# in between reads the old rows from another connection and caches them again. So a signal drops
# the cache now and once more this long after, by when the transaction has committed (ours last
# milliseconds; a longer one leaves the window open for the rest of the cache's minute).
AFTER_COMMIT_SECONDS = 1.0
_later: set[asyncio.Task] = set()


async def _forget_now_and_after_commit(user_id: int) -> None:
    await forget_principal(user_id)

    async def again() -> None:
        await asyncio.sleep(AFTER_COMMIT_SECONDS)
        try:
            await forget_principal(user_id)
        except Exception:  # noqa: BLE001 — the database gone: the cache's minute bounds it
            log.warning("could not drop the cached principal of user %s after commit", user_id, exc_info=True)

    task = asyncio.get_running_loop().create_task(again())
    _later.add(task)
    task.add_done_callback(_later.discard)


# What /me shows changes with these rows: every save or delete of a caller's member record,
# registration or account drops their cached principal and document, in every process (the job
# worker's imports included). Bulk `.update()`s fire no signal: those that touch members call
# forget_principal themselves (history.start_many, imported.link_verified_phone).
@post_save(Member)
@post_save(Registration)
async def _row_saved(_sender, instance, _created, _using_db, _update_fields) -> None:
    if instance.user_id:
        await _forget_now_and_after_commit(instance.user_id)


@post_delete(Member)
@post_delete(Registration)
async def _row_deleted(_sender, instance, _using_db) -> None:
    if instance.user_id:
        await _forget_now_and_after_commit(instance.user_id)


_NOT_SHOWN = {"last_login_at"}  # a login saves it; neither the principal's checks nor /me use it


@post_save(User)
async def _user_saved(_sender, instance, created, _using_db, update_fields) -> None:
    if not created and not (update_fields and set(update_fields) <= _NOT_SHOWN):
        await _forget_now_and_after_commit(instance.id)


async def authenticate(request) -> Principal:
    return await principal_for(await authenticated_user_id(request), request.app.ctx.store)


async def principal_for(user_id: int, store: KeyValueStore) -> Principal:
    """The caller behind a resolved token: from the near cache, else their user and roles."""
    cached = await store.near_get(_principal_key(user_id))
    principal = _load(cached) if cached is not None else None
    if principal is not None:
        return principal
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise Unauthorized("登录已失效，请重新登录")
    principal = await load_principal(user)
    await store.set(_principal_key(user_id), _dump(principal), PRINCIPAL_SECONDS)
    return principal


async def load_principal(user: User) -> Principal:
    # Plain values, not model instances: this runs on every authenticated request.
    rows = await Role.filter(user=user).values_list("role", "org_id", "org__name", "org__path")
    principal = Principal(user=user, roles=[Grant(*row) for row in rows], member_org_ids=await _member_org_ids(user.id))
    await principal.org_ids()  # resolved now, so the cached principal carries it
    return principal


async def _member_org_ids(user_id: int) -> list[int]:
    """The orgs on the user's member record's life org path, then those it is attached to
    (dropped with the principal: a member's save, members.attachments' attach and detach)."""
    member = await Member.filter(user_id=user_id).values("id", "life_org__path")
    if not member:
        return []
    return path_ids(member[0]["life_org__path"]) + list(await Attachment.filter(member_id=member[0]["id"]).values_list("org_id", flat=True))
