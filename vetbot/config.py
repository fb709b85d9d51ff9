"""Configuration from environment variables (documented in README and .env.example).

Read once, explicitly, by the entry points — never at import time — so tests build their own.
Secrets are ``SecretStr`` and never printed.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import SecretStr

from vetbot.checks.providers.settings import ProviderSettings


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name}: not a number: {raw!r}") from None


def _local_secret() -> SecretStr:
    """A per-install key for keyed hashes when ``VETBOT_SECRET_KEY`` is unset (offline default).

    Created once with mode 0600 beside the default database. Production sets the variable so
    replicas agree; ``vetbot doctor`` says so.
    """
    path = Path(user_data_dir("vetbot", appauthor=False)) / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return SecretStr(path.read_text().strip())


@dataclass(frozen=True)
class Config:
    database_url: str | None = None
    secret_key: SecretStr = field(default_factory=lambda: SecretStr("vetbot-test-key"))
    check_timeout: float = 5.0
    providers: ProviderSettings = field(default_factory=ProviderSettings)  # network: off by default

    @property
    def secret_bytes(self) -> bytes:
        return self.secret_key.get_secret_value().encode("utf-8")

    @classmethod
    def from_env(cls, *, database_url: str | None = None) -> Config:
        key = os.environ.get("VETBOT_SECRET_KEY")
        check_timeout = _float("VETBOT_CHECK_TIMEOUT", 5.0)
        return cls(
            database_url=database_url or os.environ.get("VETBOT_DATABASE_URL") or None,
            secret_key=SecretStr(key) if key else _local_secret(),
            check_timeout=check_timeout,
            providers=ProviderSettings.from_env(os.environ, check_timeout=check_timeout),
        )
