"""Typed configuration: environment variables with the DANGJIAN_ prefix (pydantic-settings).

Each setting is declared once, below, with its type and default; the variable is its name in
capitals after the prefix (`wechat_timeout` ← DANGJIAN_WECHAT_TIMEOUT). Development works with
no variable set (SQLite file, in-process store, fake WeChat gateway). Production refuses to
start on anything that would be unsafe or silently wrong there.
"""
from __future__ import annotations

import contextvars
import re
from pathlib import Path
from typing import Literal, Mapping

from pydantic import ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from plates import LAYOUTS
from server.wechat import MINIPROGRAM_STATES

PREFIX = "DANGJIAN_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# In a checkout, var/ beside the code; installed from a wheel, var/ in the working directory.
DATA_ROOT = PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").exists() else Path.cwd()
DEFAULT_SECRET = "dev-only-secret-change-me"
DEFAULT_DATABASE_URL = f"sqlite://{DATA_ROOT / 'var' / 'dangjian.sqlite3'}"

# from_env(mapping) reads that mapping instead of the process environment.
_ENVIRON: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar("environ", default=None)


class ConfigError(Exception):
    """The configuration is unusable; the message says which variable to fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, extra="ignore", frozen=True)

    env: Literal["development", "production"] = "development"
    secret_key: str = DEFAULT_SECRET
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    redis_max_connections: int = 50
    redis_pool_timeout: float = 5.0  # seconds a caller waits for a free Redis connection
    # Put before every key and the near cache's channel: deployments sharing one Redis database
    # set different prefixes (different databases are kept apart by their number already).
    redis_prefix: str = "dj:"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    public_base_url: str = "http://127.0.0.1:8000"
    wechat_mode: Literal["fake", "real"] = "fake"
    wechat_appid: str = ""
    wechat_secret: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_timeout: float = 5.0  # seconds for each request to WeChat, the token fetch included
    # Which build a subscribe message opens when tapped: developer | trial | formal.
    wechat_miniprogram_state: Literal[MINIPROGRAM_STATES] = "formal"
    # The verification file WeChat gives for the "scan an ordinary link" rules, served at
    # /c/<file> and /p/<file>: its name (e.g. AbCd1234.txt) and its content.
    wechat_verify_file: str = ""
    wechat_verify_content: str = ""
    token_ttl_days: int = 30
    login_rate_limit: int = 600  # logins per client address per minute (failed ones: 20)
    upload_dir: str = str(DATA_ROOT / "var" / "uploads")  # outside any web root
    reminder_template_id: str = ""  # WeChat subscribe-message template; empty = no reminders
    reminder_lead_minutes: int = 60
    # Template for the secretary's plan reminder (keys thing1, thing2, date3); empty = none sent.
    plan_reminder_template_id: str = ""
    # Template for the overdue-receipt reminder (keys thing1, thing2, date3); empty = none sent.
    receipt_reminder_template_id: str = ""
    # Background jobs (server/jobs): on PostgreSQL a separate `python -m server worker` runs them;
    # on SQLite the web process runs them itself, in memory (lost on a restart).
    worker_concurrency: int = 2  # jobs one worker process runs at once
    worker_metrics_port: int = 0  # the worker's own /metrics (Prometheus); 0 = none
    worker_in_process: bool | None = None  # None: yes on SQLite, no on PostgreSQL
    job_stalled_seconds: int = 60  # a worker silent this long is gone; its jobs start again
    job_file_retention_days: int = 7  # a batch PDF or a ledger export is deleted this long after it is made
    # Where uploads and made files live: "database" (PostgreSQL, reachable from every host) or
    # "local" (upload_dir on this host). None: database on PostgreSQL, local on SQLite.
    file_store: Literal["local", "database"] | None = None
    # AES-GCM key for 身份证号 at rest: 32 random bytes, URL-safe base64 (python -c 'import
    # base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())'). Development derives one.
    id_number_key: str = ""
    plate_font: str = ""  # a .ttc/.otf with Chinese glyphs; empty = look for Noto Sans CJK / WenQuanYi
    plate_emblem: str = ""  # the standard 党徽 image supplied by the operator; empty = plates without it
    plate_layout: str = "a5-landscape"
    proxies: int = 0  # reverse proxies in front (nginx: 1); their X-Forwarded-For gives the client's address
    log_format: Literal["text", "json"] = "text"  # production's default: json, one object per line
    access_log: bool = False  # one line per request; nginx keeps its own with the same request id

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        # Only arguments and the environment (no .env file, no secrets directory): one place to look.
        return (init_settings,) if _ENVIRON.get() is not None else (init_settings, env_settings)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def uses_postgres(self) -> bool:
        return not self.database_url.startswith("sqlite://")

    @property
    def runs_jobs_in_process(self) -> bool:
        return (not self.uses_postgres) if self.worker_in_process is None else self.worker_in_process

    @property
    def stores_files_in_database(self) -> bool:
        return (self.file_store or ("database" if self.uses_postgres else "local")) == "database"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """From the process environment, or from `environ` alone when given; a bad value raises
        ConfigError naming the variable."""
        token = _ENVIRON.set(environ)
        try:
            if environ is None:
                return cls()
            given = {key[len(PREFIX):].lower(): value for key, value in environ.items()
                     if key.startswith(PREFIX) and value != ""}
            return cls(**{name: value for name, value in given.items() if name in cls.model_fields})
        except ValidationError as exc:
            raise ConfigError(_describe(exc)) from None
        finally:
            _ENVIRON.reset(token)

    @model_validator(mode="before")
    @classmethod
    def _production_logs_json(cls, data):
        if isinstance(data, dict) and "log_format" not in data and data.get("env") == "production":
            data = {**data, "log_format": "json"}
        return data

    @field_validator("public_base_url", "wechat_api_base")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _consistent(self) -> "Settings":
        self.check()
        return self

    def check(self) -> None:
        """Refuse configurations that would be unsafe or wrong; say exactly what to change."""
        if not self.database_url.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
            raise ConfigError(f"{PREFIX}DATABASE_URL must be sqlite://… or postgres://…")
        if not 1 <= self.reminder_lead_minutes <= 7 * 24 * 60:
            raise ConfigError(f"{PREFIX}REMINDER_LEAD_MINUTES must be between 1 and 10080")
        if not 1 <= self.worker_concurrency <= 64 or not 5 <= self.job_stalled_seconds <= 3600 \
                or not 1 <= self.job_file_retention_days <= 365:
            raise ConfigError(f"{PREFIX}WORKER_CONCURRENCY must be 1–64, {PREFIX}JOB_STALLED_SECONDS 5–3600 and "
                              f"{PREFIX}JOB_FILE_RETENTION_DAYS 1–365")
        if self.uses_postgres is False and self.worker_in_process is False:
            raise ConfigError(f"{PREFIX}WORKER_IN_PROCESS=false needs PostgreSQL: on SQLite jobs live in the "
                              "web process's memory, where no other process can reach them")
        if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,32}", self.redis_prefix):
            raise ConfigError(f"{PREFIX}REDIS_PREFIX: 1–32 letters, digits or _ . : -, got {self.redis_prefix!r}")
        if self.plate_layout not in LAYOUTS:
            raise ConfigError(f"{PREFIX}PLATE_LAYOUT must be one of {', '.join(sorted(LAYOUTS))}, got {self.plate_layout!r}")
        if self.plate_emblem and not Path(self.plate_emblem).is_file():
            raise ConfigError(f"{PREFIX}PLATE_EMBLEM names a file that does not exist: {self.plate_emblem}")
        if self.id_number_key and not _valid_key(self.id_number_key):
            raise ConfigError(f"{PREFIX}ID_NUMBER_KEY must be 32 bytes in URL-safe base64 (44 characters)")
        if self.workers < 1:
            raise ConfigError(f"{PREFIX}WORKERS must be at least 1")
        if not 0.1 <= self.wechat_timeout <= 60 or not 0.1 <= self.redis_pool_timeout <= 60:
            raise ConfigError(f"{PREFIX}WECHAT_TIMEOUT and {PREFIX}REDIS_POOL_TIMEOUT are seconds, between 0.1 and 60")
        if bool(self.wechat_verify_file) != bool(self.wechat_verify_content) or (
                self.wechat_verify_file and not _valid_verify_name(self.wechat_verify_file)):
            raise ConfigError(f"{PREFIX}WECHAT_VERIFY_FILE (a name such as AbCd1234.txt) and "
                              f"{PREFIX}WECHAT_VERIFY_CONTENT go together")
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
            if not self.id_number_key:
                raise ConfigError(
                    f"production refuses to store 身份证号 without {PREFIX}ID_NUMBER_KEY: set 32 random bytes, URL-safe "
                    "base64 (python -c 'import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())')"
                )


def _valid_key(text: str) -> bool:
    import base64
    import binascii

    try:
        return len(base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))) == 32
    except (binascii.Error, ValueError):
        return False


def _valid_verify_name(name: str) -> bool:
    stem, dot, ext = name.rpartition(".")
    return dot == "." and ext == "txt" and 1 <= len(stem) <= 64 and all(c.isascii() and (c.isalnum() or c in "_-")
                                                                         for c in stem)


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        name = PREFIX + "_".join(str(part) for part in error["loc"][:1]).upper()
        lines.append(f"{name}: {error['msg']}, got {error.get('input')!r}")
    return "; ".join(lines)
