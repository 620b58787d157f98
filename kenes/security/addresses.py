"""The client's network address, as far as Kenes can trust it.

Login lockout (django-axes, `AXES_CLIENT_IP_CALLABLE`) and the personal-code throttle
(kenes.participation.throttle) both key failures on it, so both must see the same client.
Behind our own proxy (`KENES_BEHIND_PROXY=1`, documented in the README with nginx)
`REMOTE_ADDR` is the proxy: every client would share one address, and five wrong
passwords from anywhere would lock any officer out. The client is then the hop our proxy
appended to X-Forwarded-For (nginx: `proxy_set_header X-Forwarded-For
$proxy_add_x_forwarded_for`); anything before it was written by the client and is not
trusted. Without a proxy, X-Forwarded-For is ignored altogether: anyone can send it.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the hop that our `KENES_PROXY_COUNT` proxies place last."""
    proxies = int(getattr(settings, "KENES_PROXY_COUNT", 0) or 0)
    direct = str(request.META.get("REMOTE_ADDR", ""))
    if proxies <= 0:
        return direct
    hops = [h.strip() for h in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    hops = [h for h in hops if h]
    if len(hops) < proxies:
        return direct
    hop = hops[-proxies]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:  # not written by a proxy we run: do not key anything on it
        return direct
