"""A loopback TCP proxy for the fault tests: stands between this test process and one real service
(Solr, PostgreSQL) so that a test can make that service vanish for itself alone — the services
are shared by everyone's tests on the machine and are never stopped.

``cut()`` closes the listening socket and every open connection, so that new connections are
refused and open ones are reset, as when the service's process dies; ``restore()`` listens again
on the same port. ``cut_on`` cuts by itself when a client sends a request containing the given
bytes for the n-th time (before forwarding it), to cut in the middle of a longer operation.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading


class Proxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = _free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._trigger: tuple[bytes, int] | None = None
        self._seen = 0
        self.cut_happened = threading.Event()
        self.restore()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def cut_on(self, marker: bytes, nth: int) -> None:
        """Cut when the ``nth`` client request containing ``marker`` arrives (not forwarded)."""
        with self._lock:
            self._trigger, self._seen = (marker, nth), 0
            self.cut_happened.clear()

    def restore(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        with self._lock:
            self._listener = listener
            self._trigger = None
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for s in sockets:
            with contextlib.suppress(OSError):
                # RST rather than FIN: the client sees the connection reset, as on a crash
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
        self.cut_happened.set()

    def close(self) -> None:
        self.cut()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    client.close()
                    upstream.close()
                    return
                self._sockets |= {client, upstream}
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        peers = {client: upstream, upstream: client}
        try:
            while True:
                readable, _, _ = select.select(list(peers), [], [], 1.0)
                for s in readable:
                    data = s.recv(65536)
                    if not data:
                        return
                    if s is client and self._triggered(data):
                        self.cut()
                        return
                    peers[s].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            with self._lock:
                self._sockets -= {client, upstream}
            for s in (client, upstream):
                with contextlib.suppress(OSError):
                    s.close()

    def _triggered(self, data: bytes) -> bool:
        with self._lock:
            if self._trigger is None or self._trigger[0] not in data:
                return False
            self._seen += 1
            return self._seen >= self._trigger[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
