"""Plotly figures as PNG images, drawn by kaleido in the machine's Chromium, for the PDF briefing.

One renderer is kept warm per process: starting Chromium takes seconds, a figure on a warm page
a fraction of one. It runs on its own thread and event loop, so Streamlit's threads and the CLI
call it the same way, and a lock keeps concurrent briefings from mixing up their images.
Nothing is fetched from the internet: plotly.js comes from the plotly package, MathJax is off, and
the map's country outlines are handed to the page from `static/topojson`.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path

import plotly.graph_objects as go

from coordination.settings import PROJECT_ROOT

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TOPOJSON_DIR = PROJECT_ROOT / "static" / "topojson"
HOW_TO_ENABLE = ("Install Chromium (Debian: `apt-get install chromium`) or set COORD_CHROMIUM to the path of a "
                 "Chromium or Chrome executable, then export the briefing again.")
START_TIMEOUT_S = 60
FIGURE_TIMEOUT_S = 30
TABS = 1  # tabs drawing at once; two were no faster on two cores, the Python side is busy too


class ChartsUnavailable(Exception):
    """No chart images can be drawn here; the message says why."""


def find_chromium() -> str | None:
    """COORD_CHROMIUM if set (an empty value turns charts off), else the first Chromium on PATH."""
    configured = os.environ.get("COORD_CHROMIUM")
    if configured is not None:
        return configured if configured and os.access(configured, os.X_OK) else None
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def _geo_assets_script(folder: Path) -> Path:
    """A script that preloads every country-outline file, so plotly.js never fetches one."""
    assets = {path.stem: json.loads(path.read_text()) for path in sorted(TOPOJSON_DIR.glob("*.json"))}
    script = folder / "geo_assets.js"
    script.write_text("window.PlotlyGeoAssets = {topojson: " + json.dumps(assets) + "};")
    return script


class _Renderer:
    """A kaleido instance with its Chromium open, on a private event loop thread."""

    def __init__(self, chromium: str) -> None:
        import kaleido  # imported here: only a briefing with charts needs it

        self._folder = tempfile.TemporaryDirectory(prefix="coord-charts-")
        page = kaleido.PageGenerator(mathjax=False, others=[str(_geo_assets_script(Path(self._folder.name)))])
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="chart-renderer", daemon=True)
        self._thread.start()
        self._kaleido = kaleido.Kaleido(n=TABS, timeout=FIGURE_TIMEOUT_S, page_generator=page, path=chromium)
        try:
            self._run(self._kaleido.__aenter__(), START_TIMEOUT_S)
        except BaseException:
            self._stop_loop()
            raise

    def _run(self, coroutine, timeout: float):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def pngs(self, figures: list[go.Figure], width: int, height: int) -> list[bytes]:
        """Draw the figures concurrently, one per tab; a figure that sets its own height keeps it."""
        def opts(figure: go.Figure) -> dict:
            return {"format": "png", "width": width, "height": figure.layout.height or height, "scale": 2}

        async def draw_all():
            return await asyncio.gather(*(self._kaleido.calc_fig(figure, opts=opts(figure)) for figure in figures))

        return self._run(draw_all(), FIGURE_TIMEOUT_S * len(figures))

    def close(self) -> None:
        try:
            self._run(self._kaleido.__aexit__(None, None, None), START_TIMEOUT_S)
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._folder.cleanup()


_lock = threading.Lock()
_renderer: _Renderer | None = None


def render(figures: dict[str, go.Figure], width: int = 900, height: int = 500) -> dict[str, bytes]:
    """PNG bytes per figure name, from the warm renderer (started on first use).

    Raises ChartsUnavailable when there is no Chromium or it cannot draw; the next call tries afresh.
    """
    global _renderer
    chromium = find_chromium()
    if chromium is None:
        raise ChartsUnavailable("No Chromium was found on this machine, so the charts are not drawn.")
    with _lock:
        try:
            if _renderer is None:
                _renderer = _Renderer(chromium)
            return dict(zip(figures, _renderer.pngs(list(figures.values()), width, height), strict=True))
        except Exception as error:  # any renderer failure becomes a plain note in the PDF
            _discard()
            reason = error.args[0] if error.args else error  # kaleido's first line, not its advice to download
            raise ChartsUnavailable(
                f"Chromium could not draw the charts ({type(error).__name__}: {reason}).") from error


_warming = threading.Event()


def warm_up() -> None:
    """Start the renderer in the background (if there is a Chromium), so the first briefing a
    person asks for does not wait for Chromium to start. Once per process: the dashboard calls it
    on every rerun, and where Chromium will not start, `render` reports it and tries afresh."""
    def start() -> None:
        global _renderer
        with _lock:
            if _renderer is None and (chromium := find_chromium()):
                try:
                    _renderer = _Renderer(chromium)
                except Exception:  # noqa: BLE001, S110 - the briefing itself will report and retry
                    pass

    if _renderer is None and not _warming.is_set():
        _warming.set()
        threading.Thread(target=start, name="chart-renderer-warm-up", daemon=True).start()


def _discard() -> None:
    global _renderer
    if _renderer is not None:
        try:
            _renderer.close()
        except Exception:  # noqa: BLE001, S110 - a broken renderer is dropped either way
            pass
        _renderer = None


@atexit.register
def shutdown() -> None:
    """Close Chromium with the process (and between tests that change which Chromium is used)."""
    with _lock:
        _discard()
