"""Independent check: the real Azure Functions Python worker indexes function_app and invokes its functions.

Run by `make worker-check` (part of `make test`) in a venv of its own with Python 3.13 and PyPI's
`azure-functions-runtime` (the worker Azure loads for Python 3.13+) plus requirements.txt. The worker's own code
does the work: `worker_init_request` imports function_app.py and indexes it as the host asks it to,
`functions_metadata_request` lists the functions with their bindings, `invocation_request` converts the inputs
(HTTP request, queue message, timer) into `azure.functions` objects, calls the function and converts the answer.

What stands in for the host is only the message containers: the host and the worker speak gRPC with protobuf
messages generated from FunctionRpc.proto, which no PyPI package ships; `Protos` builds look-alike objects with
the fields and oneofs the worker reads and writes. Settings point the app at a scratch SQLite database
(migrated on first use), an in-memory queue and the console channel: no network, no Azure.

Exit status 0 when every step succeeded; otherwise the step, the worker's answer and its exception are printed.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = {"http_app_func", "webhook", "process_inbound", "process_poison", "sweep"}


class Message:
    """A protobuf message look-alike: fields by keyword, `WhichOneof` for the oneof groups the worker reads."""

    ONEOFS: ClassVar[dict[str, tuple[str, ...]]] = {}

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    def __getattr__(self, name: str) -> Any:
        """An unset field reads as None; a nested type name (CamelCase) on an instance does not exist."""
        if name.startswith("_") or name[:1].isupper():
            raise AttributeError(name)
        return None

    def WhichOneof(self, group: str) -> str | None:
        for name in self.ONEOFS.get(group, ()):
            if self.__dict__.get(name) is not None:
                return name
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.__dict__!r})"


def _message(name: str, oneofs: dict[str, tuple[str, ...]] | None = None, **consts: Any) -> type[Message]:
    return type(name, (Message,), {"ONEOFS": oneofs or {}, **consts})


DATA = ("string", "json", "bytes", "stream", "http", "int", "double", "collection_bytes", "collection_string")


class Protos:
    """The message types the worker uses, by the names of FunctionRpc.proto."""

    TypedData = _message("TypedData", {"data": (*DATA, "model_binding_data", "collection_model_binding_data")})
    ParameterBinding = _message("ParameterBinding", {"rpc_data": ("data", "rpc_shared_memory")})
    StatusResult = _message("StatusResult", Failure=0, Success=1, Cancelled=2)
    BindingInfo = _message("BindingInfo", **{"in": 0, "out": 1, "inout": 2, "undefined": 3})
    RpcHttpCookie = _message("RpcHttpCookie", SameSite=SimpleNamespace(Lax=1, Strict=2, ExplicitNone=3))
    names = (
        "RpcHttp",
        "RpcException",
        "RpcFunctionMetadata",
        "RpcRetryOptions",
        "WorkerInitResponse",
        "WorkerMetadata",
        "FunctionMetadataResponse",
        "FunctionLoadResponse",
        "FunctionEnvironmentReloadResponse",
        "InvocationResponse",
        "NullableString",
        "NullableBool",
        "NullableDouble",
        "NullableTimestamp",
    )
    locals().update({n: _message(n) for n in names})


def _request(**inner: Any) -> Any:
    return SimpleNamespace(request=SimpleNamespace(**inner), properties={"host": "127.0.0.1", "protos": Protos})


def _invocation(function_id: str, inputs: dict[str, Any], metadata: dict[str, Any] | None = None) -> Any:
    invocation = SimpleNamespace(
        invocation_id=uuid.uuid4().hex,
        function_id=function_id,
        input_data=[Protos.ParameterBinding(name=k, data=v) for k, v in inputs.items()],
        trigger_metadata=metadata or {},
        trace_context=SimpleNamespace(trace_parent="", trace_state="", attributes={}),
        retry_context=SimpleNamespace(retry_count=0, max_retry_count=0, exception=None),
    )
    return _request(invocation_request=invocation)


def _http(method: str, url: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Any:
    rpc = Protos.RpcHttp(
        method=method,
        url=url,
        headers=headers or {},
        body=Protos.TypedData(bytes=body),
        params={},
        query={},
    )
    return Protos.TypedData(http=rpc)


class Failed(Exception):
    """A step of the check failed."""


def _succeeded(step: str, response: Any) -> Any:
    result = response.result
    if result is None or result.status != Protos.StatusResult.Success:
        raise Failed(f"{step}: {getattr(result, 'exception', None) or response!r}")
    print(f"ok  {step}")
    return response


def _http_answer(step: str, response: Any, status: int) -> dict[str, Any]:
    http = _succeeded(step, response).return_value.http
    body = http.body.bytes if http.body.bytes is not None else (http.body.string or "").encode()
    if str(http.status_code) != str(status):  # a string in FunctionRpc.proto
        raise Failed(f"{step}: HTTP {http.status_code}, expected {status}: {body[:300]!r}")
    result: dict[str, Any] = json.loads(body) if body else {}
    return result


def _settings(scratch: Path) -> None:
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{scratch / 'crm.db'}",
            "DATABASE_AUTO_MIGRATE": "true",
            "QUEUE_BACKEND": "memory",
            "CHANNEL": "console",
            "WEBHOOK_SECRET": "worker-check-webhook-secret",
            "AUTH_SECRET": "worker-check-auth-secret-0123456789abcdef",
            "INBOUND_QUEUE": "inbound",
            "SWEEP_SCHEDULE": "0 */1 * * * *",
            "FUNCTIONS_WORKER_RUNTIME": "python",
        }
    )


async def check() -> None:
    """Index function_app with the worker, then invoke one HTTP, one queue and one timer function."""
    import azure_functions_runtime as worker

    worker.start_threadpool_executor()
    init = Protos.WorkerInitResponse
    response = await worker.worker_init_request(
        _request(worker_init_request=SimpleNamespace(capabilities={}, function_app_directory=str(ROOT)))
    )
    assert isinstance(response, init)
    _succeeded("worker_init_request: function_app.py indexed", response)
    metadata = _succeeded("functions_metadata_request", await worker.functions_metadata_request(_request()))
    functions = {m.name: m for m in metadata.function_metadata_results}
    if set(functions) != EXPECTED:
        raise Failed(f"indexed functions {sorted(functions)}, expected {sorted(EXPECTED)}")
    bindings = {name: [json.loads(b) for b in m.raw_bindings] for name, m in functions.items()}
    shown = ", ".join(f"{n} ({bindings[n][0]['type']})" for n in sorted(functions))
    print(f"ok  indexed: {shown}")
    ids = {name: m.function_id for name, m in functions.items()}
    for function_id in ids.values():
        await worker.function_load_request(_request(function_load_request=SimpleNamespace(function_id=function_id)))

    base = "http://localhost:7071/api"
    api = ids["http_app_func"]
    doc = _http_answer(
        "http_app_func GET /api/openapi.json (AsgiMiddleware -> FastAPI)",
        await worker.invocation_request(_invocation(api, {"req": _http("GET", f"{base}/openapi.json")})),
        200,
    )
    if "/leads/{user_id}" not in doc.get("paths", {}):
        raise Failed(f"the OpenAPI document lists no /leads/{{user_id}}: {sorted(doc.get('paths', {}))}")
    err = _http_answer(
        "http_app_func GET /api/users/me without a token",
        await worker.invocation_request(_invocation(api, {"req": _http("GET", f"{base}/users/me")})),
        401,
    )
    if err.get("error", {}).get("code") != "unauthorized":
        raise Failed(f"the API answered {err}")
    _http_answer(
        "webhook POST /api/webhook with a wrong secret",
        await worker.invocation_request(
            _invocation(ids["webhook"], {"req": _http("POST", f"{base}/webhook?secret=wrong", b"{}")})
        ),
        401,
    )

    from datetime import UTC, datetime

    from crm_core.envelope import Envelope

    envelope = Envelope(
        provider="maytapi",
        message_id=f"worker-check-{uuid.uuid4().hex[:8]}",
        sender="+919800000099",
        text="help",
        sent_at=datetime.now(UTC),
    ).to_json()
    queue_metadata = {
        "DequeueCount": Protos.TypedData(json="1"),
        "Id": Protos.TypedData(string=uuid.uuid4().hex),
        "PopReceipt": Protos.TypedData(string="receipt"),
    }
    _succeeded(
        "process_inbound (queue message: an envelope from an unknown number)",
        await worker.invocation_request(
            _invocation(ids["process_inbound"], {"msg": Protos.TypedData(string=envelope)}, queue_metadata)
        ),
    )
    timer = json.dumps({"Schedule": {"AdjustForDST": True}, "ScheduleStatus": None, "IsPastDue": False})
    _succeeded(
        "sweep (timer)",
        await worker.invocation_request(_invocation(ids["sweep"], {"timer": Protos.TypedData(json=timer)})),
    )
    worker.stop_threadpool_executor()


def main() -> int:
    """Run the check in a scratch directory; 0 when every step succeeded."""
    if sys.version_info < (3, 13):
        print("worker check: azure-functions-runtime needs Python 3.13 or newer", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="crm-worker-check-") as scratch:
        _settings(Path(scratch))
        os.chdir(ROOT)
        sys.path.insert(0, str(ROOT))
        try:
            asyncio.run(check())
        except Failed as exc:
            print(f"FAILED {exc}", file=sys.stderr)
            return 1
    print("worker check: the real worker indexed function_app and ran an HTTP, a queue and a timer function")
    return 0


if __name__ == "__main__":
    sys.exit(main())
