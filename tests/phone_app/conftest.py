"""Browser tests of the phone app (mobile/src) in headless Chromium against a live server.

Playwright for Python drives Debian's chromium (`playwright install` cannot
download browsers here), launched as tests/browser.py says. The app is opened
at http://localhost:PORT/app/: a secure context, so crypto.subtle and
crypto.randomUUID work as on HTTPS.

Every module here is marked `phone_app` (and `slow`): `pytest -m "not phone_app"`
leaves them out.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import threading
import time
from collections.abc import Iterator

import pytest
from django.test.testcases import QuietWSGIRequestHandler
from PIL import ExifTags, Image, ImageDraw, ImageOps
from playwright.sync_api import Browser, BrowserContext, Page, expect

from audits.models import Photo, Visit
from audits.storage import private_storage
from tests.browser import PHONE, REPO, launch_options, start_live_server
from tests.factories import AssignmentFactory

VIEWPORT = PHONE
SCREENSHOTS = REPO / "docs" / "phone-app"
AXE = REPO / "mobile" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct-horse-battery"  # tests.factories.PASSWORD
# Long enough for a send over a slow CI machine; each wait ends as soon as its condition holds.
SEND_TIMEOUT_MS = 30_000

expect.set_options(timeout=10_000)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "phone_app: browser tests of the phone app (Playwright + chromium)"
    )


# --- the browser -------------------------------------------------------------------------


def context_options(**extra) -> dict:
    return {
        "viewport": VIEWPORT,
        "locale": "en-US",
        "timezone_id": "Asia/Shanghai",
        "service_workers": "allow",
        **extra,
    }


@pytest.fixture(scope="session")
def browser(playwright_instance) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(**launch_options())
    yield browser
    browser.close()


class PageProblems:
    """Console messages that mean the app broke a rule: CSP refusals and uncaught errors."""

    def __init__(self):
        self.messages: list[str] = []

    def watch(self, page: Page) -> Page:
        def on_console(message):
            if message.type == "error" and "Content Security Policy" in message.text:
                self.messages.append(f"CSP: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.messages.append(f"page error: {error}"))
        return page


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


# Chromium fires a Background Sync event when the machine's real network is up,
# and the requests of the worker it starts for it escape both set_offline and
# context.route (seen with Playwright 1.65 and chromium 156): a test that cuts
# or breaks the network would see the worker send behind its back. So the app
# runs here as on iOS, without SyncManager (the page's own triggers do the
# work), except in test_background_sync.py, which tests the sync event itself
# (in a persistent profile: Chromium has no Background Sync in incognito-like contexts).
NO_BACKGROUND_SYNC = "delete window.SyncManager;"


@pytest.fixture
def context(browser, problems) -> Iterator[BrowserContext]:
    context = browser.new_context(**context_options())
    context.add_init_script(NO_BACKGROUND_SYNC)
    context.on("page", problems.watch)
    yield context
    context.close()
    assert problems.messages == []


@pytest.fixture
def page(context) -> Page:
    return context.new_page()


@pytest.fixture
def persistent(playwright_instance, problems, tmp_path):
    """Launch a browser on a profile kept on disk; closing it and launching again is the phone killing the app."""
    profile = tmp_path / "profile"
    opened: list[BrowserContext] = []

    def launch(
        *, offline: bool = False, background_sync: bool = False, **options
    ) -> tuple[BrowserContext, Page]:
        context = playwright_instance.chromium.launch_persistent_context(
            str(profile), **launch_options(), **context_options(offline=offline, **options)
        )
        opened.append(context)
        if not background_sync:
            context.add_init_script(NO_BACKGROUND_SYNC)
        context.on("page", problems.watch)
        # A fresh page, opened after the init script: the blank page the profile
        # starts with may have been created before it, and would keep SyncManager.
        blank = list(context.pages)
        page = context.new_page()
        for stale in blank:
            stale.close()
        return context, page

    yield launch
    for context in opened:
        context.close()  # closing twice is harmless; closing before the database goes matters
    assert problems.messages == []


# --- the server --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(request):
    """tests.browser's live server, its /api/ requests dropped while the Network is cut."""
    server = start_live_server(request)
    server.network = Network()
    server.thread.httpd.RequestHandlerClass = server.network.request_handler()
    yield server
    server.stop()


class Network:
    """The shopper's signal, cut at the server as well as in the browser.

    Chromium's offline emulation does not hold for every request a page and its
    service worker make (microsoft/playwright#2311): a visit has been seen
    reaching the server from an "offline" browser. So while the signal is cut,
    the live server also closes every /api/ connection without an answer, which
    the app sees exactly as it sees no network: fetch() fails.
    """

    def __init__(self):
        self.up = True
        self.held: dict[str, threading.Event] = {}

    def hold(self, prefix: str) -> threading.Event:
        """A slow signal for /api/ paths under `prefix`: they wait until the event is set."""
        gate = self.held[prefix] = threading.Event()
        return gate

    def release_all(self) -> None:
        for gate in self.held.values():
            gate.set()
        self.held.clear()

    def cut(self, context: BrowserContext | None) -> None:
        """No signal; with context=None the browser is not told (navigator.onLine stays true)."""
        self.up = False
        if context is not None:
            context.set_offline(True)

    def restore(self, context: BrowserContext | None) -> None:
        # The server first: the browser's `online` event sends at once, and must get through.
        self.up = True
        if context is not None:
            context.set_offline(False)

    def request_handler(self) -> type:
        network = self

        class RequestHandler(QuietWSGIRequestHandler):
            def parse_request(self) -> bool:
                if not super().parse_request():
                    return False
                if not network.up and self.path.startswith("/api/"):
                    self.close_connection = True
                    return False  # no response at all: the connection just drops
                for prefix, gate in list(network.held.items()):
                    if self.path.startswith(prefix):
                        gate.wait(timeout=30)
                return True

        return RequestHandler


@pytest.fixture
def network(live_server) -> Iterator[Network]:
    yield live_server.network
    live_server.network.up = True  # the next test starts with signal
    live_server.network.release_all()


# --- data --------------------------------------------------------------------------------


@pytest.fixture
def assignment(alice, east_branch):
    """alice's open assignment on tests.factories.small_checklist (every answer type)."""
    return AssignmentFactory(shopper=alice, branch=east_branch)


@pytest.fixture
def app_url(live_server) -> str:
    return f"{live_server.url}/app/"


# --- photos ------------------------------------------------------------------------------

PHOTO_TAKEN_AT = dt.datetime(2026, 3, 14, 10, 9, 26, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PHOTO_LAT, PHOTO_LNG = 31.230416, 121.473701


def upright_scene(size=(640, 480), seed: int = 0) -> Image.Image:
    """A picture whose way up can be read back: red band on top, blue below, a green top-left corner.

    `seed` shifts the shapes so that several photos of one visit differ.
    """
    width, height = size
    image = Image.new("RGB", size, (30, 60, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, height // 3), fill=(220, 30, 30))
    draw.rectangle((0, 0, width // 5, height // 5), fill=(20, 180, 40))
    step = max(1, width // 12)
    draw.ellipse(
        (
            width // 2 + seed * step % (width // 3),
            height // 2,
            width // 2 + seed * step % (width // 3) + width // 6,
            height // 2 + height // 4,
        ),
        fill=(250, 250, 250),
    )
    return image


# What the camera stores for each EXIF orientation so that the photo is seen upright.
STORED_FOR_ORIENTATION = {
    1: lambda image: image,
    3: lambda image: image.transpose(Image.Transpose.ROTATE_180),
    6: lambda image: image.transpose(Image.Transpose.ROTATE_90),
    8: lambda image: image.transpose(Image.Transpose.ROTATE_270),
}


def camera_jpeg(
    *,
    orientation: int = 1,
    size=(640, 480),
    seed: int = 0,
    quality: int = 90,
    gps: bool = True,
    noise: bool = False,
) -> bytes:
    """A phone-camera JPEG: sensor pixels plus EXIF orientation, capture time and position.

    `noise` makes it compress like a real photo (megabytes, not kilobytes).
    """
    upright = upright_scene(size, seed)
    if noise:
        # Grain at half resolution, scaled up: megabytes of JPEG, made in about a second.
        half = (size[0] // 2, size[1] // 2)
        grain = Image.frombytes("L", half, os.urandom(half[0] * half[1]))
        grain = grain.resize(size, Image.Resampling.BILINEAR).convert("RGB")
        upright = Image.blend(upright, grain, 0.25)
    stored = STORED_FOR_ORIENTATION[orientation](upright)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Acme"
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    exif_ifd[ExifTags.Base.DateTimeOriginal] = PHOTO_TAKEN_AT.strftime("%Y:%m:%d %H:%M:%S")
    exif_ifd[ExifTags.Base.OffsetTimeOriginal] = "+08:00"
    if gps:
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps_ifd[ExifTags.GPS.GPSLatitude] = _dms(PHOTO_LAT)
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps_ifd[ExifTags.GPS.GPSLongitude] = _dms(PHOTO_LNG)
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=quality, exif=exif)
    data = out.getvalue()
    # The generator's own check: a reader that applies EXIF sees the upright scene.
    seen = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    assert seen.size == size
    return data


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes_full = (value - degrees) * 60
    minutes = int(minutes_full)
    return (float(degrees), float(minutes), round((minutes_full - minutes) * 60, 4))


@pytest.fixture
def photo_file(tmp_path):
    """Write a camera JPEG to a file the browser can pick; returns its path."""
    counter = iter(range(1000))

    def make(name: str | None = None, **options) -> str:
        path = tmp_path / (name or f"IMG_{next(counter):04d}.jpg")
        path.write_bytes(camera_jpeg(**options))
        return str(path)

    return make


def is_upright(data: bytes) -> bool:
    """Whether a stored JPEG shows upright_scene as it should be seen, with no rotation left to apply."""
    image = Image.open(io.BytesIO(data))
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    image = image.convert("RGB")
    width, height = image.size

    def colour(x0: float, y0: float, x1: float, y1: float):
        # The mean of a region: photos carry noise and JPEG artefacts.
        box = (int(x0 * width), int(y0 * height), int(x1 * width), int(y1 * height))
        return image.crop(box).resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))

    red = colour(0.4, 0.05, 0.9, 0.25)
    green = colour(0.02, 0.02, 0.15, 0.15)
    blue = colour(0.05, 0.75, 0.45, 0.95)
    return (
        orientation == 1
        and width > height
        and red[0] > 150 > red[2]
        and green[1] > 120 > green[0]
        and blue[2] > 150 > blue[0]
    )


def stored_original(photo: Photo) -> bytes:
    with private_storage().open(photo.original_name, "rb") as file:
        return file.read()


# --- steps a shopper takes -----------------------------------------------------------------


def sign_in(page: Page, app_url: str, username: str = "alice", password: str = PASSWORD) -> None:
    page.goto(app_url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your visits")).to_be_visible()


def wait_for_worker(page: Page) -> None:
    """Until the service worker controls the page: from then on the app starts offline."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")


def item(page: Page, text: str):
    """One question of the checklist, by its text (the fieldset's legend)."""
    return page.get_by_role("group", name=text)


def open_section(page: Page, title: str) -> None:
    page.get_by_role("navigation", name="Sections").get_by_role(
        "button", name=re.compile(re.escape(title))
    ).click()
    expect(page.get_by_role("heading", level=2, name=title)).to_be_visible()


def fill_small_checklist(
    page: Page, photo_path: str, *, wait: int = 25, greet: str = "Yes"
) -> None:
    """Answer tests.factories.small_checklist as tests.visit_bodies.visit_body does (score 78.9)."""
    open_section(page, "Core service")
    item(page, "Greeted without being prompted").get_by_label(greet, exact=True).check()
    item(page, "Warm, willing service").get_by_label("4 · Satisfied").check()
    item(page, "Seconds until greeted").get_by_role("spinbutton").fill(str(wait))
    open_section(page, "Environment")
    item(page, "A clean environment").get_by_label("6 · Very satisfied").check()
    item(page, "How was the question resolved?").get_by_label("Follow-up promised").check()
    item(page, "Overall impression").get_by_role("textbox", name="Overall impression").fill(
        "Friendly but slow."
    )
    add_photo(page, "Photo of the entrance", photo_path)


def add_photo(page: Page, question: str, path: str, *, camera: bool = True) -> None:
    group = item(page, question)
    before = group.get_by_role("img").count()
    group.get_by_label("Take photo" if camera else "Choose from gallery").set_input_files(path)
    expect(group.get_by_role("img")).to_have_count(before + 1, timeout=20_000)


def finalize(page: Page, comment: str = "Busy Saturday morning.") -> None:
    page.get_by_role("navigation", name="Sections").get_by_role("button", name="Finish").click()
    expect(page.get_by_text("Everything is answered.")).to_be_visible()
    page.get_by_label("Comment on the whole visit").fill(comment)
    page.get_by_role("button", name="Finalize and send").click()
    expect(page.get_by_role("heading", name="Outbox")).to_be_visible()


def start_visit(page: Page, branch: str = "Shanghai Jing'an") -> None:
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=branch))
    card.get_by_role("button", name=re.compile("Start visit|Continue visit|Correct visit")).click()
    expect(page.get_by_role("navigation", name="Sections")).to_be_visible()


def outbox_card(page: Page, branch: str = "Shanghai Jing'an"):
    return page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=branch))


def expect_sent(page: Page, branch: str = "Shanghai Jing'an") -> None:
    page.goto(page.url.split("#")[0] + "#/outbox")
    # exact: "Answers sent ✓" is not "Sent ✓".
    expect(outbox_card(page, branch).get_by_text("Sent ✓", exact=True)).to_be_visible(
        timeout=SEND_TIMEOUT_MS
    )


def keep_sending(page: Page, branch: str = "Shanghai Jing'an", timeout_s: float = 40) -> None:
    """Tap "Send now" whenever it can be tapped, until the server has confirmed the visit."""
    sent = outbox_card(page, branch).get_by_text("Sent ✓", exact=True)
    button = page.get_by_role("button", name="Send now")
    deadline = time.monotonic() + timeout_s
    while not sent.is_visible():
        assert time.monotonic() < deadline, "the visit was not sent"
        if button.is_visible() and button.is_enabled():
            button.click()
        page.wait_for_timeout(250)


def send_now(page: Page) -> None:
    """Tap "Send now" once the previous pass is over (the button is disabled while one runs)."""
    button = page.get_by_role("button", name="Send now")
    expect(button).to_be_enabled(timeout=SEND_TIMEOUT_MS)
    button.click()


def the_visit() -> Visit:
    """The one visit on the server (failing when there are more: a duplicate)."""
    return Visit.objects.get()


def screenshot(page: Page, name: str, *, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
