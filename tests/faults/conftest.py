"""Fixtures of the fault tests: each test's own database and the environment of its processes."""

from __future__ import annotations

import pytest

from tests.faults.processes import own_database, process_env


@pytest.fixture
def database_url(tmp_path):
    yield from own_database(tmp_path)


@pytest.fixture
def env(database_url, tmp_path):
    return process_env(database_url, tmp_path / "var")
