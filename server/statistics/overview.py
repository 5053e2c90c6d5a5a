"""The staff's overview of an org: today's figures beside those of its last snapshot, the
year's training rates and the evaluation's progress (when a cycle covers the org)."""
from __future__ import annotations

from server.auth import Principal
from server.clock import today
from server.evaluation import cycles
from server.orgs.service import get_org
from server.reports.service import training_rates
from server.statistics import figures as compute_figures
from server.statistics.models import Snapshot
from server.statistics.snapshots import SnapshotNotFound


async def overview(principal: Principal, org_id: int) -> dict:
    org = await get_org(org_id)
    if not principal.reaches(org):
        raise SnapshotNotFound("找不到该组织")
    markets = await compute_figures.markets_of(org, today())
    totals = {**await compute_figures.member_totals(org, today()), **compute_figures.market_totals(markets)}
    last = await Snapshot.filter(org=org).order_by("-as_of").first()
    before = last.figures["totals"] if last else {}
    rates = await training_rates(principal, org.id, today().year)
    cycle = next((c for c in await cycles.list_cycles(principal, today().year)
                  if org.path.startswith(c.org.path) or c.org.path.startswith(org.path)), None)
    progress = await cycles.progress(cycle) if cycle else None
    return {
        "org_id": org.id, "org_name": org.name, "today": today(),
        "last_snapshot": {"id": last.id, "as_of": last.as_of, "state": last.state} if last else None,
        "figures": [{"key": key, "label": label, "value": totals[key], "last": before.get(key)}
                    for key, label in compute_figures.TOTALS.items()],
        "training": [{k: c[k] for k in ("category", "label", "members", "trained", "rate", "target", "met")}
                     for c in rates["categories"]],
        "evaluation": {"cycle_id": cycle.id, "org_name": cycle.org.name, "stage": cycles.stage(cycle),
                       "eligible": progress["eligible"], "reviewed": progress.get("reviewed", 0),
                       "stars": {str(k): v for k, v in (progress.get("stars") or {}).items()}} if cycle else None,
        "markets": [{k: m[k] for k in ("id", "name", "in_scope", "org_form", "met", "members", "plates_issued", "plates_hung")}
                    for m in markets],
    }
