"""Live pushes of one WebSocket bridge: clients subscribe to a model's room and get its predictions.

A model's outputs topic is read only while some client follows it (``PredictionFeed.follow``); each of
its predictions, from any producer, goes to every subscriber through that client's bounded buffer
(``Fanout``), so a slow client never stalls the feed or the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import socketio

from bridges.feed import PredictionFeed
from bridges.websocket.fanout import Fanout
from bridges.websocket.metrics import WebSocketMetrics

NAMESPACE = "/"
BAD_SUBSCRIPTION = {
    "ok": False,
    "type": "DESERIALIZATION_ERROR",
    "message": "Expected {model_qualified_name}.",
}
Check = Callable[[str], "dict[str, Any] | None"]  # the refusal for a model name, or None when it exists


def room_for(qualified_name: str) -> str:
    return f"model:{qualified_name}"


def subscription_model(args: tuple[Any, ...]) -> str | None:
    data = args[0] if len(args) == 1 else None
    if isinstance(data, dict):
        data = data.get("model_qualified_name")
    return data if isinstance(data, str) and data else None


class LiveSubscriptions:
    def __init__(
        self,
        feed: PredictionFeed,
        sio: socketio.AsyncServer,
        metrics: WebSocketMetrics,
        buffer_size: int,
        check: Check,
        timeout: float,
    ) -> None:
        self.feed = feed
        self.sio = sio
        self.fanout = Fanout(self._send_when_drained, buffer_size, metrics.count_drop, metrics.count_sent)
        self._check = check
        self._timeout = timeout
        self._subscriptions: dict[str, set[str]] = {}  # sid -> models
        self._open = False

    def open(self) -> None:
        self._open = True

    async def close(self) -> None:
        self._open = False
        await self.fanout.close()

    def add_client(self, sid: str) -> None:
        self.fanout.add_client(sid)

    async def remove_client(self, sid: str) -> None:
        for model in self._subscriptions.pop(sid, set()):
            self.feed.unfollow(model)
        await self.fanout.remove_client(sid)

    async def on_subscribe(self, sid: str, *args: Any) -> dict[str, Any]:
        name = subscription_model(args)
        if name is None:
            return dict(BAD_SUBSCRIPTION)
        refusal = self._check(name)
        if refusal is not None:
            return refusal
        models = self._subscriptions.setdefault(sid, set())
        if name not in models:
            models.add(name)
            self.feed.follow(name)
            await self.sio.enter_room(sid, room_for(name))
            if not await self.feed.wait_following(name, self._timeout):
                return {"ok": False, "type": "TIMEOUT", "message": f"Not following {name} yet; try again."}
        return {"ok": True, "model_qualified_name": name}

    async def on_unsubscribe(self, sid: str, *args: Any) -> dict[str, Any]:
        name = subscription_model(args)
        if name is None:
            return dict(BAD_SUBSCRIPTION)
        if name in self._subscriptions.get(sid, set()):
            self._subscriptions[sid].discard(name)
            self.feed.unfollow(name)
            await self.sio.leave_room(sid, room_for(name))
        return {"ok": True, "model_qualified_name": name}

    def on_prediction(self, qualified_name: str, output: dict[str, Any], meta: dict[str, Any]) -> None:
        """``PredictionFeed`` listener: queue a ``prediction`` event for every subscriber of the model."""
        if not self._open:
            return
        sids = [sid for sid, _ in self.sio.manager.get_participants(NAMESPACE, room_for(qualified_name))]
        if sids:
            payload: dict[str, Any] = {"model_qualified_name": qualified_name, "prediction": output}
            payload.update(
                correlation_id=meta.get("correlation_id"),
                key=meta.get("key"),
                timestamp=meta.get("timestamp"),
            )
            self.fanout.publish(sids, qualified_name, "prediction", payload)

    async def _send_when_drained(self, sid: str, event: str, payload: dict[str, Any]) -> None:
        """Emit once the client's Engine.IO queue is empty, so backlog stays in the bounded buffer."""
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, NAMESPACE)
        socket = self.sio.eio.sockets.get(eio_sid) if eio_sid is not None else None
        queue = getattr(socket, "queue", None)
        if queue is not None:
            await queue.join()
        await self.sio.emit(event, payload, to=sid)
