"""Mint a redcap-resume participant ticket (HS256 JWT) with Python's standard library only.

The portal knows who is signed in; it gives the widget a short-lived ticket whose `sub` is
that participant's REDCap record id. Usage: REDCAP_RESUME_TICKET_SECRET=... python3 mint_ticket.py 1001
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


def mint_ticket(record_id: str, secret: str, ttl_seconds: int = 300) -> str:
    header = {"alg": "HS256", "typ": "JWT"}
    now = int(time.time())
    claims = {"sub": record_id, "aud": "redcap-resume", "iat": now, "exp": now + ttl_seconds}
    signing_input = (
        b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64url(json.dumps(claims, separators=(",", ":")).encode())
    )
    # The key is the secret's bytes exactly as configured (no base64 step).
    signature = hmac.new(secret.encode(), signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + b64url(signature)


if __name__ == "__main__":
    print(mint_ticket(sys.argv[1], os.environ["REDCAP_RESUME_TICKET_SECRET"]))
