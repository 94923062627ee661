"""Keep-alive HTTP connections to one server: one per thread, all closed at once.

Shared by the mock's proxy (to its upstream) and the suite's client (to its target). Each
thread reuses its own connection while the socket stays open; a connection the caller
gives up on is dropped; :meth:`KeepAlive.close` closes every thread's.

A connection keeps its socket in ``kept_sock`` after ``http.client`` lets go of it: for an
answer that closes the connection (``Connection: close``, HTTP/1.0), ``getresponse()``
sets ``sock`` to ``None`` and the response reads on alone, so a deadline that looked only
at ``sock`` could no longer stop a body trickled after its head
(:class:`~usage_contract_kit.deadlines.Deadlines` shuts ``kept_sock`` down).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading

__all__ = ["KeepAlive"]


class _KeepsSocket:
    """``http.client`` drops ``sock`` when a response will close the connection; keep it."""

    kept_sock: socket.socket | None = None

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.kept_sock = self.sock  # type: ignore[attr-defined]


class _Connection(_KeepsSocket, http.client.HTTPConnection):
    pass


class _TLSConnection(_KeepsSocket, http.client.HTTPSConnection):
    pass


class KeepAlive:
    def __init__(self, host: str, port: int, tls: ssl.SSLContext | None) -> None:
        self._host = host
        self._port = port
        self._tls = tls
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[http.client.HTTPConnection] = []

    def get(self, timeout: float) -> tuple[http.client.HTTPConnection, bool]:
        """This thread's connection with each read bounded by ``timeout``, and whether it is reused."""
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is not None and connection.sock is not None:
            connection.sock.settimeout(timeout)
            connection.timeout = timeout
            return connection, True
        if self._tls is not None:
            connection = _TLSConnection(self._host, self._port, timeout=timeout, context=self._tls)
        else:
            connection = _Connection(self._host, self._port, timeout=timeout)
        self._local.connection = connection
        with self._lock:
            self._connections.append(connection)
        return connection, False

    def drop(self, connection: http.client.HTTPConnection) -> None:
        """Close ``connection``; this thread's next exchange opens a new one."""
        connection.close()
        if getattr(self._local, "connection", None) is connection:
            self._local.connection = None
        with self._lock:
            if connection in self._connections:
                self._connections.remove(connection)

    def close(self) -> None:
        """Close the connections of every thread."""
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
