import pytest

from server.config import DEFAULT_SECRET, ConfigError, Settings

STRONG = "x" * 48
REAL_WECHAT = {"DANGJIAN_WECHAT_MODE": "real", "DANGJIAN_WECHAT_APPID": "wx123", "DANGJIAN_WECHAT_SECRET": "s"}


def test_development_defaults_need_nothing():
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite://")
    assert settings.redis_url is None
    assert settings.wechat_mode == "fake"
    assert settings.secret_key == DEFAULT_SECRET


def test_production_refuses_fake_wechat():
    with pytest.raises(ConfigError, match="fake WeChat"):
        Settings.from_env({"DANGJIAN_ENV": "production", "DANGJIAN_SECRET_KEY": STRONG})


def test_production_refuses_default_or_short_secret():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Settings.from_env({"DANGJIAN_ENV": "production", **REAL_WECHAT})
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Settings.from_env({"DANGJIAN_ENV": "production", "DANGJIAN_SECRET_KEY": "short", **REAL_WECHAT})


ID_KEY = "q" * 43 + "="


def test_production_with_real_gateway_and_secret_starts():
    settings = Settings.from_env({"DANGJIAN_ENV": "production", "DANGJIAN_SECRET_KEY": STRONG, "DANGJIAN_ID_NUMBER_KEY": ID_KEY,
                                  **REAL_WECHAT})
    assert settings.is_production


def test_production_refuses_to_keep_id_numbers_without_their_own_key():
    with pytest.raises(ConfigError, match="ID_NUMBER_KEY"):
        Settings.from_env({"DANGJIAN_ENV": "production", "DANGJIAN_SECRET_KEY": STRONG, **REAL_WECHAT})
    with pytest.raises(ConfigError, match="32 bytes"):
        Settings.from_env({"DANGJIAN_ID_NUMBER_KEY": "too-short"})


def test_several_workers_need_redis():
    with pytest.raises(ConfigError, match="REDIS_URL"):
        Settings.from_env({"DANGJIAN_WORKERS": "2"})
    settings = Settings.from_env({"DANGJIAN_WORKERS": "2", "DANGJIAN_REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert settings.workers == 2


def test_real_wechat_needs_credentials_and_bad_values_are_named():
    with pytest.raises(ConfigError, match="WECHAT_APPID"):
        Settings.from_env({"DANGJIAN_WECHAT_MODE": "real"})
    with pytest.raises(ConfigError, match="DANGJIAN_PORT"):
        Settings.from_env({"DANGJIAN_PORT": "eighty"})
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        Settings.from_env({"DANGJIAN_DATABASE_URL": "mysql://x"})


def test_command_line_refuses_unsafe_production(monkeypatch, capsys):
    from server.__main__ import main

    monkeypatch.setenv("DANGJIAN_ENV", "production")
    monkeypatch.delenv("DANGJIAN_WECHAT_MODE", raising=False)
    assert main(["migrate"]) == 2
    assert "fake WeChat" in capsys.readouterr().err
