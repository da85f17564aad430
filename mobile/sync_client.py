"""A reference implementation of the phone app's upload protocol (see README.md).

It keeps an outbox of finished visits and pushes each one until the server
says `submitted`: the visit body first (same id on every retry), then every
photo the server still misses. The network is a `Transport`, so the same
logic runs over HTTP (`UrllibTransport`) or, in tests, over Django's test
client with connections dropped on purpose.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


class NetworkError(Exception):
    """The request or its response was lost: the outcome is unknown, so retry."""


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict


class Transport(Protocol):
    def send_json(self, method: str, path: str, body: dict | None) -> Reply: ...

    def send_file(self, path: str, filename: str, data: bytes, fields: dict) -> Reply: ...


@dataclass
class OutboxPhoto:
    id: str
    data: bytes
    filename: str = "photo.jpg"
    question: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class OutboxVisit:
    body: dict
    photos: list[OutboxPhoto] = field(default_factory=list)
    status: str = "queued"
    errors: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.body["id"]


def new_visit(*, assignment: int, checklist_version: int, started_at: str, ended_at: str,
              answers: list[dict], photos: list[OutboxPhoto], location: dict | None = None,
              comment: str = "") -> OutboxVisit:
    """Build an outbox entry; the id is made once, here, and never again."""
    body = {
        "id": str(uuid.uuid4()),
        "assignment": assignment,
        "checklist_version": checklist_version,
        "started_at": started_at,
        "ended_at": ended_at,
        "answers": answers,
        "comment": comment,
        "photos": [{"id": p.id, "sha256": p.sha256, "question": p.question} for p in photos],
    }
    if location is not None:
        body["location"] = location
    return OutboxVisit(body=body, photos=photos)


class SyncClient:
    def __init__(self, transport: Transport, *, attempts: int = 8,
                 sleep: Callable[[float], None] = time.sleep, backoff: float = 0.5):
        self.transport = transport
        self.attempts = attempts
        self.sleep = sleep
        self.backoff = backoff

    def _retrying(self, send: Callable[[], Reply]) -> Reply:
        for attempt in range(self.attempts):
            try:
                reply = send()
            except NetworkError:
                reply = None
            if reply is not None and reply.status < 500:
                return reply
            self.sleep(self.backoff * 2**attempt)
        raise NetworkError("gave up after repeated network failures")

    def push(self, visit: OutboxVisit) -> OutboxVisit:
        """Push one visit until it is submitted, refused, or the network gives up."""
        reply = self._retrying(lambda: self.transport.send_json("POST", "/api/v1/visits/", visit.body))
        if reply.status in (400, 403, 409):
            visit.status, visit.errors = "refused", reply.body
            return visit
        missing = set(reply.body["photos"]["missing"])
        for photo in visit.photos:
            if photo.id not in missing:
                continue
            path = f"/api/v1/visits/{visit.id}/photos/{photo.id}/"
            fields = {"question": photo.question} if photo.question else {}
            reply = self._retrying(lambda p=photo, u=path, f=fields: self.transport.send_file(u, p.filename, p.data, f))
            if reply.status >= 400:
                visit.status, visit.errors = "refused", reply.body
                return visit
        # Only the server's word counts: "submitted" means every photo arrived intact.
        final = self._retrying(lambda: self.transport.send_json("GET", f"/api/v1/visits/{visit.id}/", None))
        visit.status = final.body["status"]
        return visit


class UrllibTransport:
    """HTTP with the standard library, for scripts and manual testing."""

    def __init__(self, base_url: str, token: str, timeout: float = 30):
        self.base_url = base_url.rstrip("/")
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        self.timeout = timeout

    def _open(self, request: urllib.request.Request) -> Reply:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return Reply(response.status, json.loads(response.read() or b"{}"))
        except urllib.error.HTTPError as error:
            return Reply(error.code, json.loads(error.read() or b"{}"))
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise NetworkError(str(error)) from error

    def send_json(self, method: str, path: str, body: dict | None) -> Reply:
        data = json.dumps(body).encode() if body is not None else None
        headers = {**self.headers, "Content-Type": "application/json"}
        return self._open(urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers))

    def send_file(self, path: str, filename: str, data: bytes, fields: dict) -> Reply:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {**self.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self._open(urllib.request.Request(self.base_url + path, data=body, method="PUT", headers=headers))
