"""Typed configuration read from environment variables with the DANGJIAN_ prefix.

Development works with no variable set (SQLite file, in-process store, fake WeChat gateway).
Production refuses to start on anything that would be unsafe or silently wrong there.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from plates import LAYOUTS

PREFIX = "DANGJIAN_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "dev-only-secret-change-me"
DEFAULT_DATABASE_URL = f"sqlite://{PROJECT_ROOT / 'var' / 'dangjian.sqlite3'}"


class ConfigError(Exception):
    """The configuration is unusable; the message says which variable to fix."""


def _env(name: str, default: str | None = None, environ: dict | None = None) -> str | None:
    value = (environ if environ is not None else os.environ).get(PREFIX + name)
    return default if value in (None, "") else value


def _int(name: str, default: int, environ: dict | None) -> int:
    raw = _env(name, str(default), environ)
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{PREFIX}{name} must be a whole number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    env: str = "development"  # development | production
    secret_key: str = DEFAULT_SECRET
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    redis_max_connections: int = 50
    redis_pool_timeout: float = 5.0
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    public_base_url: str = "http://127.0.0.1:8000"
    wechat_mode: str = "fake"  # fake | real
    wechat_appid: str = ""
    wechat_secret: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_timeout: float = 5.0
    token_ttl_days: int = 30
    login_rate_limit: int = 600  # logins per client address per minute (failed ones: 20)
    upload_dir: str = str(PROJECT_ROOT / "var" / "uploads")  # outside any web root
    reminder_template_id: str = ""  # WeChat subscribe-message template; empty = no reminders
    reminder_lead_minutes: int = 60
    reminder_interval_seconds: int = 30
    plate_font: str = ""  # a .ttc/.otf with Chinese glyphs; empty = look for Noto Sans CJK / WenQuanYi
    plate_emblem: str = ""  # the standard 党徽 image supplied by the operator; empty = plates without it
    plate_layout: str = "a5-landscape"
    proxies: int = 0  # reverse proxies in front (nginx: 1); their X-Forwarded-For gives the client's address
    log_format: str = "text"  # text | json (production's default: one JSON object per line)
    access_log: bool = False  # one line per request; nginx keeps its own with the same request id

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "Settings":
        settings = cls(
            env=_env("ENV", "development", environ),
            secret_key=_env("SECRET_KEY", DEFAULT_SECRET, environ),
            database_url=_env("DATABASE_URL", DEFAULT_DATABASE_URL, environ),
            redis_url=_env("REDIS_URL", None, environ),
            redis_max_connections=_int("REDIS_MAX_CONNECTIONS", 50, environ),
            host=_env("HOST", "127.0.0.1", environ),
            port=_int("PORT", 8000, environ),
            workers=_int("WORKERS", 1, environ),
            public_base_url=_env("PUBLIC_BASE_URL", "http://127.0.0.1:8000", environ).rstrip("/"),
            wechat_mode=_env("WECHAT_MODE", "fake", environ),
            wechat_appid=_env("WECHAT_APPID", "", environ),
            wechat_secret=_env("WECHAT_SECRET", "", environ),
            wechat_api_base=_env("WECHAT_API_BASE", "https://api.weixin.qq.com", environ).rstrip("/"),
            token_ttl_days=_int("TOKEN_TTL_DAYS", 30, environ),
            login_rate_limit=_int("LOGIN_RATE_LIMIT", 600, environ),
            upload_dir=_env("UPLOAD_DIR", str(PROJECT_ROOT / "var" / "uploads"), environ),
            reminder_template_id=_env("REMINDER_TEMPLATE_ID", "", environ),
            reminder_lead_minutes=_int("REMINDER_LEAD_MINUTES", 60, environ),
            reminder_interval_seconds=_int("REMINDER_INTERVAL_SECONDS", 30, environ),
            plate_font=_env("PLATE_FONT", "", environ),
            plate_emblem=_env("PLATE_EMBLEM", "", environ),
            plate_layout=_env("PLATE_LAYOUT", "a5-landscape", environ),
            proxies=_int("PROXIES", 0, environ),
            log_format=_env("LOG_FORMAT", "json" if _env("ENV", "development", environ) == "production" else "text",
                            environ),
            access_log=_env("ACCESS_LOG", "0", environ) in ("1", "true", "yes"),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse configurations that would be unsafe or wrong; say exactly what to change."""
        if self.env not in ("development", "production"):
            raise ConfigError(f"{PREFIX}ENV must be 'development' or 'production', got {self.env!r}")
        if self.wechat_mode not in ("fake", "real"):
            raise ConfigError(f"{PREFIX}WECHAT_MODE must be 'fake' or 'real', got {self.wechat_mode!r}")
        if not self.database_url.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
            raise ConfigError(f"{PREFIX}DATABASE_URL must be sqlite://… or postgres://…")
        if self.reminder_interval_seconds < 1 or not 1 <= self.reminder_lead_minutes <= 7 * 24 * 60:
            raise ConfigError(f"{PREFIX}REMINDER_INTERVAL_SECONDS must be at least 1 and "
                              f"{PREFIX}REMINDER_LEAD_MINUTES between 1 and 10080")
        if self.log_format not in ("text", "json"):
            raise ConfigError(f"{PREFIX}LOG_FORMAT must be 'text' or 'json', got {self.log_format!r}")
        if self.plate_layout not in LAYOUTS:
            raise ConfigError(f"{PREFIX}PLATE_LAYOUT must be one of {', '.join(sorted(LAYOUTS))}, got {self.plate_layout!r}")
        if self.plate_emblem and not Path(self.plate_emblem).is_file():
            raise ConfigError(f"{PREFIX}PLATE_EMBLEM names a file that does not exist: {self.plate_emblem}")
        if self.workers < 1:
            raise ConfigError(f"{PREFIX}WORKERS must be at least 1")
        # The in-process store is per process: several workers would each keep their own
        # rate limits and token caches, so a logout in one would not reach the others.
        if self.workers > 1 and not self.redis_url:
            raise ConfigError(
                f"{PREFIX}WORKERS={self.workers} needs {PREFIX}REDIS_URL: the in-process store "
                "serves a single process only"
            )
        if self.wechat_mode == "real" and not (self.wechat_appid and self.wechat_secret):
            raise ConfigError(f"{PREFIX}WECHAT_MODE=real needs {PREFIX}WECHAT_APPID and {PREFIX}WECHAT_SECRET")
        if self.is_production:
            if self.wechat_mode == "fake":
                raise ConfigError(
                    f"production refuses the fake WeChat gateway: set {PREFIX}WECHAT_MODE=real "
                    f"with {PREFIX}WECHAT_APPID and {PREFIX}WECHAT_SECRET"
                )
            if self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32:
                raise ConfigError(
                    f"production refuses the default or a short {PREFIX}SECRET_KEY: "
                    "set at least 32 random characters (python -c 'import secrets;print(secrets.token_urlsafe(48))')"
                )
