"""Mint a redcap-resume participant ticket (HS256 JWT) with Python's standard library only.

The portal knows who is signed in; it gives the widget a short-lived ticket whose `sub` is
that participant's REDCap record id. Usage:
REDCAP_RESUME_TICKET_SECRET_FILE=/path/to/ticket_secret python3 mint_ticket.py 1001
(or REDCAP_RESUME_TICKET_SECRET=... with the secret itself).
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import time


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def ticket_secret() -> bytes:
    """The shared secret, from the file named by REDCAP_RESUME_TICKET_SECRET_FILE, else from
    the variable REDCAP_RESUME_TICKET_SECRET."""
    path = os.environ.get("REDCAP_RESUME_TICKET_SECRET_FILE")
    if path:
        with open(path, "rb") as f:
            return f.read()
    return os.environ["REDCAP_RESUME_TICKET_SECRET"].encode()


def mint_ticket(record_id: str, secret: bytes, ttl_seconds: int = 300) -> str:
    header = {"alg": "HS256", "typ": "JWT"}
    now = int(time.time())
    claims = {"sub": record_id, "aud": "redcap-resume", "iat": now, "exp": now + ttl_seconds}
    signing_input = (
        b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64url(json.dumps(claims, separators=(",", ":")).encode())
    )
    # The key: the secret's bytes without trailing line breaks (the server's rule; no base64 step).
    key = secret.rstrip(b"\r\n")
    signature = hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + b64url(signature)


if __name__ == "__main__":
    print(mint_ticket(sys.argv[1], ticket_secret()))
