"""Request hygiene in front of every route: body cap, host and origin checks, headers.

One plain ASGI middleware, outermost, so that it sees the request before anything reads it:

- a body larger than :data:`MAX_BODY` is refused with 413 — at once when ``Content-Length``
  says so, else as soon as the streamed bytes pass the cap (nothing past it is read);
- a ``Host`` header that is not the loopback the server is bound to is refused (a web page
  cannot reach the app through DNS rebinding);
- a state-changing request from another origin is refused (a web page cannot post a scenario
  or start runs in the background: cross-site request forgery);
- every response gets a Content-Security-Policy that allows nothing but the app itself, so a
  page of the app cannot fetch anything from the network even by mistake.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Template
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException

MAX_BODY = 2 * 1024 * 1024
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    # not no-referrer: with it Chromium sends "Origin: null" even on same-origin form posts
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


def too_large_message(limit: int = MAX_BODY) -> str:
    return (
        f"the request is larger than {limit // (1024 * 1024)} MB, the most this app accepts; "
        "a scenario file is usually well under 1 MB"
    )


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when the streamed body passes the cap.

    An HTTPException, so that FastAPI's body parsing lets it through (it turns any other
    exception into a generic 400) and the app's handler renders it like every other error.
    """

    def __init__(self, limit: int = MAX_BODY):
        super().__init__(status_code=413, detail=too_large_message(limit))


# RFC 9110 §7.2 / RFC 3986 §3.2.2: a Host header is a name or an address, then an optional
# port; nothing else (no user info such as "127.0.0.1:8765@evil.example", no path)
_HOST = re.compile(r"(?:\[(?P<v6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9.\-]+))(?::(?P<port>[0-9]{1,5}))?")


def _host_name(host_header: str) -> str | None:
    """The host of a Host header, or None when the header is not a well-formed host[:port]."""
    m = _HOST.fullmatch(host_header.strip().lower())
    if m is None:
        return None
    return m.group("v6") or m.group("name")


class Guard:
    """The middleware (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        max_body: int = MAX_BODY,
        allowed_hosts: Sequence[str] | None = LOOPBACK_HOSTS,
    ):
        self.app = app
        self.max_body = max_body
        self.allowed_hosts = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}

    async def _refuse(self, scope: Scope, send: Send, status: int, message: str) -> None:
        path = str(scope.get("path", ""))
        if path.startswith("/api/"):
            body = json.dumps({"error": message, "problems": []}).encode()
            ctype = b"application/json"
        else:
            body = error_page(status, message).encode()
            ctype = b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", ctype),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                    *SECURITY_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if self.allowed_hosts is not None and _host_name(host) not in self.allowed_hosts:
            await self._refuse(
                scope,
                send,
                400,
                f"unexpected Host header {host[:100]!r}: open the app by the "
                "address `ceasefire serve` printed",
            )
            return
        if scope.get("method") not in ("GET", "HEAD", "OPTIONS"):
            origin = headers.get("origin")
            site = headers.get("sec-fetch-site")
            if (origin and urlsplit(origin).netloc.lower() != host.lower()) or site == "cross-site":
                await self._refuse(scope, send, 403, "a request from another web site was refused")
                return
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await self._refuse(scope, send, 413, too_large_message(self.max_body))
            return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            # only when no handler turned it into a response on the way out
            if not started:
                await self._refuse(scope, send, 413, too_large_message(self.max_body))


@lru_cache(maxsize=1)
def _error_template() -> Template:
    from ceasefire.web.routes.deps import templates

    return templates().env.get_template("error.html")


def error_page(status: int, message: str) -> str:
    """The app's own error page (its style, its header), rendered without a request."""
    return _error_template().render(status=status, message=message, lines=())
