"""Who may call a bridge, and what a browser may do with it; off unless configured.

Bearer tokens (``STREAMPROC_BRIDGE_TOKENS`` or ``..._TOKENS_FILE``) guard the REST and Socket.IO bridges:
HTTP callers send ``Authorization: Bearer <token>`` (or ``X-API-Key: <token>``), Socket.IO clients send
``auth={"token": <token>}``. Health endpoints, the API docs and the dashboard page stay open; ``/metrics``
has tokens of its own. REST takes prediction bodies only as ``application/json`` and answers CORS only for
the configured origins. The RPC bridge admits ZeroMQ CURVE clients whose public keys it holds.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import socketio
import zmq
import zmq.auth
from aiohttp import web
from pydantic import SecretStr
from zmq.auth.asyncio import AsyncioAuthenticator

from streamproc.errors import ConfigurationError
from streamproc.settings import StreamprocSettings

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
OPEN_PREFIXES = (
    "/api/health",
    "/docs",
    "/openapi",
    "/static/",
    "/socket.io/",
)  # Socket.IO: its connect handler
OPEN_PATHS = ("/", "/favicon.ico")
METRICS_PATH = "/metrics"
JSON = "application/json"
CORS_HEADERS = "Authorization, Content-Type, X-API-Key"


def _split(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _secret_list(secret: SecretStr | None) -> list[str]:
    return _split(secret.get_secret_value()) if secret is not None else []


def _token_file(path: Path | None) -> list[str]:
    if path is None:
        return []
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise ConfigurationError(f"STREAMPROC_BRIDGE_TOKENS_FILE={path} cannot be read: {exc}") from exc
    tokens = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not tokens:
        raise ConfigurationError(f"STREAMPROC_BRIDGE_TOKENS_FILE={path} holds no token")
    return tokens


class Tokens:
    """A set of bearer tokens, compared in constant time; an empty set admits everyone."""

    def __init__(self, tokens: list[str]) -> None:
        self._tokens = [token.encode() for token in tokens]

    @property
    def required(self) -> bool:
        return bool(self._tokens)

    def admits(self, presented: str | None) -> bool:
        if not self.required:
            return True
        candidate = (presented or "").encode()
        return any(hmac.compare_digest(candidate, token) for token in self._tokens)


def presented_token(headers: Any) -> str | None:
    """The token of an ``Authorization: Bearer …`` or ``X-API-Key`` header (aiohttp or WSGI-style)."""
    authorization = headers.get("Authorization") or headers.get("HTTP_AUTHORIZATION") or ""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    api_key: str | None = headers.get("X-API-Key") or headers.get("HTTP_X_API_KEY")
    return api_key


@dataclass(frozen=True)
class BridgeAccess:
    callers: Tokens
    scrapers: Tokens
    origins: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: StreamprocSettings) -> BridgeAccess:
        callers = _secret_list(settings.bridge_tokens) + _token_file(settings.bridge_tokens_file)
        return cls(
            Tokens(callers),
            Tokens(_secret_list(settings.bridge_metrics_tokens)),
            tuple(_split(settings.cors_allowed_origins)),
        )

    def tokens_for(self, path: str) -> Tokens | None:
        """The tokens a request for ``path`` needs; None for the open paths."""
        if path == METRICS_PATH:
            return self.scrapers
        if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
            return None
        return self.callers

    def middlewares(self) -> list[Any]:
        """aiohttp middlewares, outermost first: CORS, then tokens, then JSON-only prediction bodies."""
        return [self._cors, self._authenticate, _json_bodies_only]

    @web.middleware
    async def _authenticate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        tokens = self.tokens_for(request.path)
        if tokens is not None and not tokens.admits(presented_token(request.headers)):
            reason = "a valid bearer token is required (Authorization: Bearer <token>)"
            return _error(401, "UnauthorizedError", reason, {"WWW-Authenticate": 'Bearer realm="streamproc"'})
        return await handler(request)

    @web.middleware
    async def _cors(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/socket.io/"):  # python-socketio checks origins itself
            return await handler(request)
        origin = request.headers.get("Origin")
        allowed = origin is not None and origin in self.origins
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            if not allowed:
                return _error(403, "ForbiddenError", f"origin {origin} is not allowed")
            response: web.StreamResponse = web.Response(status=204)
            response.headers["Access-Control-Allow-Methods"] = "GET, POST"
            response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
            response.headers["Access-Control-Max-Age"] = "600"
        else:
            response = await handler(request)
        if allowed:
            response.headers["Access-Control-Allow-Origin"] = origin or ""
            response.headers["Vary"] = "Origin"
        return response

    def guard_socketio(self, on_connect: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        """``on_connect`` behind the token check: a refused client gets the reason in its connect error."""

        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
            token = auth.get("token") if isinstance(auth, dict) else None
            if not self.callers.admits(token or presented_token(environ)):
                raise socketio.exceptions.ConnectionRefusedError(
                    "unauthorized: a valid token is required (connect with auth={'token': ...})"
                )
            await on_connect(sid, environ, auth)

        return connect


@web.middleware
async def _json_bodies_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A POST to the API must say ``Content-Type: application/json``: a browser sends a cross-site
    ``text/plain`` body without asking first (no CORS preflight), so such a body is refused unread."""
    if request.method == "POST" and request.path.startswith("/api/") and request.content_type != JSON:
        message = f"request bodies must be {JSON}, not {request.content_type or 'unspecified'}"
        return _error(415, "UnsupportedMediaTypeError", message)
    return await handler(request)


def _error(status: int, error_type: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"type": error_type, "messages": [message]}, status=status, headers=headers)


class CurveGuard:
    """ZeroMQ CURVE for a server socket: its key pair, and a ZAP handler admitting the known client keys."""

    def __init__(self, secret_key_file: Path, clients_dir: Path) -> None:
        if not zmq.has("curve"):
            raise ConfigurationError(
                "this libzmq has no CURVE support; unset STREAMPROC_RPC_CURVE_SECRET_KEY_FILE"
            )
        if not clients_dir.is_dir():
            raise ConfigurationError(
                f"STREAMPROC_RPC_CURVE_CLIENTS_DIR={clients_dir} is not a directory of client public keys"
            )
        try:
            self.public, secret = zmq.auth.load_certificate(secret_key_file)
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"cannot read the CURVE key pair {secret_key_file}: {exc}") from exc
        if secret is None:
            raise ConfigurationError(f"{secret_key_file} holds no secret key (use the .key_secret file)")
        self._secret = secret
        self._clients_dir = clients_dir
        self._authenticator: AsyncioAuthenticator | None = None

    def secure(self, context: zmq.asyncio.Context, sock: zmq.Socket[Any]) -> None:
        """Make ``sock`` a CURVE server admitting only the known clients (call before binding)."""
        self._authenticator = AsyncioAuthenticator(context)
        self._authenticator.start()
        self._authenticator.configure_curve(domain="*", location=str(self._clients_dir))
        sock.curve_secretkey = self._secret
        sock.curve_publickey = self.public
        sock.curve_server = True

    def stop(self) -> None:
        if self._authenticator is not None:
            self._authenticator.stop()
            self._authenticator = None


def rpc_curve(settings: StreamprocSettings) -> CurveGuard | None:
    """The RPC bridge's CURVE guard, or None when CURVE is not configured."""
    if settings.rpc_curve_secret_key_file is None:
        return None
    if settings.rpc_curve_clients_dir is None:
        raise ConfigurationError(
            "STREAMPROC_RPC_CURVE_SECRET_KEY_FILE needs STREAMPROC_RPC_CURVE_CLIENTS_DIR"
        )
    return CurveGuard(settings.rpc_curve_secret_key_file, settings.rpc_curve_clients_dir)
