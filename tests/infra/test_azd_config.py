"""azure.yaml and main.parameters.json: well-formed, and consistent with infra/main.bicep."""

from __future__ import annotations

import json
import os
import re
from typing import Any

import yaml

from tests.infra.conftest import INFRA, ROOT


def _azure_yaml() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "azure.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _parameters() -> dict[str, Any]:
    data = json.loads((INFRA / "main.parameters.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_azure_yaml_names_the_service_its_language_and_host() -> None:
    data = _azure_yaml()
    assert data["name"]
    service = data["services"]["api"]
    assert service == {"project": ".", "language": "python", "host": "function"}
    assert data["infra"] == {"provider": "bicep", "path": "infra", "module": "main"}


def test_azure_yaml_hooks_point_at_executable_posix_scripts() -> None:
    hooks = _azure_yaml()["hooks"]
    assert set(hooks) == {"preprovision", "postdeploy"}
    for hook in hooks.values():
        script = ROOT / hook["posix"]["run"]
        assert script.is_file(), script
        assert os.access(script, os.X_OK), f"{script} is not executable"
        assert hook["posix"]["shell"] == "sh"
        assert hook["posix"]["continueOnError"] is False


def test_the_app_tag_matches_the_azure_yaml_service(main_template: dict[str, Any]) -> None:
    app_tags = main_template["modules"]["functionApp"]["config"]["params"]["appTags"]
    assert {k.strip("'"): v for k, v in app_tags.items()} == {"azd-service-name": "api"}
    assert "api" in _azure_yaml()["services"]


def test_parameters_file_is_valid_and_matches_main_bicep(main_template: dict[str, Any]) -> None:
    data = _parameters()
    assert data["contentVersion"] == "1.0.0.0"
    given = set(data["parameters"])
    declared = main_template["parameters"]
    assert given <= set(declared), f"parameters main.bicep does not declare: {given - set(declared)}"
    required = {name for name, p in declared.items() if p.get("default") is None}
    assert required <= given, f"required parameters missing from main.parameters.json: {required - given}"


def test_secure_parameters_come_from_the_environment_never_a_literal(main_template: dict[str, Any]) -> None:
    declared = main_template["parameters"]
    secure = {n for n, p in declared.items() if any(d.get("type") == "secure" for d in p.get("decorators", []))}
    assert secure == {"maytApiToken", "webhookSecret", "authSecret"}
    params = _parameters()["parameters"]
    for name in secure:
        assert re.fullmatch(r"\$\{[A-Z_]+\}", params[name]["value"]), f"{name} must be an azd environment reference"


def test_every_environment_reference_has_a_valid_name() -> None:
    text = (INFRA / "main.parameters.json").read_text(encoding="utf-8")
    for ref in re.findall(r"\$\{([^}]*)\}", text):
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*(=[^}]*)?", ref), ref
