"""Configuration from the environment, read in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'coordination.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    idle_timeout_s: int
    absolute_lifetime_s: int
    refresh_s: int
    app_port: int
    oidc_port: int
    notify_every_s: int  # the app's reminder pass runs this often (in one replica at a time); 0: never
    checks_per_hour: int = 100  # "check an identifier": at most this many per person per hour
    deconfliction_window_h: float = 12  # two packages conflict when their H-hours +/- this overlap
    deconfliction_distance_m: float = 100  # ... and they lie this close (or share an address)
    board_refresh_s: float = 1  # how often the action-day board checks the audit head

    @property
    def demo_issuer(self) -> str:
        """The issuer of the local OpenID provider that `make run` and the tests start."""
        return f"http://127.0.0.1:{self.oidc_port}"


def load() -> Settings:
    return Settings(
        database_url=os.environ.get("COORD_DATABASE_URL") or DEFAULT_DATABASE_URL,
        idle_timeout_s=int(os.environ.get("COORD_IDLE_TIMEOUT_S", 30 * 60)),
        absolute_lifetime_s=int(os.environ.get("COORD_ABSOLUTE_LIFETIME_S", 12 * 3600)),
        refresh_s=int(os.environ.get("COORD_REFRESH_S", 10)),
        app_port=int(os.environ.get("COORD_APP_PORT", 8501)),
        oidc_port=int(os.environ.get("COORD_OIDC_PORT", 9400)),
        checks_per_hour=int(os.environ.get("COORD_CHECKS_PER_HOUR", 100)),
        notify_every_s=int(os.environ.get("COORD_NOTIFY_EVERY_S", 60)),
        deconfliction_window_h=float(os.environ.get("COORD_DECONFLICTION_WINDOW_H", 12)),
        deconfliction_distance_m=float(os.environ.get("COORD_DECONFLICTION_DISTANCE_M", 100)),
        board_refresh_s=float(os.environ.get("COORD_BOARD_REFRESH_S", 1)),
    )
