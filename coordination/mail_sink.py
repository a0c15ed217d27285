"""A loopback SMTP server that keeps every message it is given as a file (`data/mail/*.eml` for the
demo), so a person can read what the app would have mailed. `make run` starts it; the mail tests
send to it. Never a relay: it delivers nothing anywhere.

    python -m coordination.mail_sink --port 8025 --directory data/mail

With --port 0 it listens on a port the system chooses, and its first line says which.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller


class Keeper:
    """aiosmtpd handler: each message to a numbered file, and to `received` (for tests)."""

    def __init__(self, directory: Path | None = None):
        self.directory = directory
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        mail = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(mail)
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            (self.directory / f"{time.time_ns()}.eml").write_bytes(envelope.content)
        return "250 kept"


class _Controller(Controller):
    """aiosmtpd's, which also listens on port 0: on the port the system chose, found before its start
    connects to the server to see it answer."""

    def _trigger_server(self) -> None:
        server = self.server
        assert isinstance(server, asyncio.Server)  # started by now: aiosmtpd calls this after create_server
        self.port = server.sockets[0].getsockname()[1]
        super()._trigger_server()


def start(port: int, directory: Path | None = None) -> tuple[Controller, Keeper]:
    """A sink listening on `port`, or with port 0 on one the system chose: `controller.port` says which."""
    keeper = Keeper(directory)
    controller = _Controller(keeper, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, keeper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--directory", type=Path, default=Path("data/mail"))
    arguments = parser.parse_args()
    controller, _ = start(arguments.port, arguments.directory)
    print(f"keeping mail sent to 127.0.0.1:{controller.port} in {arguments.directory}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        controller.stop()


if __name__ == "__main__":
    main()
