"""Fixtures for the infrastructure checks: the repository paths and Bicep files parsed by checkov's own parser."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"


def bicep_files() -> list[Path]:
    """Every Bicep file under infra/."""
    return sorted(INFRA.rglob("*.bicep"))


@functools.lru_cache(maxsize=64)
def parse_bicep(path: Path) -> dict[str, Any] | None:
    """Parse one file with checkov's Bicep parser (cached; do not mutate the result); None when it cannot."""
    from checkov.bicep.parser import Parser

    template, _lines = Parser().parse(path)
    return dict(template) if template else None


def expression_text(value: Any) -> Any:
    """A property access as checkov's parser gives it (a nested operator dict) back as Bicep text, e.g. `a.b.c`."""
    if isinstance(value, dict) and isinstance(value.get("operator"), dict):
        operator = value["operator"]
        if operator.get("type") == "property_accessor":
            operands = operator["operands"]
            return f"{expression_text(operands['operand_1'])}.{expression_text(operands['operand_2'])}"
    return value


@pytest.fixture(scope="session")
def main_template() -> dict[str, Any]:
    """infra/main.bicep as checkov parses it."""
    template = parse_bicep(INFRA / "main.bicep")
    assert template is not None, "checkov cannot parse infra/main.bicep"
    return template


@pytest.fixture(scope="session")
def app_settings(main_template: dict[str, Any]) -> dict[str, Any]:
    """The Function App's app settings as written in main.bicep (values are Bicep expressions or literals)."""
    settings = main_template["modules"]["functionApp"]["config"]["params"]["appSettings"]
    assert isinstance(settings, dict)
    return settings
