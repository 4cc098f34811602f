"""Security headers on every response, a 500 from an unhandled error included.

This middleware wraps the whole application, outside Starlette's
``ServerErrorMiddleware`` (see ``app.PaperwireApp``), so that no response escapes it.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperwire.web.security import CONTENT_SECURITY_POLICY, SECURITY_HEADERS

HSTS = "max-age=31536000"


class SecurityHeadersMiddleware:
    """Adds the security headers (and HSTS when served over HTTPS) unless already set."""

    def __init__(self, app: ASGIApp, *, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers.setdefault(name.decode(), value.decode())
                headers.setdefault("content-security-policy", CONTENT_SECURITY_POLICY)
                if self.secure:
                    headers.setdefault("strict-transport-security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
