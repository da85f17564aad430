"""Serve the phone app (mobile/src/) at /app/, with no build step.

Every file is served with `Cache-Control: no-cache` and an ETag: the browser
revalidates each time, and the service worker's precache is what makes the
app start offline. The worker's source carries a placeholder that is replaced
here by its precache list and a version made from the hashes of the files, so
any change to any file installs a new worker (which applies the update only
when no visit is open; see sw.js).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags
from django.views.decorators.http import require_safe

SRC = (Path(__file__).resolve().parent / "src").resolve()
URL_PREFIX = "/app/"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}

# No inline script and no other host: the app talks to this origin only. Photos
# are shown from blob: URLs made of the bytes kept in IndexedDB.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        # The sign-in form is sent by script; never let it fall back to a real submit.
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

# The line of sw.js the view fills in; the source stays valid JavaScript as it is.
BUILD_PLACEHOLDER = 'const BUILD = {"version": "dev", "files": []};'


@dataclass(frozen=True)
class Build:
    version: str
    files: tuple[str, ...]  # URLs to precache


def _servable(path: Path) -> bool:
    relative = path.relative_to(SRC)
    return (
        path.is_file()
        and path.suffix in CONTENT_TYPES
        and not any(part.startswith(".") for part in relative.parts)
        # A link pointing out of src/ would serve whatever it points to.
        and path.resolve().is_relative_to(SRC)
    )


@functools.lru_cache(maxsize=256)
def _file_digest(path: Path, mtime_ns: int, size: int) -> str:
    """sha256 of a file, once per process for each (mtime, size) it has had."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _digest(path: Path) -> str:
    stat = path.stat()
    return _file_digest(path, stat.st_mtime_ns, stat.st_size)


def _app_files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*") if _servable(p))


@functools.lru_cache(maxsize=1)
def _build(signature: tuple) -> Build:
    # The version covers every file, the worker included: a change anywhere
    # makes the browser install a new worker.
    summary = hashlib.sha256()
    urls = [URL_PREFIX]
    for name, digest in signature:
        summary.update(f"{name}\0{digest}\n".encode())
        if name not in ("index.html", "sw.js"):
            urls.append(URL_PREFIX + name)
    return Build(version=summary.hexdigest()[:16], files=tuple(urls))


def build() -> Build:
    """The precache list and version; recomputed only when a file changed."""
    signature = tuple((p.relative_to(SRC).as_posix(), _digest(p)) for p in _app_files())
    return _build(signature)


def _headers(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


@functools.lru_cache(maxsize=64)
def _gzip(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=9, mtime=0)


def _serve(request, body: bytes, content_type: str, etag: str) -> HttpResponse:
    # Text is sent gzipped to browsers that take it: a third of the bytes on a
    # weak signal (the PNG icons are compressed already).
    gzipped = "gzip" in request.headers.get("Accept-Encoding", "") and not content_type.startswith(
        "image/png"
    )
    if gzipped:
        etag = f'{etag[:-1]}-gzip"'
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(_gzip(body) if gzipped else body, content_type=content_type)
        if gzipped:
            response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding"
    return _headers(response, etag)


def _resolve(name: str) -> Path:
    """The file under src/ that `name` names, or 404: nothing outside src/ is ever served."""
    parts = name.split("/")
    if (
        any(part in ("", ".", "..") or part.startswith(".") for part in parts)
        or "\\" in name
        or "\0" in name
    ):
        raise Http404("No such file.")
    path = (SRC / name).resolve()
    if not path.is_relative_to(SRC) or not _servable(path):
        raise Http404("No such file.")
    return path


@require_safe
def shell(request):
    path = SRC / "index.html"
    return _serve(request, path.read_bytes(), CONTENT_TYPES[".html"], f'"{_digest(path)[:32]}"')


@require_safe
def service_worker(request):
    current = build()
    source = (SRC / "sw.js").read_text(encoding="utf-8")
    if source.count(BUILD_PLACEHOLDER) != 1:
        raise RuntimeError(f"mobile/src/sw.js must contain the line {BUILD_PLACEHOLDER!r} once.")
    filled = json.dumps({"version": current.version, "files": list(current.files)})
    body = source.replace(BUILD_PLACEHOLDER, f"const BUILD = {filled};").encode()
    return _serve(request, body, CONTENT_TYPES[".js"], f'"{current.version}"')


@require_safe
def asset(request, name: str):
    if name == "index.html":
        return shell(request)
    path = _resolve(name)
    return _serve(request, path.read_bytes(), CONTENT_TYPES[path.suffix], f'"{_digest(path)[:32]}"')
