"""IP addresses parsed once per distinct text, with the scope facts every reader asks for.

The same address is read by the identifier extraction and by the network check, and
``ipaddress``'s ``is_global`` walks the reserved-range list on every call; with ~10
addresses per profile that was a visible share of a batch. Caching by text is safe: the
answers depend on nothing but the text.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class IpScope:
    address: ipaddress.IPv4Address | ipaddress.IPv6Address
    is_global: bool  # ``ipaddress``'s own definition (IANA special-purpose registries)
    is_public: bool  # global unicast: what says something about where a person is


@lru_cache(maxsize=65_536)
def ip_scope(text: str) -> IpScope:
    """Parse ``text`` (raises ``ValueError`` like ``ipaddress.ip_address``) and classify it."""
    address = ipaddress.ip_address(text)
    is_global = address.is_global
    return IpScope(address, is_global, is_global and not address.is_multicast)
