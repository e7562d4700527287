"""Who may call the internal endpoints (``/metrics``, ``/webhook``): the holder of the configured
secret, or, when none is configured, a process on this machine."""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import Request


def secret_or_loopback(request: Request, secret: str, given: str) -> bool:
    """:param secret: the configured secret ("" = none: loopback clients only).
    :param given: what the caller sent for it."""
    if secret:
        return hmac.compare_digest(given.encode(), secret.encode())
    try:
        return ipaddress.ip_address((request.client.host if request.client else "") or "").is_loopback
    except ValueError:
        return False
