"""Debian's haproxy in front of the app replicas, configured as a deployment would be (README,
"Deployment"): sticky by a cookie it inserts, websockets passed through. A test pins a browser to a
replica by setting that cookie, as the balancer itself would on the browser's first request, and
reads from haproxy's own statistics which replica served what."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

COOKIE = "COORD_REPLICA"

CONFIG = """\
global
    maxconn 512

defaults
    mode http
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    timeout tunnel 1h  # the websocket each browser tab holds open

frontend app
    bind 127.0.0.1:{port}
    default_backend replicas

backend replicas
    balance roundrobin
    cookie {cookie} insert indirect nocache httponly
    option httpchk GET /_stcore/health
{servers}

listen stats
    bind 127.0.0.1:{stats_port}
    stats enable
    stats uri /stats
"""


def haproxy() -> str | None:
    return shutil.which("haproxy") or (Path("/usr/sbin/haproxy").exists() and "/usr/sbin/haproxy") or None


class LoadBalancer:
    def __init__(self, port: int, backends: list[int], stats_port: int, work: Path):
        self.port, self.stats_port = port, stats_port
        servers = "\n".join(f"    server r{n} 127.0.0.1:{backend} cookie r{n} check inter 2s"
                            for n, backend in enumerate(backends))
        config = work / "haproxy.cfg"
        config.write_text(CONFIG.format(port=port, cookie=COOKIE, servers=servers, stats_port=stats_port))
        self.process = subprocess.Popen([haproxy(), "-db", "-f", str(config)], stdout=subprocess.DEVNULL,
                                        stderr=open(work / "haproxy.log", "wb"))  # noqa: SIM115 - kept open
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if all(self._stats()[f"r{n}"]["status"] == "UP" for n in range(len(backends))):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.close()
        raise RuntimeError(f"haproxy did not bring up its replicas; see {work / 'haproxy.log'}")

    def pin(self, context, replica: int) -> None:
        """Send this browser's next requests to `replica`, by the cookie haproxy sticks sessions with."""
        context.add_cookies([{"name": COOKIE, "value": f"r{replica}", "url": f"http://127.0.0.1:{self.port}"}])

    def sessions(self) -> list[int]:
        """Connections each replica has served so far (haproxy's own count)."""
        stats = self._stats()
        return [int(stats[name]["stot"]) for name in sorted(stats) if name.startswith("r")]

    def _stats(self) -> dict[str, dict[str, str]]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.stats_port}/stats;csv", timeout=5) as response:
            rows = csv.DictReader(io.StringIO(response.read().decode().lstrip("# ")))
            return {row["svname"]: row for row in rows if row["pxname"] == "replicas"}

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
