"""The web dashboard in Azure: a Static Web App (Free) next to the Function App, its origin allowed by the API's
CORS setting, deployed by azd as the `web` service with a build against the deployed API."""

from __future__ import annotations

import os
import subprocess
from typing import Any

import yaml

from tests.infra.conftest import INFRA, ROOT, parse_bicep


def test_the_static_web_app_is_free_and_tagged_as_the_web_service() -> None:
    template = parse_bicep(INFRA / "app" / "web.bicep")
    assert template is not None
    site = template["resources"]["site"]
    assert site["type"] == "Microsoft.Web/staticSites"
    assert site["config"]["sku"] == {"name": "Free", "tier": "Free"}
    text = (INFRA / "app" / "web.bicep").read_text(encoding="utf-8")
    assert "'azd-service-name': 'web'" in text


def test_the_api_allows_the_dashboards_origin(main_template: dict[str, Any], app_settings: dict[str, Any]) -> None:
    assert "web" in main_template["modules"]
    assert app_settings["CORS_ORIGINS"] == "allowedOrigins"
    main = (INFRA / "main.bicep").read_text(encoding="utf-8")
    assert "var allowedOrigins = empty(corsOrigins) ? web.outputs.uri : '${web.outputs.uri},${corsOrigins}'" in main
    assert "output SERVICE_WEB_URI string = web.outputs.uri" in main


def test_azd_deploys_the_build_with_the_apis_origin() -> None:
    data = yaml.safe_load((ROOT / "azure.yaml").read_text(encoding="utf-8"))
    web = data["services"]["web"]
    assert (web["host"], web["language"], web["dist"]) == ("staticwebapp", "js", "web/dist")
    hook = web["hooks"]["prepackage"]["posix"]
    script = ROOT / hook["run"]
    assert script.is_file() and os.access(script, os.X_OK)
    assert subprocess.run(["sh", "-n", str(script)], capture_output=True).returncode == 0
    body = script.read_text(encoding="utf-8")
    assert 'CRM_API_BASE="$SERVICE_API_URI"' in body and "npm run -s build:web" in body
    # No `build` script: azd would otherwise rebuild without the API's origin after the hook.
    import json

    assert "build" not in json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["scripts"]


def test_the_function_app_package_leaves_the_web_sources_out() -> None:
    ignored = (ROOT / ".funcignore").read_text(encoding="utf-8").split()
    assert {"web", "node_modules"} <= set(ignored)
