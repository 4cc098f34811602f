"""The one HTTP client every harvester uses: paced, identified, patient.

Each attempt (retries included) waits for the host's slot in the store, sends one
request over a fresh connection, and releases the slot with the earliest next start, so
there is never more than one connection to a host at a time across the installation.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from paperwire import __version__
from paperwire.harvest.backoff import MAX_ATTEMPTS, RETRY_STATUSES, parse_retry_after, retry_delay
from paperwire.harvest.errors import HarvestError
from paperwire.harvest.pacing import Clock, Pacer, Sleep, effective_delay, is_arxiv_host, pacing_key
from paperwire.store.base import Store

TIMEOUT_SECONDS = 90.0
# An OAI-PMH page of arXiv is a few megabytes; a reply past this is refused, counted
# after decompression, so neither a wrong URL nor a gzip bomb can fill the memory.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024


def utc_now() -> datetime:
    return datetime.now(UTC)


def user_agent(contact_email: str | None) -> str:
    """Who is asking and how to reach them, as arXiv asks of every harvester."""
    contact = f"; mailto:{contact_email}" if contact_email else ""
    return f"paperwire/{__version__} (self-hosted paper tracker{contact})"


@dataclass(frozen=True, slots=True)
class Response:
    url: str
    status: int
    body: bytes
    date: datetime


class PoliteClient:
    """GET with store-coordinated pacing, a descriptive User-Agent and retries."""

    def __init__(
        self,
        store: Store,
        *,
        delay_seconds: float = 3.0,
        contact_email: str | None = None,
        clock: Clock = utc_now,
        sleep: Sleep = time.sleep,
        max_attempts: int = MAX_ATTEMPTS,
        timeout: float = TIMEOUT_SECONDS,
        on_retry: Callable[[str, float], None] | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.max_response_bytes = max_response_bytes
        self.delay_seconds = delay_seconds
        self.contact_email = contact_email
        self.clock = clock
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.pacer = Pacer(store, clock, sleep)
        self.on_retry = on_retry
        self._http = httpx.Client(
            timeout=timeout,
            headers={"User-Agent": user_agent(contact_email)},
            follow_redirects=True,
            # One connection, never kept alive: the slot covers exactly one request.
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=0),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, params: Mapping[str, str | int] | None = None) -> Response:
        """The body of a 200 response; HarvestError once retries are spent or on a 4xx."""
        host = urlsplit(url).hostname or ""
        if is_arxiv_host(host) and not self.contact_email:
            raise HarvestError(
                "arXiv asks harvesters for a contact address: set PAPERWIRE_CONTACT_EMAIL"
            )
        delay = effective_delay(url, self.delay_seconds)
        key = pacing_key(url)
        problem = ""
        for attempt in range(1, self.max_attempts + 1):
            self.pacer.acquire(key)
            retry_after: float | None = None
            try:
                reply, body = self._fetch(url, params)
            except httpx.TransportError as error:
                problem = f"{type(error).__name__}: {error}"
            except BaseException:
                self.pacer.release(key, delay)  # interrupted: free the slot for the others
                raise
            else:
                if reply.status_code == 200:
                    self.pacer.release(key, delay)
                    return Response(str(reply.url), 200, body, self.clock())
                problem = f"HTTP {reply.status_code} from {reply.url}"
                if reply.status_code not in RETRY_STATUSES:
                    self.pacer.release(key, delay)
                    raise HarvestError(f"{problem}: {_excerpt(body)}")
                retry_after = parse_retry_after(reply.headers.get("Retry-After"), self.clock())
            wait = retry_delay(attempt, retry_after, delay)
            # The wait is part of the slot: nobody else hits a server that asked us to wait.
            self.pacer.release(key, wait)
            if attempt < self.max_attempts and self.on_retry:
                self.on_retry(problem, wait)
        raise HarvestError(f"{problem} (gave up after {self.max_attempts} attempts)")

    def _fetch(
        self, url: str, params: Mapping[str, str | int] | None
    ) -> tuple[httpx.Response, bytes]:
        """The reply and its body, read up to ``max_response_bytes``; HarvestError past it."""
        with self._http.stream("GET", url, params=params) as reply:
            declared = reply.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.max_response_bytes:
                raise self._too_large(reply)
            chunks: list[bytes] = []
            size = 0
            for chunk in reply.iter_bytes():
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise self._too_large(reply)
                chunks.append(chunk)
        return reply, b"".join(chunks)

    def _too_large(self, reply: httpx.Response) -> HarvestError:
        return HarvestError(
            f"the reply from {reply.url} is larger than {self.max_response_bytes:,} bytes; "
            "refused (is the URL right?)"
        )


def _excerpt(body: bytes, limit: int = 200) -> str:
    text = body.decode("utf-8", "replace").strip()
    return text[:limit] + ("…" if len(text) > limit else "")
