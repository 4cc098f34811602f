"""A signed session cookie and the ASGI middleware that loads it and writes it back.

The session holds at most: the signed-in user's id, the CSRF token and the random
visitor id used to count views. It is signed (not encrypted) with the secret key.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperwire.web.security import new_token

COOKIE_NAME = "pw_session"
MAX_AGE_SECONDS = 30 * 24 * 3600
NO_STORE = "private, no-store"
# Addresses that carry a personal token (sign-in, confirmation, unsubscribe and archive
# links) or show the signed-in reader's own pages: personal whoever asks.
PERSONAL_PATHS = ("/account", "/login/", "/subscribe/confirm/", "/u/", "/digests/")


class Session(dict[str, Any]):
    """The session data; ``modified`` says whether the cookie must be sent again,
    ``token_shown`` whether the response carries the CSRF token."""

    modified: bool = False
    token_shown: bool = False

    def set(self, key: str, value: Any) -> None:
        if self.get(key) != value:
            self[key] = value
            self.modified = True

    def drop(self, key: str) -> None:
        if key in self:
            del self[key]
            self.modified = True

    def csrf_token(self) -> str:
        token = self.get("csrf")
        if not token:
            token = new_token()
            self.set("csrf", token)
        self.token_shown = True
        return str(token)


def is_personal(scope: Scope, session: Session) -> bool:
    """Whether a response is for this visitor only, so that no cache may keep it.

    It is when it sets the cookie, carries the session's CSRF token, was made for a
    signed-in reader (``auth.current_user`` leaves the user in ``request.state``) or
    answers a personal address.
    """
    return (
        session.modified
        or session.token_shown
        or scope.get("state", {}).get("user") is not None
        or str(scope["path"]).startswith(PERSONAL_PATHS)
    )


class SessionMiddleware:
    """Loads the session into ``request.state.session``; writes it back when modified."""

    def __init__(self, app: ASGIApp, *, secret_key: str, secure: bool) -> None:
        self.app = app
        self.serializer = URLSafeTimedSerializer(secret_key, salt="paperwire.session")
        self.secure = secure

    def load(self, scope: Scope) -> Session:
        session = Session()
        for name, value in scope.get("headers", ()):
            if name != b"cookie":
                continue
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header is the client's problem
                continue
            morsel = cookie.get(COOKIE_NAME)
            if morsel is None:
                continue
            try:
                data = self.serializer.loads(morsel.value, max_age=MAX_AGE_SECONDS)
            except BadSignature:
                continue
            if isinstance(data, dict):
                session.update(data)
        return session

    def cookie_header(self, session: Session) -> str:
        value = self.serializer.dumps(dict(session))
        attributes = [
            f"{COOKIE_NAME}={value}",
            "Path=/",
            f"Max-Age={MAX_AGE_SECONDS}",
            "HttpOnly",
            "SameSite=Lax",
        ]
        if self.secure:
            attributes.append("Secure")
        return "; ".join(attributes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = self.load(scope)
        scope.setdefault("state", {})["session"] = session

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if session.modified:
                    headers.append("set-cookie", self.cookie_header(session))
                if is_personal(scope, session):
                    headers["cache-control"] = NO_STORE
            await send(message)

        await self.app(scope, receive, send_with_headers)
