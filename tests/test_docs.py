"""Documentation that is generated must match the code it documents."""

from __future__ import annotations

from pathlib import Path

from vetbot.bot.render.markdown import checks_markdown
from vetbot.checks.registry import Registry

ROOT = Path(__file__).resolve().parents[1]


def test_check_catalogue_is_up_to_date() -> None:
    """docs/checks.md is `vetbot checks --markdown`; regenerate it after changing a check."""
    assert (ROOT / "docs" / "checks.md").read_text("utf-8") == checks_markdown(
        Registry.default(plugins=False)
    )


def test_every_check_documents_its_weight_and_source() -> None:
    page = (ROOT / "docs" / "checks.md").read_text("utf-8")
    for check in Registry.default(plugins=False):
        assert f"## `{check.id}`" in page
        assert check.source and check.evidence.value in page
