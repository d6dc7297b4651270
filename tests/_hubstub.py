"""A stand-in for the Hugging Face hub on 127.0.0.1, and tiny randomly initialised models to serve from it.

The server answers the routes ``huggingface_hub.snapshot_download`` uses:
``GET /api/models/{org}/{name}/revision/{rev}`` (the commit of a branch), ``GET /api/models/{org}/{name}/tree/{rev}``
(the file listing), and ``HEAD``/``GET /{org}/{name}/resolve/{rev}/{file}`` with the ``X-Repo-Commit``, ``ETag``
and ``Content-Length`` headers the client reads; an unknown repository is a 404 with ``X-Error-Code:
RepoNotFound``, as the real hub answers. Every request is recorded in ``requests``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
MNLI = {0: "CONTRADICTION", 1: "NEUTRAL", 2: "ENTAILMENT"}
MINICHECK = {0: "LABEL_0", 1: "LABEL_1"}


def vocabulary(*texts: str) -> list[str]:
    """Special tokens, then every lower-cased word and punctuation mark of ``texts`` (a WordPiece vocab)."""
    words = sorted({w for t in texts for w in re.findall(r"\w+|[^\w\s]", t.lower())})
    return SPECIALS + [w for w in words if w not in SPECIALS]


def tiny_model(
    path: Path,
    id2label: dict[int, str],
    *,
    texts: tuple[str, ...] = ("the model improves accuracy on mnli .",),
    arch: str = "deberta",
    bias: list[float] | None = None,
    max_positions: int = 512,
    head: bool = True,
    spread: float = 0.02,
) -> Path:
    """A randomly initialised 2-layer DeBERTa-v2 (or BERT) classifier with a WordPiece tokenizer, saved to ``path``.

    ``bias`` zeroes the classifier weights and sets its bias, so one output always wins whatever the input.
    ``head=False`` saves a bare encoder (no sequence-classification head): a model of the wrong kind.
    ``spread`` is the initializer range: larger weights make the outputs depend visibly on the input.
    """
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    transformers = pytest.importorskip("transformers", reason="needs the nli extra (transformers)")
    path.mkdir(parents=True, exist_ok=True)
    vocab = vocabulary(*texts)
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(path / "vocab.txt"), do_lower_case=True)
    tokenizer.model_max_length = max_positions
    tokenizer.save_pretrained(str(path))
    torch.manual_seed(0)
    common: dict[str, Any] = {
        "vocab_size": len(vocab),
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "intermediate_size": 37,
        "max_position_embeddings": max_positions,
        "num_labels": len(id2label),
        "id2label": id2label,
        "label2id": {v: k for k, v in id2label.items()},
        "initializer_range": spread,
    }
    if arch == "deberta":
        config = transformers.DebertaV2Config(**common, relative_attention=True, position_buckets=16,
                                              pos_att_type=["p2c", "c2p"], max_relative_positions=-1)  # fmt: skip
        cls = transformers.DebertaV2ForSequenceClassification if head else transformers.DebertaV2Model
    else:
        config = transformers.BertConfig(**common)
        cls = transformers.BertForSequenceClassification if head else transformers.BertModel
    model = cls(config)
    if bias is not None:
        with torch.no_grad():
            model.classifier.weight.zero_()
            model.classifier.bias.copy_(torch.tensor(bias))
    model.save_pretrained(str(path))
    return path


@dataclass
class Repo:
    """One model repository the stand-in serves: its files and its commit."""

    files: dict[str, bytes]
    commit: str


@dataclass
class HubStub:
    """The running stand-in: its base URL, the repositories it serves, and the requests it saw."""

    url: str
    repos: dict[str, Repo] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def add(self, repo_id: str, directory: Path) -> Repo:
        """Serve every file of ``directory`` as ``repo_id`` (revision ``main``)."""
        files = {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}
        digest = hashlib.sha1(repo_id.encode() + b"".join(files.values()), usedforsecurity=False).hexdigest()
        self.repos[repo_id] = Repo(files, digest)
        return self.repos[repo_id]


def _handler(hub: HubStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

        def _send(self, status: int, body: bytes, headers: dict[str, str], head: bool = False) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _missing(self, code: str = "RepoNotFound", head: bool = False) -> None:
            body = json.dumps({"error": "Repository Not Found"}).encode()
            self._send(404, body, {"X-Error-Code": code, "Content-Type": "application/json"}, head)

        def _route(self, head: bool) -> None:
            path = self.path.split("?", 1)[0]
            hub.requests.append(f"{self.command} {path}")
            api = re.match(r"^/api/models/([^/]+/[^/]+)/(revision|tree)/([^/]+)", path)
            if api:
                repo = hub.repos.get(api[1])
                if repo is None:
                    return self._missing(head=head)
                if api[3] not in ("main", repo.commit):
                    return self._missing("RevisionNotFound", head)
                if api[2] == "revision":
                    info = {"id": api[1], "modelId": api[1], "sha": repo.commit,
                            "siblings": [{"rfilename": f} for f in repo.files]}  # fmt: skip
                else:
                    info = [  # type: ignore[assignment]
                        {"type": "file", "path": f, "size": len(b),
                         "oid": hashlib.sha1(b, usedforsecurity=False).hexdigest()}
                        for f, b in repo.files.items()
                    ]  # fmt: skip
                return self._send(200, json.dumps(info).encode(), {"Content-Type": "application/json"}, head)
            res = re.match(r"^/([^/]+/[^/]+)/resolve/([^/]+)/(.+)$", path)
            if res:
                repo = hub.repos.get(res[1])
                if repo is None:
                    return self._missing(head=head)
                if res[2] not in ("main", repo.commit):
                    return self._missing("RevisionNotFound", head)
                body = repo.files.get(res[3])
                if body is None:
                    return self._missing("EntryNotFound", head)
                etag = hashlib.sha1(body, usedforsecurity=False).hexdigest()
                headers = {"X-Repo-Commit": repo.commit, "ETag": f'"{etag}"',
                           "Content-Type": "application/octet-stream"}  # fmt: skip
                return self._send(200, body, headers, head)
            return self._missing(head=head)

        def do_GET(self) -> None:
            self._route(head=False)

        def do_HEAD(self) -> None:
            self._route(head=True)

    return Handler


@contextmanager
def serve_hub() -> Iterator[HubStub]:
    """Run the stand-in on a free port of 127.0.0.1 for the ``with`` block; it is gone afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(HubStub("")))
    hub = HubStub(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(hub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
