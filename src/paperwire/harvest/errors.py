"""What a harvest can fail with, worded for the operator."""

from __future__ import annotations


class HarvestError(Exception):
    """A harvest stopped; the message says what happened and where."""


class OaiError(HarvestError):
    """The OAI-PMH server answered with an ``<error code=...>`` element."""

    def __init__(self, code: str, message: str | None) -> None:
        super().__init__(f"OAI-PMH error {code}: {message or '(no message)'}")
        self.code = code
