"""All configuration in one typed object, read from ``PAPERWIRE_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///data/paperwire.db"


class Settings(BaseSettings):
    """paperwire's settings. Every field is backed by ``PAPERWIRE_<FIELD NAME>``."""

    model_config = SettingsConfigDict(env_prefix="PAPERWIRE_", extra="ignore")

    env: Literal["development", "production", "test"] = Field(
        "production", description="development generates a local secret; production needs one."
    )
    database_url: str = Field(DEFAULT_DATABASE_URL, description="SQLAlchemy URL of the store.")
    data_dir: Path = Field(Path("data"), description="Index files, dev mail, dev secret.")
    embedding_model: str = Field(
        "all-MiniLM-L6-v2", description="sentence-transformers model name or path."
    )
    ingest_batch_size: int = Field(1000, ge=1, le=100_000)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
