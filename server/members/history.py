"""Members over time: every change of a tracked attribute is an event with the day it took
effect (which may lie in the past), who recorded it and why; a member's periods are rebuilt from
the events, and "who was a member of org X with attribute Y on day D" is one query over them.

The Member row keeps the state of today (the last period), so everything that asks about now
reads it as before; reports, audiences and statistics of a past day ask `on_day`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from itertools import groupby

from tortoise.expressions import Q, Subquery

from server.auth import forget_principal
from server.clock import SHANGHAI, utc
from server.members.models import Attachment, Member, MemberEvent, MemberPeriod

# The attributes whose history is kept, in the order the history shows them, and their names.
LABELS = {"membership": "在册状态", "life_org_id": "组织生活所在党组织", "category": "党员类别（隶属/属地/流动）",
          "standing": "正式/预备", "placement": "党员分布", "market_id": "所属市场", "stall_no": "摊位号",
          "business_status": "经营状态", "away_since": "外出经营"}
TRACKED = ("membership", "life_org_id", "category", "standing", "placement", "market_id", "stall_no",
           "business_status", "away_since")
_DATES = {"away_since"}
_IDS = {"life_org_id", "market_id"}


def encode(field: str, value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if field in _DATES else str(value)


def decode(field: str, text: str | None):
    if text is None:
        return None
    if field in _DATES:
        return dt.date.fromisoformat(text)
    return int(text) if field in _IDS else text


def current_values(member: Member) -> dict:
    return {field: getattr(member, field) for field in TRACKED}


def state_on(events: list[MemberEvent], day: dt.date) -> dict:
    """The tracked attributes in effect on `day`, from events sorted by (effective_on, id)."""
    state: dict = {}
    for event in events:
        if event.effective_on > day:
            break
        state[event.field] = decode(event.field, event.new_value)
    return state


async def _events(member_id: int) -> list[MemberEvent]:
    return await MemberEvent.filter(member_id=member_id).order_by("effective_on", "id")


async def start(member: Member, *, on: dt.date, by, reason: str) -> None:
    """The member enters the roster on `on` with the attributes the row holds now."""
    await start_many([member], on=on, by=by, reason=reason)


async def start_many(members: list[Member], *, on: dt.date, by, reason: str) -> None:
    """start() for many new members at once (an import): three statements, not three per member."""
    await MemberEvent.bulk_create([
        MemberEvent(member_id=member.id, field=field, old_value=None, new_value=encode(field, value),
                    effective_on=on, reason=reason, recorded_by=by)
        for member in members for field, value in current_values(member).items()], batch_size=2000)
    await MemberPeriod.bulk_create([
        MemberPeriod(member_id=member.id, valid_from=on, valid_to=None, **current_values(member))
        for member in members], batch_size=2000)
    await Member.filter(id__in=[member.id for member in members]).update(on_roster_since=on)
    for member in members:
        member.on_roster_since = on
    await forget_principal(*[member.user_id for member in members if member.user_id])  # /me shows the day


async def record(member: Member, changes: dict, *, effective_on: dt.date, by, reason: str) -> list[str]:
    """Record changes of tracked attributes effective on a day; returns the fields that changed
    on that day. The caller holds the member's row lock (one writer per member)."""
    events = await _events(member.id)
    before = state_on(events, effective_on)
    new = [MemberEvent(member_id=member.id, field=field, old_value=encode(field, before.get(field)),
                       new_value=encode(field, value), effective_on=effective_on, reason=reason, recorded_by=by)
           for field, value in changes.items() if field in TRACKED and before.get(field) != value]
    if new:
        await MemberEvent.bulk_create(new)
        # Sorted by day; on one day the new events come after the old (the sort is stable).
        await rebuild(member, sorted(events + new, key=lambda event: event.effective_on))
    return [event.field for event in new]


async def rebuild(member: Member, events: list[MemberEvent] | None = None) -> None:
    """The member's periods from its events (sorted by day, then as recorded), and its row's
    state of today from the last one."""
    events = await _events(member.id) if events is None else events
    periods, state = [], {}
    days = [(day, list(group)) for day, group in groupby(events, key=lambda e: e.effective_on)]
    for index, (day, group) in enumerate(days):
        for event in group:
            state[event.field] = decode(event.field, event.new_value)
        until = days[index + 1][0] if index + 1 < len(days) else None
        periods.append(MemberPeriod(member_id=member.id, valid_from=day, valid_to=until, **state))
    await MemberPeriod.filter(member_id=member.id).delete()
    await MemberPeriod.bulk_create(periods)
    last = {field: day for day, group in days for field in {e.field for e in group}}
    member.update_from_dict(state)
    member.business_status_since = last.get("business_status") if state.get("business_status") != "operating" else None
    member.left_on = last.get("membership") if state.get("membership") == "left" else None
    if member.membership != "left":
        member.left_reason = None
    member.on_roster_since = days[0][0] if days else member.on_roster_since
    await member.save()


def periods_on(day: dt.date, membership: str = "active"):
    """The periods in effect on `day` of members on the roster that day (or, membership="left",
    of those who had left by then)."""
    return MemberPeriod.filter(valid_from__lte=day, membership=membership).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day))


def on_day(day: dt.date, *, org_path: str | None = None, membership: str = "active", **filters):
    """THE question: the periods of members of the org's subtree (all orgs if None) on `day`,
    with the attributes they had that day (filters: category, standing, placement, market_id,
    business_status, life_org_id...). Every report asks this."""
    query = periods_on(day, membership)
    if org_path is not None:
        query = query.filter(life_org__path__startswith=org_path)
    return query.filter(**{name: value for name, value in filters.items() if value is not None})


def audience_on(day: dt.date, org_id: int, org_path: str):
    """Members expected at an org's activity held on `day`: in its subtree that day, or attached
    to it by then (and on the roster)."""
    in_tree = on_day(day, org_path=org_path).values("member_id")
    day_ends = utc(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI))
    attached = Attachment.filter(org_id=org_id, created_at__lt=day_ends).values("member_id")
    on_roster = periods_on(day).values("member_id")
    return Member.filter(Q(id__in=Subquery(in_tree)) | (Q(id__in=Subquery(attached)) & Q(id__in=Subquery(on_roster))))


async def audience_sizes(wanted: set[tuple[int, str, dt.date]]) -> dict[tuple[int, dt.date], int]:
    """audience_on(day, org_id, org_path).count() for many (org_id, org_path, day) at once: the
    sizes of audience_members (binary searches for a large audience, a short scan for a small)."""
    return {key: len(audience) for key, audience in (await audience_members(wanted)).items()}


async def audience_members(wanted: set[tuple[int, str, dt.date]]) -> dict[tuple[int, dt.date], Mapping[int, tuple[str, str]]]:
    """Like audience_sizes, but who: (org_id, day) -> {member_id: (category, standing) that day}.
    For the ledger's page per meeting and its quorum (full members only vote)."""
    import asyncio

    index = await audience_index(wanted)
    return await asyncio.to_thread(lambda: {(org_id, day): index.members(org_id, path, day) for org_id, path, day in wanted})


async def audience_index(wanted: set[tuple[int, str, dt.date]]) -> "AudienceIndex":
    """The three reads for the audiences of many meetings, read once (a year's ledger asks its
    chunks of meetings one after the other)."""
    if not wanted:
        return AudienceIndex([], [], [], [])
    return AudienceIndex(*await _audience_rows(wanted))


async def _audience_rows(wanted):
    """The three reads both audience questions answer from: the orgs of the subtrees, the
    periods in them over the span of days, and the attachments with their members' periods.
    Period rows: (member_id, life_org_id, valid_from, valid_to, category, standing)."""
    from server.auth import subtree
    from server.orgs.models import Org

    days = [day for _, _, day in wanted]
    first, last = min(days), max(days)
    paths = sorted({path for _, path, _ in wanted})
    fields = ("member_id", "life_org_id", "valid_from", "valid_to", "category", "standing")
    orgs = await Org.filter(subtree(paths)).values_list("id", "path")
    in_use = periods_on_span(first, last).filter(life_org_id__in=[org_id for org_id, _ in orgs])
    periods = await in_use.values_list(*fields)
    attachments = await Attachment.filter(org_id__in={org_id for org_id, _, _ in wanted}) \
        .values_list("member_id", "org_id", "created_at")
    attached = {member_id for member_id, _, _ in attachments}
    theirs = await periods_on_span(first, last).filter(member_id__in=attached).values_list(*fields) if attached else []
    return orgs, periods, attachments, theirs


def periods_on_span(first: dt.date, last: dt.date):
    """Periods on the roster at some time between two days (both included)."""
    return MemberPeriod.filter(membership="active", valid_from__lte=last).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=first))


LARGE_AUDIENCE = 2000  # above this many, an audience is counted and looked up, not listed


class LargeAudience(Mapping):
    """A meeting's audience too large to list for every meeting of a year (a city-wide training
    expecting 20 000): its size and its full members counted by binary search, one member
    looked up by id; listed only if someone iterates it."""

    def __init__(self, size: int, full: int, by_member: dict[int, list], day: dt.date, extra: dict) -> None:
        self.size, self.full, self._by_member, self._day, self._extra = size, full, by_member, day, extra

    def __len__(self) -> int:
        return self.size

    def get(self, member_id: int, default=None):
        # Mapping's own get and `in` go through __getitem__ and a KeyError for every member not
        # in the audience: a ledger asks a city-wide training about 100 000 times.
        found = self._extra.get(member_id)
        if found is not None:
            return found
        for start, end, category, standing in self._by_member.get(member_id, ()):
            if start <= self._day < end:
                return category, standing
        return default

    def __contains__(self, member_id) -> bool:
        return self.get(member_id) is not None

    def __getitem__(self, member_id: int) -> tuple[str, str]:
        found = self.get(member_id)
        if found is None:
            raise KeyError(member_id)
        return found

    def __iter__(self):
        for member_id in self._by_member:
            if member_id in self:
                yield member_id
        yield from (member_id for member_id in self._extra if member_id not in self._by_member)


def full_count(audience: Mapping[int, tuple[str, str]]) -> int:
    """Full (正式) members in an audience, however it is held."""
    if isinstance(audience, LargeAudience):
        return audience.full
    return sum(1 for _, standing in audience.values() if standing == "full")


class AudienceIndex:
    """Audiences from one set of rows (_audience_rows): a small subtree's listed by a scan of
    its periods, a large one's counted by binary search (LargeAudience)."""

    def __init__(self, orgs, periods, attachments, theirs) -> None:
        never = dt.date.max
        self._orgs, self._path_of = orgs, dict(orgs)
        self._by_org: dict[int, list] = {}
        for member_id, org, start, end, category, standing in periods:
            self._by_org.setdefault(org, []).append((member_id, start, end or never, category, standing))
        self._their: dict[int, list] = {}
        for member_id, org, start, end, category, standing in theirs:
            self._their.setdefault(member_id, []).append((org, start, end or never, category, standing))
        self._attached_to: dict[int, list] = {}
        for member_id, org_id, created_at in attachments:
            self._attached_to.setdefault(org_id, []).append((member_id, created_at))
        self._trees: dict[str, dict] = {}

    def _tree(self, path: str) -> dict:
        tree = self._trees.get(path)
        if tree is None:
            rows = [row for org, org_path in self._orgs if org_path.startswith(path) for row in self._by_org.get(org, ())]
            by_member: dict[int, list] = {}
            for member_id, start, end, category, standing in rows:
                by_member.setdefault(member_id, []).append((start, end, category, standing))
            full = [(start, end) for _, start, end, _, standing in rows if standing == "full"]
            tree = self._trees[path] = {
                "rows": rows, "by_member": by_member,
                "starts": sorted(r[1] for r in rows), "ends": sorted(r[2] for r in rows),
                "full_starts": sorted(s for s, _ in full), "full_ends": sorted(e for _, e in full)}
        return tree

    def _attached(self, org_id: int, path: str, day: dt.date) -> dict[int, tuple[str, str]]:
        """Members attached to the org by that day, on the roster, and not in its subtree."""
        day_ends = utc(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI))
        extra = {}
        for member_id, created_at in self._attached_to.get(org_id, ()):
            if created_at >= day_ends:
                continue
            on_day = [row for row in self._their.get(member_id, ()) if row[1] <= day < row[2]]
            if on_day and not self._path_of.get(on_day[0][0], "").startswith(path):
                extra[member_id] = on_day[0][3:]
        return extra

    def members(self, org_id: int, path: str, day: dt.date) -> Mapping[int, tuple[str, str]]:
        from bisect import bisect_right

        tree = self._tree(path)
        extra = self._attached(org_id, path, day)
        size = bisect_right(tree["starts"], day) - bisect_right(tree["ends"], day)
        if size + len(extra) <= LARGE_AUDIENCE:
            members = {member_id: (category, standing) for member_id, start, end, category, standing in tree["rows"]
                       if start <= day < end}
            members.update({k: v for k, v in extra.items() if k not in members})
            return members
        full = bisect_right(tree["full_starts"], day) - bisect_right(tree["full_ends"], day)
        full += sum(1 for _, standing in extra.values() if standing == "full")
        return LargeAudience(size + len(extra), full, tree["by_member"], day, extra)
