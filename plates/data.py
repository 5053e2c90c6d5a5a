"""The plain data a plate is drawn from: no model, no request, only values."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlateData:
    name: str
    url: str  # what the QR code opens: <PUBLIC_BASE_URL>/p/<code>
    code: str
    unit_name: str = ""
    market: str = ""
    stall: str = ""
    pledge: str = ""
    stars: int | None = None  # 先锋指数 stars, once an evaluation gave some
    title: str = "共产党员经营户"
    badge: str = "中共党员"
    photo: bytes | None = None  # JPEG/PNG bytes
    emblem: bytes | None = None  # the standard 党徽 image supplied by the operator; never drawn by us
    org: str = ""  # the party org the member's org life is in (a member card names it)

    @property
    def place(self) -> str:
        if self.market and self.stall:
            return f"{self.market} · {self.stall} 号摊位"
        return self.market or (f"{self.stall} 号摊位" if self.stall else "")

    @property
    def stars_text(self) -> str:
        return f"先锋指数 {'★' * self.stars}{'☆' * (5 - self.stars)}" if self.stars else ""

    def field(self, name: str):
        if name not in FIELDS:
            raise KeyError(f"a layout asks for an unknown field {name!r}")
        return getattr(self, name)


FIELDS = {"name", "url", "code", "unit_name", "market", "stall", "pledge", "stars", "title", "badge", "photo",
          "emblem", "place", "stars_text", "org"}
