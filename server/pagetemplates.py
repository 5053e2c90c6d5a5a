"""Jinja2 for a domain's server-rendered pages: its own templates first, then the public pages'
base (server/plates/templates: the header, the styles, message.html), autoescaped."""
from __future__ import annotations

from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

BASE = Path(__file__).parent / "plates" / "templates"


def environment(own: Path) -> Environment:
    return Environment(loader=ChoiceLoader([FileSystemLoader(own), FileSystemLoader(BASE)]),
                       autoescape=select_autoescape(default=True), auto_reload=False)
