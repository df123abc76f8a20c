import asyncio

import pytest

from bybit_widgets.rest import AsyncClient, Client, RetryPolicy

from .fake_bybit import FakeBybit


class Face:
    """Runs the same calls through the sync or the async client."""

    def __init__(self, kind: str, fake: FakeBybit, **kw) -> None:
        self.kind = kind
        kw.setdefault("api_key", fake.api_key)
        kw.setdefault("api_secret", fake.api_secret)
        kw.setdefault("base_url", "http://fake.bybit")
        kw.setdefault("retry", RetryPolicy(backoff_s=0.001))
        if kind == "sync":
            self.client = Client(transport=fake.transport(), **kw)
        else:
            self.loop = asyncio.new_event_loop()
            self.client = AsyncClient(transport=fake.transport(), **kw)

    def __getattr__(self, name):
        method = getattr(self.client, name)
        if self.kind == "sync" or not callable(method):
            return method

        def run(*args, **kwargs):
            return self.loop.run_until_complete(method(*args, **kwargs))

        return run

    def close(self):
        if self.kind == "sync":
            self.client.close()
        else:
            self.loop.run_until_complete(self.client.aclose())
            self.loop.close()


@pytest.fixture
def fake():
    return FakeBybit()


@pytest.fixture(params=["sync", "async"])
def make_face(request, fake):
    faces = []

    def make(**kw):
        face = Face(request.param, fake, **kw)
        faces.append(face)
        return face

    yield make
    for face in faces:
        face.close()


@pytest.fixture
def face(make_face):
    return make_face()
