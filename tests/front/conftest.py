"""Fixtures of the web pages' browser tests (tests/browser.py has the shared pieces)."""

from __future__ import annotations

import pytest

from tests.browser import launch_options, start_live_server


@pytest.fixture(scope="session")
def live_server(request):
    server = start_live_server(request)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(**launch_options())
    yield browser
    browser.close()
