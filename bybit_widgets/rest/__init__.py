"""The signed REST client: one request pipeline, a sync and an async face."""

from .client import AsyncClient, Client
from .clock import ServerClock
from .flows import CredentialReport
from .pipeline import RetryPolicy

__all__ = ["Client", "AsyncClient", "ServerClock", "RetryPolicy", "CredentialReport"]
