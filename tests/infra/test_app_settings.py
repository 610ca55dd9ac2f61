"""The Function App's settings in main.bicep: every production setting the code reads, identity-based, no keys."""

from __future__ import annotations

import re
from typing import Any

from pydantic import AliasChoices
from sqlalchemy.engine import make_url

from crm_core.settings import Settings
from tests.infra.conftest import expression_text

# Settings production needs explicitly (the rest have safe defaults; see crm_core/settings.py).
REQUIRED_IN_PRODUCTION = {
    "DATABASE_URL",
    "DATABASE_AUTO_MIGRATE",
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_DEPLOYMENT",
    "MAYT_API_URL",
    "MAYT_API_TOKEN",
    "MAYTAPI_PRODUCT_ID",
    "MAYTAPI_PHONE_ID",
    "CHANNEL",
    "WEBHOOK_SECRET",
    "AUTH_SECRET",
    "INBOUND_QUEUE",
    "QUEUE_BACKEND",
    "TEAM_TIMEZONE",
    "SWEEP_SCHEDULE",
    "AzureWebJobsStorage__accountName",
    "AzureWebJobsStorage__queueServiceUri",
    "AzureWebJobsStorage__clientId",
}
# Read by the Functions host / azure-identity, not by Settings.
PLATFORM = {
    "AzureWebJobsStorage__blobServiceUri",
    "AzureWebJobsStorage__tableServiceUri",
    "AzureWebJobsStorage__credential",
    "AZURE_CLIENT_ID",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
}
KEY_VAULT_REFERENCE = re.compile(r"^\$\{secretRef\}/[a-z0-9-]+/\)$")


def settings_names() -> set[str]:
    """Every environment name crm_core.settings.Settings reads."""
    names: set[str] = set()
    for field in Settings.model_fields.values():
        if field.alias:
            names.add(field.alias)
        if isinstance(field.validation_alias, AliasChoices):
            names.add(str(field.validation_alias.choices[0]))
    return names


def test_every_production_setting_is_present(app_settings: dict[str, Any]) -> None:
    missing = REQUIRED_IN_PRODUCTION - set(app_settings)
    assert not missing, f"main.bicep lacks app settings: {sorted(missing)}"


def test_every_app_setting_is_read_by_the_app_or_the_platform(app_settings: dict[str, Any]) -> None:
    unknown = set(app_settings) - settings_names() - PLATFORM
    assert not unknown, f"app settings nobody reads (typo?): {sorted(unknown)}"


def test_required_names_are_real_settings() -> None:
    assert REQUIRED_IN_PRODUCTION <= settings_names()


def test_storage_connection_is_identity_based(app_settings: dict[str, Any]) -> None:
    assert "AzureWebJobsStorage" not in app_settings  # a connection string would carry the account key
    assert app_settings["AzureWebJobsStorage__credential"] == "managedidentity"
    assert expression_text(app_settings["AzureWebJobsStorage__clientId"]) == "identity.outputs.clientId"
    assert expression_text(app_settings["AZURE_CLIENT_ID"]) == "identity.outputs.clientId"
    assert app_settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"].endswith("Authorization=AAD")


def test_secrets_are_key_vault_references(app_settings: dict[str, Any]) -> None:
    for name in ("MAYT_API_TOKEN", "WEBHOOK_SECRET", "AUTH_SECRET"):
        assert KEY_VAULT_REFERENCE.match(app_settings[name]), f"{name} must reference Key Vault"


def test_secret_reference_uses_versionless_secret_uri(main_template: dict[str, Any]) -> None:
    ref = main_template["variables"]["secretRef"]["value"]
    assert ref.startswith("@Microsoft.KeyVault(SecretUri=")
    assert "keyVault.outputs.uri" in ref


def test_no_openai_or_storage_key_setting(app_settings: dict[str, Any]) -> None:
    assert "OPENAI_API_KEY" not in app_settings
    assert not any("KEY" in name and name != "MAYT_API_TOKEN" for name in app_settings if name.isupper())


def test_flex_consumption_rejects_runtime_settings(app_settings: dict[str, Any]) -> None:
    assert "FUNCTIONS_WORKER_RUNTIME" not in app_settings
    assert "FUNCTIONS_EXTENSION_VERSION" not in app_settings


def render_database_url(template: str, fqdn: str = "sql-x.database.windows.net", db: str = "crm") -> str:
    """main.bicep's DATABASE_URL with the SQL outputs filled in."""
    return template.replace("${sql.outputs.serverFqdn}", fqdn).replace("${sql.outputs.databaseName}", db)


def test_database_url_is_azure_sql_without_any_credential(
    main_template: dict[str, Any], app_settings: dict[str, Any]
) -> None:
    from sqlalchemy.dialects.mssql.pyodbc import dialect

    assert app_settings["DATABASE_URL"] == "databaseUrl"
    url = make_url(render_database_url(main_template["variables"]["databaseUrl"]["value"]))
    assert url.get_backend_name() == "mssql" and url.get_driver_name() == "pyodbc"
    assert not url.username and url.password is None  # so crm_core.db.engine injects the Entra token
    (odbc,), _kwargs = dialect().create_connect_args(url)
    assert "Driver={ODBC Driver 18 for SQL Server}" in odbc
    assert "Server=tcp:sql-x.database.windows.net,1433" in odbc and "Database=crm" in odbc
    assert "Encrypt=yes" in odbc and "TrustServerCertificate=no" in odbc
    for forbidden in ("Trusted_Connection", "UID=", "PWD=", "Authentication="):
        assert forbidden not in odbc  # msodbcsql refuses an access token next to any of these


def test_post_deploy_script_builds_the_same_url_as_the_app(main_template: dict[str, Any]) -> None:
    from tests.infra.test_scripts import load_run_sql

    template = main_template["variables"]["databaseUrl"]["value"]
    expected = make_url(render_database_url(template, "sql-abc.database.windows.net", "crm"))
    actual = make_url(load_run_sql().azure_sql_url("sql-abc.database.windows.net", "crm"))
    assert actual.query == expected.query


def test_literal_values_pass_the_apps_own_validation(app_settings: dict[str, Any]) -> None:
    # pycep gives Bicep expressions as BicepElement (a str subclass) and string literals as plain str.
    literal = {k: v for k, v in app_settings.items() if type(v) is str and k in settings_names() and "${" not in v}
    assert {"SWEEP_SCHEDULE", "QUIET_HOURS_START", "DIGEST_TIME", "QUEUE_BACKEND", "CHANNEL"} <= set(literal)
    settings = Settings(**{**literal, "TEAM_TIMEZONE": "Asia/Kolkata"})  # type: ignore[arg-type]
    assert settings.use_azure_queue and settings.use_maytapi
    assert len(literal["SWEEP_SCHEDULE"].split()) == 6  # NCRONTAB: seconds first


def test_inbound_queue_and_its_poison_queues_are_created(main_template: dict[str, Any]) -> None:
    queues = main_template["modules"]["storage"]["config"]["params"]["queues"]
    assert queues == ["inboundQueueName", "${inboundQueueName}-poison", "${inboundQueueName}-poison-poison"]
    assert main_template["parameters"]["inboundQueueName"]["default"] == "inbound"
