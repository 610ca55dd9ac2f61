"""An OpenAI-compatible fake server on loopback that speaks the real wire format (chat completions, including
image input, and audio transcriptions).

Serves POST /v1/chat/completions (OpenAI, use `server.base_url`) and
POST /openai/deployments/{deployment}/chat/completions (Azure OpenAI, use `server.endpoint`).
Script the answers with `server.reply(...)`, `server.fail(status)` or `server.stall(seconds)`; when the script is
empty the default answer (settable with `server.default`) is given. Every request is recorded in `server.requests`.
POST /v1/audio/transcriptions and /openai/deployments/{deployment}/audio/transcriptions (multipart, as the SDK
sends them) answer from their own script: `server.transcript(text)`, `server.fail_audio(status)`,
`server.stall_audio(seconds)`; recorded in `server.audio_requests` (the file's bytes, the model, the prompt).
`server.on_request = fn` runs fn(recorded) in the server's thread before each answer, i.e. while the client waits
for the model (to check what the caller holds meanwhile).

    with FakeOpenAI() as server:
        server.reply({"intent": "help", ...})
        settings = load_settings(OPENAI_API_KEY="test", OPENAI_BASE_URL=server.base_url)
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages sent."""
        return list(self.body.get("messages", []))

    @property
    def system(self) -> str:
        """The system message's text."""
        return next((m["content"] for m in self.messages if m.get("role") == "system"), "")

    @property
    def user(self) -> str:
        """The user message's text (the text parts, when it also carries an image)."""
        content = next((m["content"] for m in self.messages if m.get("role") == "user"), "")
        if isinstance(content, list):
            return "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("type") == "text")
        return str(content)

    @property
    def images(self) -> list[str]:
        """The image URLs (data: URLs) the user message carries."""
        content = next((m["content"] for m in self.messages if m.get("role") == "user"), "")
        if not isinstance(content, list):
            return []
        return [str(p["image_url"]["url"]) for p in content if isinstance(p, dict) and p.get("type") == "image_url"]


@dataclass
class AudioRecorded:
    """One transcription request: the multipart fields and the uploaded file."""

    path: str
    headers: dict[str, str]
    fields: dict[str, str]
    file_name: str
    file_type: str
    file: bytes

    @property
    def model(self) -> str:
        """The model (OpenAI) or deployment (Azure) asked for."""
        return self.fields.get("model", "")

    @property
    def prompt(self) -> str:
        """The hint sent with the audio."""
        return self.fields.get("prompt", "")


@dataclass
class Scripted:
    """One scripted answer: a status, a JSON body, headers, and an optional delay before answering."""

    status: int = 200
    body: dict[str, Any] | str = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def completion(
    content: str | None,
    *,
    refusal: str | None = None,
    model: str = "gpt-4o-2024-08-06",
    prompt_tokens: int = 321,
    completion_tokens: int = 45,
    finish_reason: str = "stop",
) -> dict[str, Any]:
    """A chat.completion object shaped exactly like OpenAI's."""
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "logprobs": None,
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def follow_on(intent: str = "unknown", **fields: Any) -> dict[str, Any]:
    """One command of a strict-schema answer (as in `also`): every key present, null unless given."""
    keys = ("company", "contact_name", "phone", "email", "source", "assignee", "when", "note", "details")
    data: dict[str, Any] = {"intent": intent, **{k: None for k in keys}}
    data.update(fields)
    return data


def command_json(intent: str = "unknown", **fields: Any) -> str:
    """A strict-schema answer: every key present, null unless given; `also` (further commands) [] unless given."""
    data = {**follow_on(intent), "also": []}
    data.update(fields)
    return json.dumps(data, ensure_ascii=False)


def transcription(text: str, *, input_tokens: int = 120, output_tokens: int = 18) -> dict[str, Any]:
    """A transcription object shaped like OpenAI's answer for gpt-4o-transcribe (json)."""
    return {
        "text": text,
        "usage": {
            "type": "tokens",
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
            "input_token_details": {"audio_tokens": input_tokens, "text_tokens": 0},
        },
    }


def _multipart(content_type: str, raw: bytes) -> tuple[dict[str, str], tuple[str, str, bytes]]:
    """The text fields and the (name, type, bytes) file of a multipart/form-data body."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
    fields: dict[str, str] = {}
    upload = ("", "", b"")
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if part.get_filename():
            upload = (str(part.get_filename()), part.get_content_type(), data)
        elif name:
            fields[str(name)] = data.decode("utf-8")
    return fields, upload


def error_body(status: int, message: str = "error") -> dict[str, Any]:
    """An error object shaped like OpenAI's."""
    kind = "rate_limit_exceeded" if status == 429 else "server_error"
    return {"error": {"message": message, "type": kind, "param": None, "code": kind}}


class FakeOpenAI:
    """A threaded HTTP server on 127.0.0.1:<free port> answering chat completions from a script."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.script: deque[Scripted] = deque()
        self.default = Scripted(200, completion(command_json("unknown")))
        self.on_request: Callable[[Recorded], None] | None = None
        self.audio_requests: list[AudioRecorded] = []
        self.audio_script: deque[Scripted] = deque()
        self.audio_default = Scripted(200, transcription(""))
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    # -- scripting ---------------------------------------------------------------------------------------------

    def reply(self, content: str | dict[str, Any] | None, **kwargs: Any) -> FakeOpenAI:
        """Queue a 200 answer whose message content is `content` (a dict is sent as JSON)."""
        text = json.dumps(content, ensure_ascii=False) if isinstance(content, dict) else content
        self.script.append(Scripted(200, completion(text, **kwargs)))
        return self

    def refuse(self, reason: str = "I'm sorry, I can't help with that.") -> FakeOpenAI:
        """Queue a refusal (content null, refusal set), as structured outputs return it."""
        self.script.append(Scripted(200, completion(None, refusal=reason)))
        return self

    def fail(self, status: int, times: int = 1, retry_after_ms: int = 5) -> FakeOpenAI:
        """Queue `times` error answers with the given HTTP status."""
        for _ in range(times):
            headers = {"retry-after-ms": str(retry_after_ms)}
            self.script.append(Scripted(status, error_body(status), headers))
        return self

    def stall(self, seconds: float, times: int = 1) -> FakeOpenAI:
        """Queue answers that come only after `seconds` (longer than the client's timeout makes a timeout)."""
        for _ in range(times):
            self.script.append(Scripted(200, completion(command_json("help")), delay=seconds))
        return self

    def transcript(self, text: str, **kwargs: Any) -> FakeOpenAI:
        """Queue a 200 transcription answer."""
        self.audio_script.append(Scripted(200, transcription(text, **kwargs)))
        return self

    def fail_audio(self, status: int, times: int = 1, retry_after_ms: int = 5) -> FakeOpenAI:
        """Queue `times` transcription error answers with the given HTTP status."""
        for _ in range(times):
            self.audio_script.append(Scripted(status, error_body(status), {"retry-after-ms": str(retry_after_ms)}))
        return self

    def stall_audio(self, seconds: float, times: int = 1) -> FakeOpenAI:
        """Queue transcription answers that come only after `seconds`."""
        for _ in range(times):
            self.audio_script.append(Scripted(200, transcription("too late"), delay=seconds))
        return self

    @property
    def calls(self) -> int:
        """How many chat completion requests arrived."""
        return len(self.requests)

    @property
    def audio_calls(self) -> int:
        """How many transcription requests arrived."""
        return len(self.audio_requests)

    # -- addresses ---------------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._server.server_address[1])

    @property
    def endpoint(self) -> str:
        """The server root (AZURE_OPENAI_ENDPOINT)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI base URL (OPENAI_BASE_URL)."""
        return f"{self.endpoint}/v1"

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        """Start serving in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the handler -------------------------------------------------------------------------------------------

    def _next(self) -> Scripted:
        with self._lock:
            return self.script.popleft() if self.script else self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                if path == "/v1/audio/transcriptions" or (
                    path.startswith("/openai/deployments/") and path.endswith("/audio/transcriptions")
                ):
                    self._audio(raw)
                    return
                is_openai = path == "/v1/chat/completions"
                is_azure = path.startswith("/openai/deployments/") and path.endswith("/chat/completions")
                if not (is_openai or is_azure):
                    self._send(404, {"error": {"message": f"no route {path}", "type": "invalid_request_error"}}, {})
                    return
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    self._send(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}}, {})
                    return
                recorded = Recorded("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with fake._lock:
                    fake.requests.append(recorded)
                if fake.on_request is not None:
                    fake.on_request(recorded)
                answer = fake._next()
                if answer.delay:
                    time.sleep(answer.delay)
                self._send(answer.status, answer.body, answer.headers)

            def _audio(self, raw: bytes) -> None:
                content_type = self.headers.get("content-type") or ""
                if not content_type.startswith("multipart/form-data"):
                    self._send(400, {"error": {"message": "expected multipart", "type": "invalid_request_error"}}, {})
                    return
                fields, (name, ftype, data) = _multipart(content_type, raw)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with fake._lock:
                    fake.audio_requests.append(AudioRecorded(self.path, headers, fields, name, ftype, data))
                    answer = fake.audio_script.popleft() if fake.audio_script else fake.audio_default
                if answer.delay:
                    time.sleep(answer.delay)
                self._send(answer.status, answer.body, answer.headers)

            def _send(self, status: int, body: dict[str, Any] | str, headers: dict[str, str]) -> None:
                data = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:12]}")
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler
