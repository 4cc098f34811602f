"""A real local HTTP server replaying recorded responses, and a clock tests control."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

HARVEST_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "harvest"
OAI_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "oai"


class FakeClock:
    """Time that moves only when someone sleeps: pacing is tested without waiting."""

    def __init__(self, start: datetime = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)) -> None:
        self.now = start
        self.lock = threading.Lock()
        self.sleeps: list[float] = []

    def __call__(self) -> datetime:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.sleeps.append(seconds)
            self.now += timedelta(seconds=seconds)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    """One request as the server saw it: when (by the test's clock), path, arguments."""

    at: datetime
    path: str
    params: dict[str, str]
    user_agent: str


Responder = Callable[[dict[str, str]], Reply]


class ReplayServer:
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.requests: list[Seen] = []
        self.respond: Responder = lambda params: Reply(404, b"no responder")
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = dict(parse_qsl(parts.query))
                server.requests.append(
                    Seen(server.clock(), parts.path, params, self.headers.get("User-Agent", ""))
                )
                reply = server.respond(params)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
