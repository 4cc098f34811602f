"""Refuse request bodies over a size limit before anything reads them.

Starlette parses a url-encoded form whole before FastAPI checks each field's
``max_length``, so without this a stranger could make a process hold any amount of
memory with one POST. Every form paperwire serves fits in a few kilobytes.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 256 * 1024


class BodyTooLarge(Exception):
    """The body grew past the limit while it was being read."""


class BodyLimitMiddleware:
    """413 for a body whose Content-Length, or whose bytes as they arrive, pass the limit."""

    def __init__(self, app: ASGIApp, *, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        overflowed = False
        answered = False

        async def counting_receive() -> Message:
            nonlocal received, overflowed
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    overflowed = True
                    raise BodyTooLarge
            return message

        async def answering_send(message: Message) -> None:
            # Whatever the app answers to a body it could not finish reading (FastAPI
            # turns the error into a 400), the client learns the real reason.
            nonlocal answered
            if not overflowed:
                answered = True
                await send(message)
            elif not answered:
                answered = True
                await self._refuse(send)

        try:
            await self.app(scope, counting_receive, answering_send)
        except BodyTooLarge:
            if not answered:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = f"The request body is too large: at most {self.max_bytes} bytes.".encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
