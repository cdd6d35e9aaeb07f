"""Slack's Socket Mode endpoint, as little of it as `changebot run` needs to stay connected.

It accepts the WebSocket handshake, says hello as Slack does, answers pings
and closes when asked. It sends no envelopes: tests/e2e/test_socket_mode.py
drives those in-process. Plain `ws://` on loopback (slack_sdk's client uses a
plain socket for any port but 443).
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
from types import TracebackType

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_TEXT, _CLOSE, _PING, _PONG = 0x1, 0x8, 0x9, 0xA


class SocketEndpoint:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        self.handshakes = 0
        threading.Thread(target=self._accept, name="socket-endpoint", daemon=True).start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link"

    def __enter__(self) -> SocketEndpoint:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._listener.close()
        with self._lock:
            for connection in self._connections:
                connection.close()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections.append(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        try:
            self._handshake(connection)
            while (frame := _read_frame(connection)) is not None:
                opcode, payload = frame
                if opcode == _PING:
                    _send(connection, _PONG, payload)
                elif opcode == _CLOSE:
                    _send(connection, _CLOSE, payload)
                    return
        except OSError:
            return
        finally:
            connection.close()

    def _handshake(self, connection: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = connection.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            request += chunk
        headers = dict(
            line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line
        )
        key = {name.lower(): value for name, value in headers.items()}["sec-websocket-key"]
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()  # noqa: S324
        connection.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0TEST"}}
        _send(connection, _TEXT, json.dumps(hello).encode())
        with self._lock:
            self.handshakes += 1


def _read_exactly(connection: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _read_frame(connection: socket.socket) -> tuple[int, bytes] | None:
    head = _read_exactly(connection, 2)
    if head is None:
        return None
    opcode, length = head[0] & 0x0F, head[1] & 0x7F
    if length >= 126:
        extended = _read_exactly(connection, 2 if length == 126 else 8) or b""
        length = int.from_bytes(extended, "big")
    mask = _read_exactly(connection, 4) if head[1] & 0x80 else b"\0\0\0\0"
    payload = _read_exactly(connection, length) if length else b""
    if mask is None or payload is None:
        return None
    return opcode, bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))


def _send(connection: socket.socket, opcode: int, payload: bytes) -> None:
    if len(payload) < 126:
        head = struct.pack("!BB", 0x80 | opcode, len(payload))
    else:
        head = struct.pack("!BBH", 0x80 | opcode, 126, len(payload))
    connection.sendall(head + payload)
