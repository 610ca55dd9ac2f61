"""The openai SDK client for the media step, on the parser's configuration (crm_core.parsing.gpt).

OpenAI when OPENAI_API_KEY is set, else Azure OpenAI (AZURE_OPENAI_ENDPOINT + AZURE_OPENAI_DEPLOYMENT) with a token
from the managed identity and no key. On Azure the client names no deployment: the SDK sends each call to
/openai/deployments/{model}/…, so one client reaches both the transcription deployment (TRANSCRIBE_MODEL) and the
gpt-4o one. The SDK is imported on first use only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crm_core.settings import Settings

AZURE_SCOPE = "https://cognitiveservices.azure.com/.default"


def uses_azure(settings: Settings) -> bool:
    """Whether the parser's configuration is Azure OpenAI (the same rule as crm_core.parsing.gpt.GptParser)."""
    return bool(settings.azure_openai_endpoint and settings.azure_openai_deployment)


def chat_model(settings: Settings) -> str:
    """The model (OpenAI) or deployment (Azure) the parser uses: gpt-4o, which also reads cards."""
    if uses_azure(settings):
        return settings.azure_openai_deployment or settings.openai_model
    return settings.openai_model


def build_client(
    settings: Settings, *, api_version: str | None = None, token_provider: Callable[[], str] | None = None
) -> Any:
    """An OpenAI or AzureOpenAI client with the parser's timeout and retries (the SDK retries 429/5xx itself)."""
    if uses_azure(settings):
        from openai import AzureOpenAI

        provider = token_provider
        if provider is None:
            from azure.identity import DefaultAzureCredential, get_bearer_token_provider

            provider = get_bearer_token_provider(DefaultAzureCredential(), AZURE_SCOPE)
        return AzureOpenAI(
            azure_endpoint=settings.azure_openai_endpoint or "",
            api_version=api_version or settings.azure_openai_api_version,
            azure_ad_token_provider=provider,
            timeout=settings.llm_timeout_seconds,
            max_retries=settings.llm_max_retries,
        )
    from openai import OpenAI

    return OpenAI(
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_retries,
    )


def transient_or_none(exc: BaseException) -> str | None:
    """Why an openai SDK error is worth a retry (timeouts, connection errors, 408/409/429, 5xx), or None."""
    import openai

    if isinstance(exc, openai.APITimeoutError | openai.APIConnectionError | openai.RateLimitError):
        return type(exc).__name__
    if isinstance(exc, openai.APIStatusError) and (exc.status_code >= 500 or exc.status_code in (408, 409, 429)):
        return f"HTTP {exc.status_code}"
    return None
