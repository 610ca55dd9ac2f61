"""The README's Deploy section covers what a team needs to go live, and its commands match the repository."""

from __future__ import annotations

import re

from tests.infra.conftest import INFRA, ROOT

DOC = ROOT / "README.md"


def test_deploy_section_has_every_part() -> None:
    text = _deploy_section()
    assert text.startswith("## Deploy")
    for heading in ("Prerequisites", "`azd up`", "Post-deploy steps", "Rotating secrets", "host.json", "Scaling"):
        assert re.search(rf"^### .*{re.escape(heading)}", text, re.MULTILINE), heading
    for limit in ("Maytapi", "duplicate filter", "TPM", "SQL serverless", "maximumInstanceCount", "10×", "100×"):
        assert limit in text, limit


def test_every_script_the_doc_names_exists() -> None:
    text = _deploy_section()
    for name in set(re.findall(r"infra/scripts/([\w.]+)", text)):
        assert (INFRA / "scripts" / name).is_file(), name


def test_the_documented_alert_queries_are_the_deployed_ones() -> None:
    text = _deploy_section()
    alerts = (INFRA / "app" / "alerts.bicep").read_text(encoding="utf-8")
    for query in re.findall(r"`((?:StorageQueueLogs|traces) \|[^`]+)`", text):
        deployed = query.replace("/inbound-poison", "/${inboundQueueName}-poison")
        assert deployed in alerts, query


def test_documented_host_json_values_match_host_json() -> None:
    import json

    host = json.loads((ROOT / "host.json").read_text(encoding="utf-8"))
    queues = host["extensions"]["queues"]
    text = _deploy_section()
    assert f"| `extensions.queues.batchSize` | {queues['batchSize']} |" in text
    assert f"| `newBatchThreshold` | {queues['newBatchThreshold']} |" in text
    assert f"| `maxDequeueCount` | {queues['maxDequeueCount']} |" in text
    assert (
        f"| sampling `excludedTypes` | `{host['logging']['applicationInsights']['samplingSettings']['excludedTypes']}` |"
        in text
    )


def _deploy_section() -> str:
    """The README from its "## Deploy" heading to the next second-level heading."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index("\n## Deploy") + 1
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]
