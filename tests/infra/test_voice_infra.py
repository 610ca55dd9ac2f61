"""#14 in the infrastructure: the transcription deployment next to gpt-4o, reached with the same identity and role;
the media settings the app reads."""

from __future__ import annotations

from typing import Any

from crm_core.settings import DEFAULT_MEDIA_HOSTS, Settings
from tests.infra.conftest import INFRA, parse_bicep


def _openai() -> dict[str, Any]:
    template = parse_bicep(INFRA / "core" / "ai" / "openai.bicep")
    assert template is not None
    return template


def test_the_transcription_deployment_sits_next_to_gpt4o_and_waits_for_it() -> None:
    resources = _openai()["resources"]
    chat, conditional = resources["deployment"]["config"], resources["transcribe"]["config"]
    assert "transcribeDeploymentName" in str(conditional["condition"])  # an empty name deploys none
    transcribe = conditional["config"]
    assert chat["parent"] == transcribe["parent"] == "account"
    assert transcribe["properties"]["model"]["name"] == "transcribeModelName"
    assert _openai()["parameters"]["transcribeModelName"]["default"] == "gpt-4o-transcribe"
    assert "deployment" in str(transcribe["dependsOn"])  # one deployment at a time on an account
    outputs = _openai()["outputs"]
    assert "transcribeDeploymentName" in outputs


def test_the_app_is_pointed_at_it_and_its_identity_is_unchanged(main_template: dict[str, Any]) -> None:
    params = main_template["modules"]["openAi"]["config"]["params"]
    assert params["transcribeSkuName"] == "openAiDeploymentSku"
    settings = main_template["modules"]["functionApp"]["config"]["params"]["appSettings"]
    assert "transcribeDeploymentName" in str(settings["TRANSCRIBE_MODEL"])
    assert settings["MEDIA_URL_HOSTS"] == DEFAULT_MEDIA_HOSTS
    assert int(settings["MEDIA_MAX_BYTES"]) == Settings.model_fields["media_max_bytes"].default == 16 * 1024 * 1024
    # One role on the account covers both deployments: Cognitive Services OpenAI User, as before.
    text = (INFRA / "main.bicep").read_text(encoding="utf-8")
    assert text.count("roleDefinitionId: roles.cognitiveServicesOpenAIUser") == 2  # the app and the deployer
    assert main_template["parameters"]["transcribeEnabled"]["default"] is True
