"""End to end in real headless Chromium: a page from another origin reads the mock with fetch."""

from __future__ import annotations

import functools
import html
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.conftest import DATA_PATH, KEY, ROOT
from tests.server import running_mock

pytestmark = [pytest.mark.browser, pytest.mark.server]
HERE = Path(__file__).resolve().parent
# Flags for a closed network: no background connections, no sandbox (root in CI).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--virtual-time-budget=15000",
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def page_origin() -> Iterator[str]:
    """Serve tests/e2e on another loopback port: another origin than the mock's."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(HERE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _render(url: str, profile: Path) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is not installed: run `make browser-deps` (make test does)"
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return html.unescape(result.stdout)


def _text(dom: str, element_id: str) -> str:
    found = re.search(rf'<pre id="{element_id}">(.*?)</pre>', dom, re.S)
    assert found, dom
    return found.group(1)


def test_cross_origin_page_shows_usage_and_reads_401(page_origin: str, tmp_path: Path) -> None:
    with running_mock("--data", str(DATA_PATH), log=tmp_path / "mock.log") as mock:
        query = urlencode({"mock": mock, "key": KEY})
        dom = _render(f"{page_origin}/usage_page.html?{query}", tmp_path / "profile")
        log = (tmp_path / "mock.log").read_text()
    usage = _text(dom, "usage")
    assert re.fullmatch(r"200 usageSms=\d+ usageWhatsapp=\d+ usageEmail=\d+ usageSage=\d+", usage), usage
    assert int(re.search(r"usageEmail=(\d+)", usage).group(1)) > 0  # type: ignore[union-attr]
    assert _text(dom, "error") == "401 Unauthenticated: credentials are required: send header X-API-Key"
    assert "OPTIONS /organizations/org_1/usage" in log  # the browser sent a real preflight


def test_cross_origin_page_reads_documented_headers_and_why_it_was_refused(page_origin: str, tmp_path: Path) -> None:
    # tests/specs/gateway.yaml documents its own CORS header, a count header, and a 400 without a body.
    with running_mock("--spec", str(ROOT / "tests" / "specs" / "gateway.yaml"), log=tmp_path / "mock.log") as mock:
        dom = _render(f"{page_origin}/headers_page.html?{urlencode({'mock': mock})}", tmp_path / "profile")
    # One Access-Control-Allow-Origin (the mock's, not also the documented one), and the count exposed.
    assert _text(dom, "count") == "200 total=3"
    assert _text(dom, "refusal") == "400 query parameter 'limit': 0 is less than the minimum of 1"
