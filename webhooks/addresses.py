"""Where webhooks may be sent: only to hosts an administrator allowed (setting WEBHOOK_ALLOWED_HOSTS).

Entries are host names (``hooks.example.com``), wildcards (``*.example.com``), IP addresses or networks
(``10.1.0.0/16``), or ``*`` for any public address. Loopback, private, link-local and other special addresses
are refused unless an entry names them explicitly (an IP or network), whatever the host name resolves to:
the check runs again on the resolved addresses at every delivery.
"""

import ipaddress
import socket
from fnmatch import fnmatch
from urllib.parse import urlsplit

from django.conf import settings


class AddressRefused(Exception):
    pass


def _entries():
    return [entry.strip().lower() for entry in settings.WEBHOOK_ALLOWED_HOSTS if entry.strip()]


def _networks():
    networks = []
    for entry in _entries():
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue
    return networks


def _special(ip) -> bool:
    return not ip.is_global or ip.is_multicast


def _ip_allowed(ip, host_allowed: bool) -> bool:
    if any(ip in network for network in _networks()):
        return True
    return host_allowed and not _special(ip)


def _host_allowed(host: str) -> bool:
    return any(entry == "*" or entry == host or ("*" in entry and fnmatch(host, entry)) for entry in _entries())


def url_check(url: str) -> tuple[str, int]:
    """``(host, port)`` of an allowed http(s) URL; raises AddressRefused with the reason."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused("Only http and https URLs are allowed.")
    if parts.username or parts.password:
        raise AddressRefused("Put no credentials in the URL; the signature authenticates the sender.")
    host = parts.hostname.lower()
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and not _ip_allowed(literal, host_allowed=_host_allowed(host)):
        raise AddressRefused(f"{host} is not on the allow-list of this installation (WEBHOOK_ALLOWED_HOSTS).")
    if literal is None and not _host_allowed(host):
        raise AddressRefused(f"{host} is not on the allow-list of this installation (WEBHOOK_ALLOWED_HOSTS).")
    return host, parts.port or (443 if parts.scheme == "https" else 80)


def resolved_check(url: str) -> None:
    """At delivery: every address the host resolves to must be allowed too (no rebinding to loopback)."""
    host, port = url_check(url)
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise AddressRefused(f"{host} does not resolve ({error}).") from None
    host_allowed = _host_allowed(host)
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if not _ip_allowed(ip, host_allowed=host_allowed or str(ip) == host):
            raise AddressRefused(f"{host} resolves to {ip}, which is not allowed (WEBHOOK_ALLOWED_HOSTS).")
