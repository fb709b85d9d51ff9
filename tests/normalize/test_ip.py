"""``ip_scope``: one parse per distinct text, the same answers as ``ipaddress``."""

from __future__ import annotations

import ipaddress

import pytest

from vetbot.normalize.ip import ip_scope


@pytest.mark.parametrize(
    ("text", "is_global", "is_public"),
    [
        ("8.8.8.8", True, True),
        ("2001:4860:4860::8888", True, True),
        ("10.1.2.3", False, False),  # private
        ("100.64.0.1", False, False),  # carrier-grade NAT
        ("127.0.0.1", False, False),
        ("169.254.1.1", False, False),  # link-local
        ("fe80::1", False, False),
        ("ff0e::1", True, False),  # global multicast: global scope, but no person sits there
    ],
)
def test_scope_matches_ipaddress(text: str, is_global: bool, is_public: bool) -> None:
    scope = ip_scope(text)
    assert scope.address == ipaddress.ip_address(text)
    assert scope.is_global is is_global == ipaddress.ip_address(text).is_global
    assert scope.is_public is is_public


def test_bad_text_raises_like_ipaddress() -> None:
    with pytest.raises(ValueError):
        ip_scope("999.1.1.1")


def test_each_text_is_parsed_once() -> None:
    ip_scope.cache_clear()
    ip_scope("9.9.9.9")
    ip_scope("9.9.9.9")
    assert ip_scope.cache_info().hits == 1
