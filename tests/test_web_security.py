"""The served app's hardening, checked over HTTP in the style of Gradio's own ``test_routes.py``:
no file outside the app is served (however the path is spelled), uploads are capped,
other origins get no CORS grant, errors carry no internals, and the queue turns excess
requests away with a 503 rather than falling over.

The app runs in-process on a free loopback port as ``peel-search serve`` runs it,
from a working folder laid out like a deployment: ``.env``, ``pyproject.toml``, ``corpus/``
and ``index/`` (the session's index).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fakes import free_port, serving
from peel_search.web import ui
from peel_search.web.server import create_server, gradio_settings
from peel_search.web.ui import CONCURRENCY, MAX_UPLOAD, SESSIONS_KEPT, build_app

pytestmark = pytest.mark.models

SECRET = "PEEL_SECRET_TOKEN=do-not-serve-me"
TRUSTED = "https://intranet.force.example"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, built_index_dir, corpus_copy) -> Iterator[Path]:
    """A working folder like the repository's, made the current folder while the app runs."""
    root = tmp_path_factory.mktemp("deployment")
    (root / ".env").write_text(SECRET + "\n", encoding="utf-8")
    (root / "pyproject.toml").write_text(f"# {SECRET}\n", encoding="utf-8")
    (root / "index").symlink_to(built_index_dir, target_is_directory=True)
    (root / "corpus").symlink_to(corpus_copy, target_is_directory=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        yield root


@pytest.fixture(scope="module")
def served(index, deployment) -> Iterator[tuple[str, int]]:
    port = free_port()
    with serving(index, port=port, allow_origins=[TRUSTED]) as url:
        yield url, port


def raw_get(port: int, target: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """A GET with the request target exactly as given (httpx would remove ``..`` segments)."""
    lines = [f"GET {target} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body.decode("utf-8", "replace")


def _traversals(deployment: Path, index_folder: Path, port: int) -> list[str]:
    manifest = index_folder.resolve() / "manifest.json"
    env = deployment / ".env"
    source = Path(__import__("peel_search.web.ui").web.ui.__file__).resolve()
    paths = [
        "../../etc/passwd",
        "../../../../../../../../etc/passwd",
        "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/etc/passwd",
        "%2Fetc%2Fpasswd",
        "//etc/passwd",
        "/proc/self/environ",
        "/proc/self/cmdline",
        "file:///etc/passwd",
        f"http://127.0.0.1:{port}/config",
        "http://169.254.169.254/latest/meta-data/",
        ".env",
        "./.env",
        "%2eenv",
        f"../{deployment.name}/.env",
        str(env),
        str(env).upper(),
        "pyproject.toml",
        "index/manifest.json",
        "index/chunks.jsonl",
        "./index/../index/manifest.json",
        "INDEX/MANIFEST.JSON",
        str(manifest),
        str(manifest.parent),
        str(manifest.parent / "tokens.npy"),
        "corpus/peel-2015-effectiveness-west-midlands.txt",
        str(source),
        "/root/.bash_history",
    ]
    return paths


@pytest.mark.parametrize(
    "prefix", ["/gradio_api/file=", "/file=", "/gradio_api/file/", "/static/", "/assets/"]
)
def test_no_file_outside_the_app_is_served(served, deployment, index, prefix):
    _, port = served
    refused = []
    for path in _traversals(deployment, index.folder, port):
        status, body = raw_get(port, prefix + path)
        assert SECRET not in body and "root:x:0:0" not in body and '"format_version"' not in body, path
        assert status in (400, 403, 404, 405), (prefix + path, status, body[:200])
        refused.append(status)
    assert raw_get(port, "/")[0] == 200  # and the page itself is still there


def test_settings_block_the_index_and_bound_sessions(index):
    options = gradio_settings(index)
    folder = Path(index.folder).resolve()
    assert str(folder) in options["blocked_paths"] and str(folder.parent) in options["blocked_paths"]
    assert options["allowed_paths"] == [] and options["show_error"] is False
    blocks = create_server(index).state.blocks
    assert blocks.state_holder.capacity == SESSIONS_KEPT < 1000  # memory stays flat under API load


def test_config_and_api_info_do_not_leak_paths(served, index, corpus_copy, deployment):
    url, _ = served
    for path in ("/config", "/gradio_api/info", "/"):
        text = httpx.get(url + path, timeout=30).text
        for secret in (str(Path(index.folder).resolve()), str(corpus_copy), str(deployment), SECRET):
            assert secret not in text, (path, secret)


def _upload(url: str, size: int, name: str = "report.txt") -> httpx.Response:
    return httpx.post(
        f"{url}/gradio_api/upload", files={"files": (name, b"a" * size, "text/plain")}, timeout=60
    )


def test_oversized_upload_is_refused(served):
    url, _ = served
    limit = int(MAX_UPLOAD.removesuffix("kb")) * 1000
    big = _upload(url, limit * 3)
    assert big.status_code == 413 and "maximum allowed size" in big.text
    huge = _upload(url, 5 * 1024 * 1024)
    assert huge.status_code == 413
    small = _upload(url, 1000)
    assert small.status_code == 200  # the limit is what refuses, not a broken route
    assert httpx.get(url + "/", timeout=30).status_code == 200


ROUTES = ["/config", "/gradio_api/info", "/api/search?q=risk&k=1", "/api/health"]
OTHER_ORIGINS = ["http://evil.example", "null", "http://127.0.0.1.evil.example", TRUSTED + ".evil.example"]


@pytest.mark.parametrize("origin", OTHER_ORIGINS)
@pytest.mark.parametrize("host", [None, "peel-search.force.example"])  # direct, or behind a proxy
def test_other_origins_get_no_cors_grant(served, origin, host):
    url, _ = served
    headers = {"Origin": origin} | ({"Host": host} if host else {})
    for route in ROUTES:
        simple = httpx.get(url + route, headers=headers, timeout=30)
        assert simple.status_code == 200, route
        assert "access-control-allow-origin" not in simple.headers, (route, simple.headers)
    for route in ("/gradio_api/call/search", "/api/search"):
        preflight = httpx.options(
            url + route,
            headers=headers
            | {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
            timeout=30,
        )
        assert "access-control-allow-origin" not in preflight.headers, route


def test_an_allowed_origin_is_granted_without_credentials(served):
    url, _ = served
    proxied = {"Host": "peel-search.force.example", "Origin": TRUSTED}
    for route in ROUTES:
        response = httpx.get(url + route, headers=proxied, timeout=30)
        assert response.headers.get("access-control-allow-origin") == TRUSTED, route
        assert "access-control-allow-credentials" not in response.headers


def test_the_app_own_origin_is_granted(served):
    url, port = served
    response = httpx.get(f"{url}/config", headers={"Origin": f"http://localhost:{port}"}, timeout=30)
    assert response.headers.get("access-control-allow-origin") == f"http://localhost:{port}"


def test_malformed_requests_get_a_short_error_without_internals(served):
    url, _ = served
    for body in ("{not json", '{"data": "not a list"}', '{"data": [1, 2, 3, 4, 5, 6, 7, 8]}', "[]"):
        response = httpx.post(
            f"{url}/gradio_api/call/search",
            content=body,
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        if response.status_code == 200:  # accepted for the queue: the error comes on the stream
            stream = httpx.get(f"{url}/gradio_api/call/search/{response.json()['event_id']}", timeout=30)
            text = stream.text
            assert "event: error" in text
        else:
            assert 400 <= response.status_code < 500
            text = response.text
        assert "Traceback" not in text and 'File "' not in text and "peel_search" not in text, text[:300]
    assert httpx.get(url + "/", timeout=30).status_code == 200


# -- the queue's bound ----------------------------------------------------------------------


class SlowIndex:
    """The real index, but each search takes at least ``delay`` seconds."""

    def __init__(self, index: Any, delay: float) -> None:
        self._index, self._delay = index, delay

    def search(self, *args: Any, **kwargs: Any) -> Any:
        time.sleep(self._delay)
        return self._index.search(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)


def test_beyond_its_bound_the_queue_turns_requests_away_politely(index):
    """A queue of 4 behind 2 workers, 16 requests at once: the excess get HTTP 503
    "Queue is full", everything accepted is answered, and the app answers afterwards."""
    app = build_app(SlowIndex(index, 0.4))
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def ask() -> None:
        with httpx.Client(timeout=60) as http:
            start = http.post(
                f"{url}/gradio_api/call/search", json={"data": ["risk", 3, [], "", "", [], [], []]}
            )
            if start.status_code != 200:
                outcome = f"{start.status_code} {start.json().get('detail', start.text)[:40]}"
            else:
                stream = http.get(f"{url}/gradio_api/call/search/{start.json()['event_id']}").text
                outcome = "answered" if "event: complete" in stream else f"stream: {stream[:80]}"
        with lock:
            outcomes.append(outcome)

    with serving(index, app) as url:
        threads = [threading.Thread(target=ask) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        answered = outcomes.count("answered")
        rejected = [o for o in outcomes if o != "answered"]
        assert len(outcomes) == 16
        assert answered >= 4 and rejected, outcomes
        assert all(o.startswith("503 Queue is full") for o in rejected), outcomes
        after = httpx.post(
            f"{url}/gradio_api/call/search", json={"data": ["risk", 1, [], "", "", [], [], []]}, timeout=30
        )
        assert after.status_code == 200


def test_the_json_route_turns_requests_away_beyond_its_bound(index, monkeypatch):
    """The plain JSON route has its own bound (2 running, 4 waiting here): of 16 requests at
    once the excess get a 503 with Retry-After and a one-line error, the rest are answered."""
    monkeypatch.setattr(ui, "QUEUE_SIZE", 4)
    outcomes: list[int] = []
    lock = threading.Lock()

    with serving(SlowIndex(index, 0.4)) as url:

        def ask() -> None:
            response = httpx.get(f"{url}/api/search", params={"q": "risk", "k": 1}, timeout=60)
            if response.status_code == 503:
                assert response.headers["retry-after"] == "1" and "busy" in response.json()["error"]
            else:
                assert response.json()["hits"], response.text
            with lock:
                outcomes.append(response.status_code)

        threads = [threading.Thread(target=ask) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert sorted(set(outcomes)) == [200, 503] and len(outcomes) == 16, outcomes
        assert outcomes.count(200) >= CONCURRENCY + 4
        assert httpx.get(f"{url}/api/search", params={"q": "risk"}, timeout=30).status_code == 200
