"""What the services tests share besides fixtures: the SMTP inbox and settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from paperwire.settings import Settings

SECRET = "services-test-secret-key-long-enough-0123456789"


@dataclass
class Inbox:
    """Keeps what it accepts; ``refuse`` answers DATA for these recipients with a 550."""

    received: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if set(envelope.rcpt_tos) & self.refuse:
            return "550 no such mailbox"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(message)  # type: ignore[arg-type]
        return "250 OK"


def services_settings(folder: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "database_url": f"sqlite:///{folder}/paperwire.db",
        "data_dir": folder,
        "secret_key": SECRET,
        "base_url": "https://papers.example.org/base/",
        "mail_from": "paperwire <digest@papers.example.org>",
        "smtp_tls": "none",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
