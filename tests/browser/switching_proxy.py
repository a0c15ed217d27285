"""A TCP proxy standing in for a sticky load balancer in front of two app replicas: each new
connection goes to the backend currently chosen, so a page reload can move to the other replica
while the browser keeps one origin (Streamlit ties its identity cookie to that origin)."""

from __future__ import annotations

import asyncio
import threading


class SwitchingProxy:
    def __init__(self, port: int, backends: list[int]):
        self.port, self.backends = port, backends
        self.current = 0
        self.connections = [0] * len(backends)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def use(self, index: int) -> None:
        self.current = index

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port))
        self._ready.set()
        self._loop.run_forever()
        server.close()

    async def _handle(self, client_reader, client_writer) -> None:
        index = self.current
        self.connections[index] += 1
        try:
            backend_reader, backend_writer = await asyncio.open_connection("127.0.0.1", self.backends[index])
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(self._pipe(client_reader, backend_writer), self._pipe(backend_reader, client_writer))

    @staticmethod
    async def _pipe(reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    def close(self) -> None:
        """Stop, first ending the connections a browser still holds open (a session-scoped browser
        can outlive a stack), so that no pipe is left to a closed event loop."""
        async def end_connections() -> None:
            pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(end_connections(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
