"""Request signing for Bybit v5 REST and WebSocket authentication.

Bybit signs ``timestamp + api_key + recv_window + payload`` where the payload
is the query string *exactly as sent* (GET) or the raw JSON body (POST). The
signer therefore never re-serialises anything: callers hand it the very bytes
that go on the wire. WebSocket auth signs ``"GET/realtime" + expires``.

Two key kinds exist: system-generated HMAC keys (HMAC-SHA256, lowercase hex)
and self-generated RSA keys (RSA-SHA256, PKCS#1 v1.5, base64). A secret that
looks like a PEM private key selects RSA.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field

__all__ = [
    "Credentials",
    "hmac_sha256_hex",
    "rsa_sha256_b64",
    "rest_sign_string",
    "ws_auth_string",
    "mask_key",
]


def rest_sign_string(timestamp: int | str, api_key: str, recv_window: int | str, payload: str) -> str:
    """The exact text Bybit v5 signs for a REST call (no separators)."""
    return f"{timestamp}{api_key}{recv_window}{payload}"


def ws_auth_string(expires: int | str) -> str:
    """The text signed for private/trade WebSocket auth."""
    return f"GET/realtime{expires}"


def hmac_sha256_hex(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def rsa_sha256_b64(private_key_pem: str, text: str) -> str:
    # Imported lazily: cryptography is only needed by RSA key holders.
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    signature = key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
    return base64.b64encode(signature).decode()


def mask_key(api_key: str) -> str:
    """Show enough of a key to recognise it, never enough to use it."""
    if len(api_key) <= 6:
        return "***"
    return f"{api_key[:3]}***{api_key[-2:]}"


@dataclass(frozen=True)
class Credentials:
    """An API key and its secret. The secret never appears in repr or str.

    ``sign(text)`` picks HMAC or RSA from the secret's form, so the rest of
    the code never branches on key kind.
    """

    api_key: str
    api_secret: str = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.api_key, str) or not self.api_key:
            raise ValueError("api_key must be a non-empty string")
        if not isinstance(self.api_secret, str) or not self.api_secret:
            raise ValueError("api_secret must be a non-empty string")

    @property
    def is_rsa(self) -> bool:
        return "PRIVATE KEY-----" in self.api_secret

    def sign(self, text: str) -> str:
        if self.is_rsa:
            return rsa_sha256_b64(self.api_secret, text)
        return hmac_sha256_hex(self.api_secret, text)

    def sign_rest(self, timestamp: int, recv_window: int, payload: str) -> str:
        return self.sign(rest_sign_string(timestamp, self.api_key, recv_window, payload))

    def sign_ws_auth(self, expires: int) -> str:
        return self.sign(ws_auth_string(expires))

    def __repr__(self) -> str:
        return f"Credentials(api_key={mask_key(self.api_key)!r}, api_secret='***')"

    __str__ = __repr__
