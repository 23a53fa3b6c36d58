"""The SIP2 server: asyncio on one TCP port, loopback by default, TLS when given a
certificate. Each machine's connection has a worker thread of its own, where its
session opens its own desk (its own SQLite connection) and makes its facade calls
one after another; the event loop only moves bytes. A stop (SIGTERM, Ctrl+C) lets
every reply under way be sent, then closes the connections.

The machines take turns (one lock) for their transactions: SQLite lets one writer in
at a time anyway, and a writer that finds the file busy sleeps in steps of up to
100 ms, which is what a p99 would be made of; in turn, they wait only for each other.
Checking a password or PIN against its slow hash is done outside the turns, so one
patron's PIN never holds up the other machines (the hash lets other threads run).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import ssl
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..clock import Clock, system_clock
from ..desk import Desk
from .acs import Session
from .codec import MAX_FRAME

log = logging.getLogger("tiski.sip2")

STOP_WAIT_SECONDS = 10.0  # for the replies under way when the server is stopped


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context


def next_frame(buffer: bytearray) -> bytes | None:
    """Take the first whole frame off `buffer` (ended by CR, LF or CRLF), or None."""
    ends = [at for at in (buffer.find(b"\r"), buffer.find(b"\n")) if at >= 0]
    if not ends:
        return None
    end = min(ends)
    frame = bytes(buffer[:end])
    del buffer[:end + 1]
    return frame


@dataclass(eq=False)
class _Connection:
    task: asyncio.Task[None]
    busy: bool = False
    peer: str = ""


@dataclass
class Sip2Server:
    db: Path
    host: str = "127.0.0.1"
    port: int = 6001
    clock: Clock = system_clock
    ssl_context: ssl.SSLContext | None = None
    _server: asyncio.Server | None = field(default=None, init=False)
    _connections: set[_Connection] = field(default_factory=set, init=False)
    _stopping: bool = field(default=False, init=False)
    _turns: threading.Lock = field(default_factory=threading.Lock, init=False)

    def open_desk(self, branch: str | None, staff: str | None) -> Desk:
        return Desk.open(self.db, clock=self.clock, branch=branch, staff=staff)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port, ssl=self.ssl_context,
                                                  limit=MAX_FRAME)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop taking connections; let the replies under way go out; close the rest."""
        self._stopping = True
        if self._server is not None:
            self._server.close()
        for connection in list(self._connections):
            if not connection.busy:
                connection.task.cancel()
        tasks = [connection.task for connection in self._connections]
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_WAIT_SECONDS)
        if self._server is not None:
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        peer = writer.get_extra_info("peername")
        connection = _Connection(task, peer=f"{peer[0]}:{peer[1]}" if peer else "?")
        self._connections.add(connection)
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sip2")
        session = Session(self.open_desk, self.clock, self._turns)
        loop = asyncio.get_running_loop()
        buffer = bytearray()
        log.info("sip2 connection from %s", connection.peer)
        try:
            while not self._stopping:
                chunk = await reader.read(4096)
                if not chunk:
                    break
                buffer += chunk
                while not self._stopping:
                    frame = next_frame(buffer)
                    if frame is None:
                        break
                    if not frame:
                        continue  # the LF of a CRLF, or an empty line
                    connection.busy = True
                    reply = await loop.run_in_executor(executor, session.handle, frame)
                    writer.write(reply)
                    await writer.drain()
                    connection.busy = False
                if len(buffer) > MAX_FRAME:
                    log.warning("sip2 %s: a line longer than %d bytes, closing", connection.peer, MAX_FRAME)
                    break
        except (asyncio.CancelledError, ConnectionError, ssl.SSLError):
            pass
        finally:
            self._connections.discard(connection)
            executor.shutdown(wait=False)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            log.info("sip2 connection from %s closed", connection.peer)


async def serve(server: Sip2Server, announce: Callable[[str], None]) -> None:
    """Serve until SIGTERM or SIGINT, then stop gracefully."""
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    announce(f"{server.host}:{server.port}")
    await stop.wait()
    await server.stop()
