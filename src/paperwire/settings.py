"""All configuration in one typed object, read from ``PAPERWIRE_*`` environment variables.

A ``.env`` file in the working directory (``make run`` writes one holding
``PAPERWIRE_ENV=development``) supplies values the environment does not set; environment
variables always win over it. ``PAPERWIRE_DOTENV`` names another file, or is empty to
read none (the test suite sets it empty, so a stray ``.env`` changes nothing).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from paperwire.limits import MAX_RECORD_BYTES

DEFAULT_DATABASE_URL = "sqlite:///data/paperwire.db"
DOTENV_VARIABLE = "PAPERWIRE_DOTENV"


def dotenv_file() -> str | None:
    """The file settings read besides the environment: ``.env`` unless PAPERWIRE_DOTENV says."""
    return os.environ.get(DOTENV_VARIABLE, ".env") or None


class Settings(BaseSettings):
    """paperwire's settings. Every field is backed by ``PAPERWIRE_<FIELD NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="PAPERWIRE_", extra="ignore", env_file=dotenv_file(), env_file_encoding="utf-8"
    )

    env: Literal["development", "production", "test"] = Field(
        "production", description="development generates a local secret; production needs one."
    )
    database_url: str = Field(DEFAULT_DATABASE_URL, description="SQLAlchemy URL of the store.")
    data_dir: Path = Field(Path("data"), description="Index files, dev mail, dev secret.")
    embedding_model: str = Field(
        "all-MiniLM-L6-v2", description="sentence-transformers model name or path."
    )
    ingest_batch_size: int = Field(
        1000, ge=1, le=100_000, description="Records per ingest transaction."
    )
    ingest_max_record_bytes: int = Field(
        MAX_RECORD_BYTES,
        ge=1024,
        description="Bytes one input record may take (a line; an XML record); 16 times "
        "this for a file read whole. Larger ones are skipped and reported.",
    )
    embedding_batch_size: int = Field(
        256, ge=1, le=10_000, description="Papers embedded and saved per transaction."
    )
    embed_on_ingest: bool = Field(
        True, description="Ingest embeds new papers (the CLI's --embed/--no-embed overrides)."
    )
    search_vector_weight: float = Field(
        0.4,
        ge=0.0,
        le=1.0,
        description="Weight of meaning vs keywords in hybrid ranking (tuned on SciFact train).",
    )
    embedding_backend: Literal["onnx-int8", "torch"] = Field(
        "onnx-int8",
        description="onnx-int8: an int8 ONNX export of the default model, made once under "
        "the data dir (fastest, docs/embedding.md); torch: sentence-transformers, any model.",
    )
    model_dir: Path | None = Field(
        None,
        description="Where derived model files (the int8 export) live; default DATA_DIR/models.",
    )
    embedding_max_tokens: int = Field(
        128,
        ge=16,
        le=512,
        description="Tokens of each paper the model reads: 128 halves embedding time at "
        "the same hybrid quality as 256 (docs/embedding.md).",
    )
    search_keyword_budget: int = Field(
        5_000,
        ge=1,
        description="Papers the words a query is ranked by may match in all: the "
        "rarest words first, the commonest left to the meaning side; see docs/search.md.",
    )
    search_hnsw_threshold: int = Field(
        50_000, ge=1, description="Vectors past which search uses the HNSW index, not exact."
    )
    # Web (paperwire.web)
    base_url: str = Field(
        "http://127.0.0.1:8000", description="Public URL of the web app (links in mail, feeds)."
    )
    secret_key: str | None = Field(
        None, description="Signs sessions and CSRF tokens; required outside development."
    )
    trusted_proxies: str = Field(
        "", description="Comma-separated proxy addresses/CIDRs whose X-Forwarded-For is trusted."
    )
    search_rate_per_minute: int = Field(60, ge=1, description="Searches per client per minute.")
    api_rate_per_minute: int = Field(600, ge=1, description="API requests per client per minute.")
    login_rate_per_hour: int = Field(20, ge=1, description="Sign-in requests per client per hour.")
    trending_refresh_seconds: float = Field(
        60.0, gt=0, description="How often `paperwire serve` recomputes trending scores."
    )
    view_network_cap: int = Field(
        3,
        ge=1,
        description="Anonymous views counted per network (IPv4 /24, IPv6 /64), paper and UTC day.",
    )
    view_rate_per_minute: int = Field(
        30, ge=1, description="View requests per network (IPv4 /24, IPv6 /64) per minute."
    )
    # Accounts and mail (paperwire.accounts, paperwire.mail)
    login_token_minutes: int = Field(15, ge=1, le=24 * 60, description="Sign-in link lifetime.")
    login_requests_per_address: int = Field(
        5, ge=1, description="Sign-in links one address may ask for per hour."
    )
    smtp_host: str | None = Field(None, description="SMTP server; unset writes mail to files.")
    smtp_port: int | None = Field(
        None, ge=1, le=65535, description="Default 465 for tls, 587 for starttls, else 25."
    )
    smtp_user: str | None = Field(None, description="SMTP login user (optional).")
    smtp_password: SecretStr | None = Field(None, description="SMTP login password.")
    smtp_tls: Literal["none", "starttls", "tls"] = Field(
        "starttls", description="none, starttls (upgrade after connecting) or tls (from start)."
    )
    mail_from: str = Field("paperwire <paperwire@localhost>", description="From: of sent mail.")
    # Digests (paperwire.digest)
    digest_skip_empty: bool = Field(
        True, description="Skip a digest with nothing new; false sends a short one anyway."
    )
    digest_papers_per_section: int = Field(
        5, ge=1, le=50, description="Papers in each section of a digest."
    )
    digest_topic_threshold: float = Field(
        0.575,
        ge=0.0,
        le=1.0,
        description="Relevance a new paper needs to appear under a topic (tuned on SciFact).",
    )
    digest_topic_vector_weight: float = Field(
        0.6, ge=0.0, le=1.0, description="Weight of meaning vs words in topic relevance."
    )
    digest_lease_minutes: int = Field(
        10, ge=1, description="A digest still in flight after this long is marked for review."
    )
    digest_max_attempts: int = Field(
        5, ge=1, le=20, description="Tries per digest on temporary SMTP failures (with backoff)."
    )
    bounce_limit: int = Field(
        3, ge=1, description="Permanent failures in a row after which an address gets no more."
    )
    send_rate: float = Field(
        10.0, gt=0, description="Messages per second each worker sends at most."
    )
    unsubscribe_mailto: str | None = Field(
        None, description="Address for List-Unsubscribe mailto: (only the URL when unset)."
    )
    confirm_hours: int = Field(
        72, ge=1, le=24 * 30, description="How long a subscription's confirmation link works."
    )
    subscribe_rate_per_hour: int = Field(
        10, ge=1, description="Subscribe requests per client per hour."
    )
    # Harvest (paperwire.harvest)
    arxiv_oai_url: str = Field(
        "https://oaipmh.arxiv.org/oai", description="arXiv OAI-PMH endpoint (or a mirror)."
    )
    arxiv_api_url: str = Field(
        "https://export.arxiv.org/api/query", description="arXiv API (Atom) endpoint."
    )
    hf_api_url: str = Field(
        "https://huggingface.co/api/daily_papers", description="Hugging Face daily-papers API."
    )
    arxiv_delay_seconds: float = Field(
        3.0, ge=0, description="Seconds between requests to a host; never below 3 for arXiv."
    )
    contact_email: str | None = Field(
        None, description="Contact address in the User-Agent (arXiv requires one)."
    )
    follow: str = Field(
        "", description="Followed sources, comma-separated: arxiv:cs:cs:LG, arxiv:cs.CL, hf-daily."
    )

    @property
    def models_path(self) -> Path:
        return self.model_dir or self.data_dir / "models"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
