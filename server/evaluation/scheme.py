"""The scheme of a cycle (items and their maximum points, the weights of the inputs, the cap on
additions and deductions, the star thresholds) and the score and stars that follow from it.
Pure: plain data in, plain data out."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DEFAULT_SCHEME = {
    "items": [
        {"key": "political", "label": "政治素质", "max": 20},
        {"key": "integrity", "label": "诚信经营", "max": 30},
        {"key": "org_life", "label": "组织生活", "max": 20},
        {"key": "service", "label": "服务群众", "max": 20},
        {"key": "study", "label": "学习培训", "max": 10},
    ],
    # Percent of the score each input carries. An input the member has none of (no self-evaluation
    # handed in, no peer grades, no customer ratings) gives its share to the others in proportion.
    "weights": {"self": 20, "peer": 30, "customer": 10, "org": 40},
    "adjustment_cap": 10,  # additions minus deductions count at most this much either way
    "thresholds": [95, 85, 75, 65],  # the least score for ★5, ★4, ★3, ★2; below the last ★1
}
INPUTS = {"self": "个人自评", "peer": "党员互评", "customer": "群众评价", "org": "组织审定"}
# An overall peer grade as a share of full marks.
GRADE_PERCENT = {"excellent": 100, "good": 85, "fair": 70, "poor": 50}


def problems(scheme: dict) -> dict[str, str]:
    """What is wrong with a scheme, per field (empty when it holds together)."""
    out = {}
    keys = [item["key"] for item in scheme["items"]]
    if len(set(keys)) != len(keys):
        out["scheme.items"] = "考评项目的代码不能重复"
    if sum(scheme["weights"].values()) != 100:
        out["scheme.weights"] = "自评、互评、群众评价、组织审定的权重之和应为100"
    thresholds = scheme["thresholds"]
    if any(a <= b for a, b in zip(thresholds, thresholds[1:])):
        out["scheme.thresholds"] = "星级分数线应从五星到二星依次降低"
    return out


def full_marks(scheme: dict) -> int:
    return sum(item["max"] for item in scheme["items"])


def item_problems(scheme: dict, items: dict[str, float], field: str) -> dict[str, str]:
    """Points per item: every item of the scheme, each between 0 and its maximum."""
    out = {}
    maxima = {item["key"]: item["max"] for item in scheme["items"]}
    for key in items.keys() - maxima.keys():
        out[f"{field}.{key}"] = "不是本次考评的项目"
    for key, top in maxima.items():
        if key not in items:
            out[f"{field}.{key}"] = "请为每个项目打分"
        elif not 0 <= items[key] <= top:
            out[f"{field}.{key}"] = f"分数应在0到{top}之间"
    return out


def _percent(items: dict[str, float] | None, scheme: dict) -> Decimal | None:
    if items is None:
        return None
    return Decimal(str(sum(items.values()))) * 100 / full_marks(scheme)


def inputs(scheme: dict, *, self_items, peer_grades: list[str], customer_average: float | None, review_items) -> dict:
    """Each input as a percentage of full marks (None: the member has none of it)."""
    peer = (Decimal(sum(GRADE_PERCENT[g] for g in peer_grades)) / len(peer_grades)) if peer_grades else None
    customer = Decimal(str(customer_average)) * 20 if customer_average is not None else None
    return {"self": _percent(self_items, scheme), "peer": peer, "customer": customer, "org": _percent(review_items, scheme)}


def score(scheme: dict, parts: dict, adjustments: list[dict]) -> Decimal | None:
    """The weighted inputs plus the capped adjustments, 0–100, one decimal; None before the org's
    review (the review is the one input every score needs)."""
    if parts["org"] is None:
        return None
    present = {name: Decimal(weight) for name, weight in scheme["weights"].items() if parts[name] is not None and weight}
    total = sum(present.values())
    base = sum(parts[name] * weight for name, weight in present.items()) / total
    cap = Decimal(scheme["adjustment_cap"])
    adjustment = max(-cap, min(cap, sum(Decimal(str(a["points"])) for a in adjustments)))
    value = max(Decimal(0), min(Decimal(100), base + adjustment))
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def stars(scheme: dict, value: Decimal | None) -> int | None:
    if value is None:
        return None
    for count, least in zip((5, 4, 3, 2), scheme["thresholds"]):
        if value >= least:
            return count
    return 1
