"""The public pages' templates (Jinja2, autoescaped). Rendering only: no request, no database."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

templates = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                        autoescape=select_autoescape(default=True), auto_reload=False)
# Stands for the form's nonce in a cached page; each answer puts its own in its place.
NONCE_MARK = "@@nonce@@"


def profile_page(profile: dict, *, nonce: str = NONCE_MARK, notice: str | None = None, error: str | None = None) -> str:
    return templates.get_template("profile.html").render(p=profile, nonce=nonce, notice=notice, error=error)


def message_page(heading: str, message: str) -> str:
    return templates.get_template("message.html").render(heading=heading, message=message)
