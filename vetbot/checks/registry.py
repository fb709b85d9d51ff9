"""Which checks exist: the built-ins plus third-party ones from the ``vetbot.checks`` entry point.

Like Litestar's plugins, the registry is built from an explicit list, so a test can build one
holding only the checks it needs. A broken plug-in stops start-up with its name instead of
being logged and silently skipped: a missing check must never look like a clean result.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from vetbot.checks.base import Check

if TYPE_CHECKING:
    from vetbot.checks.providers.settings import ProviderSettings

ENTRY_POINT_GROUP = "vetbot.checks"


class RegistryError(RuntimeError):
    pass


class Registry:
    def __init__(self, checks: Iterable[Check]) -> None:
        self._checks: dict[str, Check] = {}
        for check in checks:
            if check.id in self._checks:
                raise RegistryError(f"two checks share the id {check.id!r}")
            self._checks[check.id] = check

    def __iter__(self) -> Iterator[Check]:
        return iter(self._checks.values())

    def __len__(self) -> int:
        return len(self._checks)

    def __contains__(self, check_id: object) -> bool:
        return check_id in self._checks

    def get(self, check_id: str) -> Check:
        try:
            return self._checks[check_id]
        except KeyError:
            raise RegistryError(f"unknown check {check_id!r}") from None

    def ids(self) -> list[str]:
        return list(self._checks)

    @classmethod
    def default(cls, *, plugins: bool = True, providers: ProviderSettings | None = None) -> Registry:
        """Built-ins plus plug-ins; network providers stay off unless ``providers`` enables them."""
        from vetbot.checks.builtin import builtin_checks

        checks = list(builtin_checks(providers))
        if plugins:
            checks.extend(load_plugins())
        return cls(checks)


def load_plugins() -> list[Check]:
    found: list[Check] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            check = obj() if isinstance(obj, type) else obj
        except Exception as exc:
            raise RegistryError(f"check plug-in {ep.name!r} failed to load: {type(exc).__name__}") from exc
        if not isinstance(check, Check):
            raise RegistryError(f"check plug-in {ep.name!r} is not a vetbot Check")
        found.append(check)
    return found
