"""mobile/views.py — the phone app's files served at /app/, and what they may contain."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from html.parser import HTMLParser

import pytest

from mobile import views

# The budget for the app's own JavaScript and CSS, gzipped.
BUDGET_BYTES = 60 * 1024


def app_files(suffixes: tuple[str, ...]) -> list:
    return sorted(p for p in views.SRC.rglob("*") if p.is_file() and p.suffix in suffixes)


@pytest.fixture
def src_copy(tmp_path, monkeypatch):
    """A copy of mobile/src the view serves instead, to change files in."""
    copy = tmp_path / "src"
    shutil.copytree(views.SRC, copy)
    monkeypatch.setattr(views, "SRC", copy.resolve())
    return copy


# --- the shell and the service worker -----------------------------------------------------


def test_the_app_is_the_shell_at_slash_app(client):
    response = client.get("/app/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert response.content == (views.SRC / "index.html").read_bytes()


def test_every_response_forbids_inline_script_and_other_hosts(client):
    for url in ("/app/", "/app/sw.js", "/app/main.js", "/app/app.css"):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert directives["connect-src"] == "'self'"
        assert directives["img-src"] == "'self' blob: data:"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


class _ShellParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.inline_handlers: list[str] = []
        self.style_attributes = 0
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        self.inline_handlers += [name for name in attributes if name.startswith("on")]
        self.style_attributes += "style" in attributes
        self.urls += [attributes[name] for name in ("src", "href") if name in attributes]


def test_the_shell_has_no_inline_script_and_loads_nothing_from_another_host():
    parser = _ShellParser()
    parser.feed((views.SRC / "index.html").read_text(encoding="utf-8"))
    assert parser.scripts == [{"type": "module", "src": "/app/main.js"}]
    assert parser.inline_handlers == [] and parser.style_attributes == 0
    assert all(url.startswith(("/app/", "#")) for url in parser.urls), parser.urls


def test_no_file_of_the_app_imports_or_fetches_from_another_host():
    for path in app_files((".js", ".css", ".html", ".webmanifest")):
        # Comments may cite pages (idb's do); only code counts.
        text = re.sub(
            r"/\*.*?\*/|^\s*//.*$", "", path.read_text(encoding="utf-8"), flags=re.S | re.M
        )
        assert not re.search(r"""(from|import\(|fetch\(|url\()\s*["']?https?://""", text), path
        # The only absolute URLs are the map link (a link, never loaded) and a
        # .invalid base for parsing paths (a name that can never resolve).
        for url in re.findall(r"https?://[^\s\"'`)/]+", text):
            assert url in ("https://www.openstreetmap.org", "http://same-origin.invalid"), (
                path,
                url,
            )


def test_the_service_worker_gets_its_precache_list_and_version(client):
    response = client.get("/app/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    assert views.BUILD_PLACEHOLDER not in source
    build = json.loads(re.search(r"^const BUILD = (\{.*\});$", source, re.M).group(1))
    assert re.fullmatch(r"[0-9a-f]{16}", build["version"])
    expected = {"/app/"} | {
        "/app/" + p.relative_to(views.SRC).as_posix()
        for p in app_files(tuple(views.CONTENT_TYPES))
        if p.name not in ("index.html", "sw.js")
    }
    assert set(build["files"]) == expected
    assert {"/app/main.js", "/app/core/sync.js", "/app/vendor/idb/index.js"} <= expected
    for url in build["files"]:
        assert client.get(url).status_code == 200, url


def test_the_version_changes_when_any_file_changes(client, src_copy):
    before = client.get("/app/sw.js")["ETag"]
    assert client.get("/app/sw.js", HTTP_IF_NONE_MATCH=before).status_code == 304
    (src_copy / "ui" / "i18n.js").write_text(
        (src_copy / "ui" / "i18n.js").read_text(encoding="utf-8") + "\n// changed\n",
        encoding="utf-8",
    )
    after = client.get("/app/sw.js")
    assert after.status_code == 200 and after["ETag"] != before


# --- every other file ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        ("/app/main.js", "text/javascript; charset=utf-8"),
        ("/app/core/visit.js", "text/javascript; charset=utf-8"),
        ("/app/app.css", "text/css; charset=utf-8"),
        ("/app/manifest.webmanifest", "application/manifest+json"),
        ("/app/icons/icon.svg", "image/svg+xml"),
        ("/app/icons/icon-192.png", "image/png"),
        ("/app/index.html", "text/html; charset=utf-8"),
    ],
)
def test_files_are_served_with_their_type_an_etag_and_no_cache(client, url, content_type):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Cache-Control"] == "no-cache"
    assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == response["ETag"] and again["Cache-Control"] == "no-cache"


def test_text_is_sent_gzipped_to_browsers_that_take_it(client):
    plain = client.get("/app/main.js")
    packed = client.get("/app/main.js", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 2
    assert packed["ETag"] != plain["ETag"]  # two representations, two validators
    again = client.get(
        "/app/main.js", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"]
    )
    assert again.status_code == 304
    assert "Content-Encoding" not in client.get(
        "/app/icons/icon-192.png", HTTP_ACCEPT_ENCODING="gzip"
    )


def test_a_changed_file_gets_a_new_etag(client, src_copy):
    before = client.get("/app/app.css")["ETag"]
    (src_copy / "app.css").write_text("body { color: red; }\n", encoding="utf-8")
    response = client.get("/app/app.css", HTTP_IF_NONE_MATCH=before)
    assert response.status_code == 200 and response["ETag"] != before


def test_head_is_answered_and_other_methods_refused(client):
    assert client.head("/app/main.js").status_code == 200
    assert client.post("/app/main.js").status_code == 405
    assert client.post("/app/").status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        "/app/../manage.py",
        "/app/%2e%2e/views.py",
        "/app/core/%2e%2e/%2e%2e/views.py",
        "/app/..%2fviews.py",
        "/app/core/..%2f..%2fviews.py",
        "/app/%2e%2e%2fviews.py",
        "/app/..\\views.py",
        "/app/core/%5c..%5c..%5cviews.py",
        "/app//etc/passwd",
        "/app/%00main.js",
        "/app/.hidden.js",
        "/app/vendor/idb/LICENSE",
        "/app/vendor/idb/VERSION",
        "/app/node_modules/idb/build/index.js",
        "/app/tests/visit.test.js",
        "/app/package.json",
        "/app/views.py",
        "/app/no-such-file.js",
        "/app/core",
    ],
)
def test_nothing_outside_the_app_files_is_served(client, url):
    assert client.get(url).status_code == 404


def test_a_link_out_of_the_app_folder_is_not_followed(client, src_copy, tmp_path):
    secret = tmp_path / "secret.js"
    secret.write_text("export const key = 'secret';\n", encoding="utf-8")
    (src_copy / "leak.js").symlink_to(secret)
    assert client.get("/app/leak.js").status_code == 404
    assert "/app/leak.js" not in client.get("/app/sw.js").content.decode()


def test_the_manifest_makes_the_app_installable_under_slash_app(client):
    manifest = json.loads(client.get("/app/manifest.webmanifest").content)
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/app/",
        "/app/",
        "standalone",
    )
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


# --- the budget ----------------------------------------------------------------------------


def test_the_apps_javascript_and_css_stay_within_60_kb_gzipped():
    files = app_files((".js", ".css"))
    total = sum(len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in files)
    assert total <= BUDGET_BYTES, f"{total} bytes gzipped over {len(files)} files"
