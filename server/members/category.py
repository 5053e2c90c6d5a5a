"""Which category a registration's three places suggest (seed §二):

- 隶属党员: 组织关系在个私协会（分会）党组织;
- 属地党员: 组织关系在本区、县（市）的乡镇（街道）或行政村（社区）;
- 流动党员: 组织关系所在地、工作经营地、户籍地"三分离".

The three places are the registration's home_org (free text), its household_district and where
the business is (the market's district, else the life_org's). A suggestion comes with its
reason in Chinese; where the form does not settle it, there is no suggestion and the reason
says what to ask. The secretary always chooses: approving needs an explicit category.
"""
from __future__ import annotations

import re

ASSOCIATION_WORDS = ("个私协会", "个体劳动者协会", "私营企业协会", "民个协会", "个协", "私协", "分会")
TOWNSHIP_WORDS = ("街道", "社区", "乡", "镇", "村")
# A district or county named in free text: "上城区市场监管局…" → 上城区, "歙县城关镇党委" → 歙县;
# 社区, 小区, 景区, 街区, 片区 and 园区 are not districts.
_DISTRICT = re.compile(r"[\u4e00-\u9fff]{1,4}?(?<![社小景街片园])[区县]")


def district_in(text: str | None) -> str | None:
    found = _DISTRICT.search(text or "")
    return found.group(0) if found else None


def same_place(a: str | None, b: str | None) -> bool:
    """"上城区" and "杭州市上城区" are one place; an unknown place is never the same."""
    return bool(a and b) and (a in b or b in a)


def suggest(home_org: str, household_district: str, business_district: str,
            association_orgs: set[str] = frozenset()) -> tuple[str | None, str]:
    """(category or None, why). association_orgs: names of the association's own party orgs
    (the life_org and those above it in this system)."""
    home = (home_org or "").strip()
    if home in association_orgs or any(word in home for word in ASSOCIATION_WORDS):
        return "affiliated", f"组织关系在个私协会（分会）党组织「{home}」，为隶属党员"
    home_district = district_in(home)
    township = any(word in home for word in TOWNSHIP_WORDS)
    if township and (same_place(home_district, business_district)
                     or (home_district is None and same_place(household_district, business_district))):
        return "local", (f"组织关系在经营地{business_district}的乡镇（街道）或村（社区）「{home}」，为属地党员")
    if home_district and not same_place(home_district, business_district) \
            and not same_place(household_district, business_district) \
            and not same_place(home_district, household_district):
        return "floating", (f"组织关系在{home_district}、户籍在{household_district}、经营在{business_district}，"
                            f"三地分离，为流动党员")
    known = [f"组织关系所在「{home}」" + (f"（{home_district}）" if home_district else "（看不出在哪个区县）"),
             f"户籍在{household_district or '未填'}", f"经营在{business_district or '未知'}"]
    return None, "，".join(known) + "：登记表不足以判断类别，请向本人核实组织关系所在地后选择"
