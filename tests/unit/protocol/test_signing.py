"""Signing reproduces every vector of reference section 2.2 and never leaks the secret."""

import base64

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bybit_widgets.protocol.signing import Credentials, hmac_sha256_hex, mask_key, rest_sign_string, ws_auth_string

SECRET = "test-secret-0123456789"
KEY = "test-api-key"
TS = 1700000000000

VECTORS = [
    ("category=linear&symbol=BTCUSDT", "c86e989ce98f6e8de05ce105708c8987ee602fd565baf72af9fe85fa38b47a9d"),
    ("symbol=BTCUSDT&category=linear", "36ed8c0f8ce412148648eea7f8c4995bb3fe8e8990b8357bfaea6a13d523e47a"),
    ("", "c6119a702f96c0876cedfdbc4c1346771b4a2a7cb62a0a39c4ce64426e525ea6"),
    (
        '{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.001","price":"10000",'
        '"timeInForce":"GTC"}',
        "8eca430eabbd58033b02af8099e8431f51f983de66d2d237d36aada2382df3fa",
    ),
    (
        '{"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.001", '
        '"price": "10000", "timeInForce": "GTC"}',
        "2dd0bc736d69f06dc1c6eb4821d4106eb4a08fa0986adbc4da3c1b57a5fc6ad8",
    ),
]


@pytest.mark.parametrize("payload,expected", VECTORS)
def test_rest_vectors(payload, expected):
    creds = Credentials(KEY, SECRET)
    assert rest_sign_string(TS, KEY, 5000, payload) == f"{TS}{KEY}5000{payload}"
    assert creds.sign_rest(TS, 5000, payload) == expected


def test_ws_auth_vector():
    assert ws_auth_string(1700000060000) == "GET/realtime1700000060000"
    assert Credentials(KEY, SECRET).sign_ws_auth(1700000060000) == (
        "90e6738d8667974392e16f208a69b5be1283f614463437656ec882dba318d101"
    )


def test_guide_string_format():
    # The official guide's example fixes the string format (its secret is not published).
    assert (
        rest_sign_string(1658384314791, "XXXXXXXXXX", 5000, "category=option&symbol=BTC-29JUL22-25000-C")
        == "1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C"
    )


def test_rsa_signature_verifies_with_public_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    creds = Credentials(KEY, pem)
    assert creds.is_rsa
    text = rest_sign_string(TS, KEY, 5000, "category=linear")
    signature = base64.b64decode(creds.sign(text))
    key.public_key().verify(signature, text.encode(), padding.PKCS1v15(), hashes.SHA256())  # raises if wrong


def test_secret_never_in_repr_or_str():
    creds = Credentials(KEY, SECRET)
    for text in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert SECRET not in text
        assert KEY not in text


def test_mask_key():
    assert mask_key("test-api-key") == "tes***ey"
    assert mask_key("abc") == "***"


@pytest.mark.parametrize("key,secret", [("", "s"), ("k", ""), (None, "s")])
def test_credentials_reject_empty(key, secret):
    with pytest.raises(ValueError):
        Credentials(key, secret)


def test_hmac_is_lowercase_hex():
    sig = hmac_sha256_hex("s", "x")
    assert sig == sig.lower() and len(sig) == 64
