"""The district's summary workbook (先锋指数考评汇总): one row per party org, and the market
members on a sheet of their own for the market line. Read in two queries, written in a thread."""
from __future__ import annotations

import io
from collections import defaultdict

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from server import xlsx
from server.clock import today
from server.evaluation.models import EXCLUSIONS, Cycle, Evaluation, FollowUp
from server.markets.models import Market
from server.orgs.models import Org

COLUMNS = ["在考评范围", *[f"不参评：{label}" for label in EXCLUSIONS.values()], "一票否决", "已审定",
           "★★★★★", "★★★★", "★★★", "★★", "★", "优秀党员", "需帮扶（一二星）", "已谈心并结对"]
THIN = Side(style="thin")


def _figures(rows: list[tuple], done: set[int]) -> list[int]:
    eligible = [r for r in rows if r[1] is None]
    stars = {n: sum(1 for r in eligible if r[2] is None and r[3] == n) for n in range(1, 6)}
    low = [r for r in eligible if r[2] is None and r[3] is not None and r[3] <= 2]
    return [len(rows), *[sum(1 for r in rows if r[1] == reason) for reason in EXCLUSIONS],
            sum(1 for r in eligible if r[2] is not None), sum(1 for r in eligible if r[4] is not None),
            stars[5], stars[4], stars[3], stars[2], stars[1], sum(1 for r in eligible if r[5]),
            len(low), sum(1 for r in low if r[0] in done)]


async def read(cycle: Cycle, org_ids: list[int]) -> dict:
    rows = await Evaluation.filter(cycle_id=cycle.id, org_id__in=org_ids).values_list(
        "id", "exclusion", "veto_reason", "stars", "reviewed_at", "outstanding", "org_id", "market_id")
    done = {e for e, talk, mentor in await FollowUp.filter(evaluation__cycle_id=cycle.id)
            .values_list("evaluation_id", "talk_on", "mentor_id") if talk and mentor}
    orgs = dict(await Org.filter(id__in={r[6] for r in rows}).values_list("id", "name"))
    markets = dict(await Market.filter(id__in={r[7] for r in rows if r[7]}).values_list("id", "name"))
    return {"title": f"{cycle.org.name}{cycle.year}年度党员先锋指数考评汇总", "rows": rows, "done": done,
            "orgs": orgs, "markets": markets}


def _sheet(ws, title: str, heading: str, groups: dict[str, list[tuple]], done: set[int]) -> None:
    width = len(COLUMNS) + 1
    xlsx.append(ws, [title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(name="黑体", size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    xlsx.append(ws, [f"填报日期：{today().isoformat()}"])
    xlsx.append(ws, [heading, *COLUMNS])
    for name, rows in sorted(groups.items()):
        xlsx.append(ws, [name, *_figures(rows, done)])
    everything = [r for rows in groups.values() for r in rows]
    xlsx.append(ws, ["合计", *_figures(everything, done)])
    for row in ws.iter_rows(min_row=3, max_row=ws.max_row):
        for cell in row:
            cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center" if cell.column > 1 else "left")
    ws.column_dimensions["A"].width = 28
    for row in ws.iter_rows(min_row=ws.max_row, max_row=ws.max_row):
        for cell in row:
            cell.font = Font(bold=True)
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def build(data: dict) -> bytes:
    book = Workbook()
    by_org: dict[str, list[tuple]] = defaultdict(list)
    by_market: dict[str, list[tuple]] = defaultdict(list)
    for r in data["rows"]:
        by_org[data["orgs"][r[6]]].append(r)
        if r[7]:
            by_market[data["markets"][r[7]]].append(r)
    _sheet(book.active, data["title"], "党组织", by_org, data["done"])
    book.active.title = "按党组织"
    _sheet(book.create_sheet("市场党员"), data["title"] + "（市场内党员，报市场条线）", "市场", by_market, data["done"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
