from __future__ import annotations

import re

import pytest

from tests.api.journeys import Desk
from tests.conftest import DEMO_PASSWORD

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


class Browser:
    """A Flask test client that logs in through the page and posts forms with their CSRF token."""

    def __init__(self, client):
        self.client = client
        self.token = ""

    def login(self, username, password=DEMO_PASSWORD):
        self.token = csrf_token(self.client.get("/login").get_data(as_text=True))
        response = self.client.post(
            "/login", data={"username": username, "password": password, "csrf_token": self.token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return self

    def get(self, url, **kwargs):
        response = self.client.get(url, **kwargs)
        page = response.get_data(as_text=True)
        if TOKEN.search(page):
            self.token = csrf_token(page)
        return response

    def post(self, url, data=None, **kwargs):
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})}, **kwargs)


@pytest.fixture
def browser(client):
    return Browser(client)


@pytest.fixture(scope="session")
def page_tokens() -> dict[str, dict[str, str]]:
    return {}


@pytest.fixture
def desk(client, login, page_tokens):
    return Desk(client, login, page_tokens)
