"""The Azure Storage adapter's configuration: connection strings, Azurite shorthand, managed identity."""

from __future__ import annotations

import pytest

from crm_core.queueing import build_inbound_queue
from crm_core.queueing.azure_storage import (
    DEV_ACCOUNT,
    AzureStorageQueue,
    _client,
    development_connection_string,
    resolve_connection_string,
)
from crm_core.settings import ConfigError, load_settings


def test_use_development_storage_means_azurite_on_10001() -> None:
    conn = resolve_connection_string("UseDevelopmentStorage=true")
    assert conn == development_connection_string()
    assert f"QueueEndpoint=http://127.0.0.1:10001/{DEV_ACCOUNT};" in conn
    assert f"AccountName={DEV_ACCOUNT}" in conn


def test_a_development_storage_proxy_host_is_honoured() -> None:
    conn = resolve_connection_string("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://azurite")
    assert "QueueEndpoint=http://azurite:10001/devstoreaccount1;" in conn


def test_a_real_connection_string_is_kept() -> None:
    conn = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net"
    assert resolve_connection_string(conn) == conn


def test_garbage_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="AzureWebJobsStorage"):
        resolve_connection_string("not a connection string")


def test_the_azure_backend_is_chosen_when_storage_is_configured() -> None:
    settings = load_settings(AzureWebJobsStorage="UseDevelopmentStorage=true", INBOUND_QUEUE="inbound")
    queue = build_inbound_queue(settings)
    assert isinstance(queue, AzureStorageQueue) and queue.name == "inbound"


def test_the_client_is_base64_encoded_like_the_trigger_expects() -> None:
    from azure.storage.queue import TextBase64DecodePolicy, TextBase64EncodePolicy

    client = _client(load_settings(AzureWebJobsStorage="UseDevelopmentStorage=true"), "inbound")
    assert isinstance(client._message_encode_policy, TextBase64EncodePolicy)
    assert isinstance(client._message_decode_policy, TextBase64DecodePolicy)
    assert client.queue_name == "inbound"
    assert client.url.startswith("http://127.0.0.1:10001/devstoreaccount1/inbound")


def test_identity_based_settings_use_a_managed_identity_and_no_key(monkeypatch) -> None:
    import azure.identity

    made: list[dict] = []

    class FakeCredential:
        def __init__(self, **kwargs) -> None:
            made.append(kwargs)

        def get_token(self, *scopes, **kwargs):  # pragma: no cover - never called: nothing connects
            raise AssertionError("no network in tests")

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", FakeCredential)
    settings = load_settings(
        AzureWebJobsStorage__queueServiceUri="https://acct.queue.core.windows.net",
        AzureWebJobsStorage__clientId="11111111-2222-3333-4444-555555555555",
    )
    client = _client(settings, "inbound")
    assert made == [{"managed_identity_client_id": "11111111-2222-3333-4444-555555555555"}]
    assert client.url.startswith("https://acct.queue.core.windows.net/inbound")


def test_an_account_name_alone_gives_the_public_endpoint(monkeypatch) -> None:
    import azure.identity

    class FakeCredential:
        def __init__(self, **kwargs) -> None:
            pass

        def get_token(self, *scopes, **kwargs):  # pragma: no cover - never called: nothing connects
            raise AssertionError("no network in tests")

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", FakeCredential)
    client = _client(load_settings(AzureWebJobsStorage__accountName="acct"), "inbound")
    assert client.url.startswith("https://acct.queue.core.windows.net/inbound")


def test_the_azure_backend_without_any_storage_setting_is_one_clear_error() -> None:
    queue = build_inbound_queue(load_settings(QUEUE_BACKEND="azure"))
    with pytest.raises(ConfigError, match="AzureWebJobsStorage"):
        queue.send("x")
