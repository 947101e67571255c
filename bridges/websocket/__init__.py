"""The WebSocket (Socket.IO) bridge and its dashboard UI.

``server.build_websocket_app`` builds the aiohttp app; ``service.websocket_bridge`` is the ``Bridge`` that
runs it with its own catalog, requester and prediction feed.
"""
