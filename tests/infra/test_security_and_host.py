"""No key or secret anywhere in infra; identity-only resources; every data-plane role; alerts; host.json sane."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.infra.conftest import INFRA, ROOT, parse_bicep

FORBIDDEN = [
    r"AccountKey\s*=",
    r"SharedAccessSignature",
    r"DefaultEndpointsProtocol",
    r"listKeys\s*\(",
    r"listConnectionStrings\s*\(",
    r"\bPWD\s*=",
    r"Password\s*=",
    r"administratorLoginPassword",
    r"InstrumentationKey\s*=",
    r"OPENAI_API_KEY",
]


def _infra_text_files() -> list[Path]:
    files = [p for p in INFRA.rglob("*") if p.is_file() and p.suffix in {".bicep", ".json", ".sh", ".sql", ".py"}]
    return [*files, ROOT / "azure.yaml", ROOT / "host.json"]


def _resource(path: str, name: str) -> dict[str, Any]:
    template = parse_bicep(INFRA / path)
    assert template is not None
    config = template["resources"][name]["config"]
    assert isinstance(config, dict)
    return config


@pytest.mark.parametrize("pattern", FORBIDDEN)
def test_no_key_secret_or_connection_string_in_infra(pattern: str) -> None:
    for path in _infra_text_files():
        assert not re.search(pattern, path.read_text(encoding="utf-8")), f"{pattern} found in {path}"


def test_every_resource_is_identity_only() -> None:
    storage = _resource("core/storage/storage-account.bicep", "storage")["properties"]
    assert storage["allowSharedKeyAccess"] is False and storage["minimumTlsVersion"] == "TLS1_2"
    assert storage["allowBlobPublicAccess"] is False
    openai = _resource("core/ai/openai.bicep", "account")["properties"]
    assert openai["disableLocalAuth"] is True
    insights = _resource("core/monitor/monitoring.bicep", "applicationInsights")["properties"]
    assert insights["DisableLocalAuth"] is True
    vault = _resource("core/security/keyvault.bicep", "vault")["properties"]
    assert vault["enableRbacAuthorization"] is True and vault["enablePurgeProtection"] is True
    sql = _resource("core/database/sql-server.bicep", "sqlServer")["properties"]
    assert sql["administrators"]["azureADOnlyAuthentication"] is True
    assert sql["minimalTlsVersion"] == "1.2"
    assert "administratorLogin" not in sql


def test_function_app_is_flex_consumption_python_311_with_a_user_assigned_identity() -> None:
    plan = _resource("core/host/flex-function-app.bicep", "plan")
    assert plan["sku"] == {"tier": "FlexConsumption", "name": "FC1"}
    app = _resource("core/host/flex-function-app.bicep", "functionApp")
    assert app["identity"]["type"] == "UserAssigned"
    props = app["properties"]
    assert props["httpsOnly"] is True and props["siteConfig"]["minTlsVersion"] == "1.2"
    assert props["functionAppConfig"]["deployment"]["storage"]["authentication"]["type"] == "UserAssignedIdentity"
    template = parse_bicep(INFRA / "core/host/flex-function-app.bicep")
    assert template is not None
    assert template["parameters"]["runtimeName"]["default"] == "python"
    assert template["parameters"]["runtimeVersion"]["default"] == "3.11"


def test_sql_database_is_serverless() -> None:
    template = parse_bicep(INFRA / "core/database/sql-server.bicep")
    assert template is not None
    assert template["parameters"]["skuName"]["default"].startswith("GP_S_Gen5_")
    db = template["resources"]["database"]["config"]
    assert db["sku"]["tier"] == "GeneralPurpose"


GEO_REDUNDANT = {"Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"}


def _allowed(parameter: dict[str, Any]) -> list[Any]:
    return next(d["argument"] for d in parameter.get("decorators", []) if d.get("type") == "allowed")


def test_storage_is_geo_redundant_whatever_the_parameter_says() -> None:
    module = parse_bicep(INFRA / "core/storage/storage-account.bicep")
    main = parse_bicep(INFRA / "main.bicep")
    assert module is not None and main is not None
    assert module["resources"]["storage"]["config"]["sku"] == {"name": "storageSkuName"}
    for template in (module, main):
        parameter = template["parameters"]["storageSkuName"]
        assert set(_allowed(parameter)) <= GEO_REDUNDANT
    # checkov resolves a parameter by name in whichever file it meets first: both defaults must agree
    assert module["parameters"]["storageSkuName"]["default"] == main["parameters"]["storageSkuName"]["default"]
    assert main["parameters"]["storageSkuName"]["default"] in GEO_REDUNDANT
    assert main["modules"]["storage"]["config"]["params"]["storageSkuName"] == "storageSkuName"


def test_sql_threat_detection_covers_every_alert_type_on_server_and_database() -> None:
    template = parse_bicep(INFRA / "core/database/sql-server.bicep")
    assert template is not None
    policies = {
        "serverThreatDetection": ("Microsoft.Sql/servers/securityAlertPolicies", "sqlServer"),
        "threatDetection": ("Microsoft.Sql/servers/databases/securityAlertPolicies", "database"),
    }
    for name, (kind, parent) in policies.items():
        resource = template["resources"][name]
        assert resource["type"] == kind
        config = resource["config"]
        assert config["parent"] == parent
        props = config["properties"]
        assert props["state"] == "Enabled" and props["disabledAlerts"] == []
        assert props["emailAddresses"] == ["alertEmailAddress"] and props["emailAccountAdmins"] is True


def test_sql_zone_redundancy_is_a_parameter_passed_from_main() -> None:
    module = parse_bicep(INFRA / "core/database/sql-server.bicep")
    main = parse_bicep(INFRA / "main.bicep")
    assert module is not None and main is not None
    assert module["resources"]["database"]["config"]["properties"]["zoneRedundant"] == "zoneRedundant"
    assert module["parameters"]["zoneRedundant"]["type"] == "bool"
    assert main["modules"]["sql"]["config"]["params"]["zoneRedundant"] == "sqlZoneRedundant"
    assert main["parameters"]["sqlZoneRedundant"]["default"] is False


def test_openai_account_has_a_managed_identity_and_no_keys() -> None:
    account = _resource("core/ai/openai.bicep", "account")
    assert account["identity"] == {"type": "SystemAssigned"}
    assert account["properties"]["disableLocalAuth"] is True


def test_the_webhook_stays_publicly_reachable() -> None:
    # Maytapi posts to /api/webhook from the internet: the checkov skip of CKV_AZURE_222 is a design decision.
    app = _resource("core/host/flex-function-app.bicep", "functionApp")
    assert app["properties"]["publicNetworkAccess"] == "Enabled"
    assert app["properties"]["httpsOnly"] is True


def test_every_data_plane_role_is_assigned_to_the_identity() -> None:
    text = (INFRA / "main.bicep").read_text(encoding="utf-8")
    for role in (
        "storageBlobDataOwner",
        "storageQueueDataContributor",
        "storageQueueDataMessageProcessor",
        "keyVaultSecretsUser",
        "cognitiveServicesOpenAIUser",
        "monitoringMetricsPublisher",
    ):
        assert re.search(
            rf"principalId: identity\.outputs\.principalId\s+principalType: 'ServicePrincipal'\s+"
            rf"roleDefinitionId: roles\.{role}",
            text,
        ), f"identity lacks {role}"
    ids = re.findall(r"'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'", text)
    assert len(ids) == len(set(ids)) >= 8


def test_alerts_watch_the_poison_queues_and_dead_outbox_rows() -> None:
    template = parse_bicep(INFRA / "app/alerts.bicep")
    assert template is not None
    poison = template["variables"]["poisonQuery"]["value"]
    assert poison.startswith("StorageQueueLogs") and 'OperationName == "PutMessage"' in poison
    assert '"/${inboundQueueName}-poison"' in poison
    dead = template["variables"]["deadOutboxQuery"]["value"]
    assert dead.startswith("traces") and 'message contains "outbox dead"' in dead
    for name in ("poisonAlert", "deadOutboxAlert"):
        criteria = template["resources"][name]["config"]["properties"]["criteria"]["allOf"][0]
        assert criteria["operator"] == "GreaterThan" and criteria["threshold"] == 0


# --- host.json -------------------------------------------------------------------------------------------------


def _host() -> dict[str, Any]:
    data = json.loads((ROOT / "host.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _seconds(value: str) -> int:
    h, m, s = (int(x) for x in value.split(":"))
    return h * 3600 + m * 60 + s


def test_host_json_queue_settings_are_sane() -> None:
    queues = _host()["extensions"]["queues"]
    assert 3 <= queues["maxDequeueCount"] <= 10
    assert 1 <= queues["batchSize"] <= 32
    assert 0 <= queues["newBatchThreshold"] <= queues["batchSize"]
    # at most 15 handlers at once per instance: SQLAlchemy's default pool (5 + 10 overflow) never makes one wait
    assert queues["batchSize"] + queues["newBatchThreshold"] <= 15
    # retries must outlast a serverless SQL resume (about a minute)
    assert queues["maxDequeueCount"] * _seconds(queues["visibilityTimeout"]) >= 60
    assert _seconds(queues["maxPollingInterval"]) <= 10
    assert queues["messageEncoding"] == "base64"


def test_host_json_timeout_logging_and_bundle() -> None:
    host = _host()
    assert host["version"] == "2.0"
    assert 60 <= _seconds(host["functionTimeout"]) <= 30 * 60
    sampling = host["logging"]["applicationInsights"]["samplingSettings"]
    excluded = set(sampling["excludedTypes"].split(";"))
    assert {"Request", "Exception", "Trace"} <= excluded  # the dead-outbox alert reads an unsampled trace
    assert host["logging"]["logLevel"]["Function"] == "Information"
    assert host["extensionBundle"] == {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"}
    assert host["extensions"]["http"]["routePrefix"] == "api"
