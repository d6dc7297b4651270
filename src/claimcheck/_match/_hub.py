"""Where a ``--model`` lives: a local directory, a preset name, or a Hugging Face hub name ``ORG/NAME[@REV]``.

Hub models are downloaded with ``huggingface_hub`` into the Hugging Face cache (``HF_HUB_CACHE``, else
``HF_HOME/hub``, else ``~/.cache/huggingface/hub``) from ``HF_ENDPOINT`` (default the public hub). The cache is
read first (``local_files_only``), so a model used once loads at once, even when the hub is unreachable; only a
model missing from the cache is downloaded, and never when offline (``offline=True``, as ``verify --offline``
passes, or ``HF_HUB_OFFLINE=1``). Both variables are read when a model is resolved, not when
``huggingface_hub`` is imported, so they work however late they are set.

Nothing here prints: the download's progress goes to ``huggingface_hub``'s own tqdm bars on stderr only when
the caller asks for them (``progress=True``), and a one-line notice goes to the ``on_download`` callback and to
the ``claimcheck`` logger.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .._errors import InputError, ScorerUnavailable
from ._extra import import_extra

__all__ = ["PRESETS", "Preset", "ResolvedModel", "hf_cache_dir", "is_offline", "resolve_model"]

log = logging.getLogger("claimcheck")

ModelKind = Literal["nli", "minicheck"]


@dataclass(frozen=True, slots=True)
class Preset:
    """A named model a user switches on with ``--model NAME``."""

    repo: str
    kind: ModelKind
    licence: str


PRESETS: dict[str, Preset] = {
    "minicheck": Preset("lytang/MiniCheck-DeBERTa-v3-Large", "minicheck", "MIT"),
    "minicheck-roberta": Preset("lytang/MiniCheck-RoBERTa-Large", "minicheck", "MIT"),
    "nli-base": Preset("MoritzLaurer/DeBERTa-v3-base-mnli-fever-anli", "nli", "MIT"),
    "nli-small": Preset("cross-encoder/nli-deberta-v3-xsmall", "nli", "Apache-2.0"),
}

# The hub's own rule for repo ids: ORG/NAME of letters, digits, "-", "_", "."; an optional @revision.
_HUB_NAME = re.compile(
    r"^(?P<repo>[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95})(?:@(?P<rev>[\w./-]{1,200}))?$"
)
# What a sequence classifier needs: config, tokenizer files, weights (safetensors first: no pickle).
_FILES = [
    "config.json",
    "*.safetensors",
    "tokenizer*",
    "special_tokens_map.json",
    "added_tokens.json",
    "vocab.*",
    "merges.txt",
    "*.model",
]
_PICKLED_WEIGHTS = ["pytorch_model.bin"]


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    """A model on local disk, and where it came from.

    Parameters:
        path: the directory with ``config.json``, tokenizer and weights.
        name: what the user asked for (a path, a preset or a hub name), for messages.
        kind: the kind the preset says (None: read it from the config).
        revision: the hub commit the files are from (None for a local directory).

    Example: ``resolve_model("nli-small").path`` → ``~/.cache/huggingface/hub/models--cross-encoder--…/snapshots/…``
    """

    path: Path
    name: str
    kind: ModelKind | None = None
    revision: str | None = None


def hf_cache_dir() -> Path:
    """The Hugging Face hub cache directory as the environment says now (``HF_HUB_CACHE``, ``HF_HOME``).

    Example: ``HF_HOME=/tmp/hf`` → ``Path("/tmp/hf/hub")``
    """
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
    return Path(base) / "huggingface" / "hub"


def is_offline(offline: bool | None = None) -> bool:
    """Whether to stay off the network: ``offline`` when given, else ``HF_HUB_OFFLINE`` (1/true/yes/on).

    Example: ``is_offline(None)`` is True under ``HF_HUB_OFFLINE=1``.
    """
    if offline is not None:
        return offline
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def resolve_model(
    spec: str | Path,
    *,
    offline: bool | None = None,
    progress: bool = False,
    on_download: Callable[[str], None] | None = None,
) -> ResolvedModel:
    """Find ``spec`` on local disk, downloading a hub model into the Hugging Face cache on first use.

    Parameters:
        spec: a model directory, a preset name (`PRESETS`), or a hub name ``ORG/NAME[@REVISION]``.
        offline: never touch the network (default: ``HF_HUB_OFFLINE``); a model not in the cache is an error.
        progress: show ``huggingface_hub``'s download progress bars (stderr) while downloading.
        on_download: called with a one-line notice before a download starts (the CLI prints it).

    Raises `InputError` naming ``spec`` when it is no directory, preset or hub name, when the hub does not
    know it, or when it is not cached and the run is offline; `ScorerUnavailable` when ``huggingface_hub`` is
    missing or the hub cannot be reached.
    Example: ``resolve_model("MoritzLaurer/DeBERTa-v3-base-mnli-fever-anli@main", offline=True)``
    """
    text = str(spec).strip()
    if not text:
        raise InputError("--model is empty: give a directory, a preset or a hub name ORG/NAME[@REVISION]")
    preset = PRESETS.get(text)
    local = Path(text).expanduser()
    if preset is None and (local.is_dir() or isinstance(spec, Path) or text.startswith((".", "/", "~"))):
        if not local.exists():
            raise InputError("--model: no such directory", path=text)
        return ResolvedModel(local, text)
    repo = preset.repo if preset is not None else text
    found = _HUB_NAME.match(repo)
    if found is None:
        names = ", ".join(PRESETS)
        raise InputError(
            f"--model {text!r}: no such directory, preset ({names}) or hub name ORG/NAME[@REVISION]"
        )
    repo_id, revision = found["repo"], found["rev"]
    path = _snapshot(
        text, repo_id, revision, offline=is_offline(offline), progress=progress, notice=on_download
    )
    return ResolvedModel(path, text, preset.kind if preset is not None else None, path.name)


def _snapshot(
    name: str,
    repo_id: str,
    revision: str | None,
    *,
    offline: bool,
    progress: bool,
    notice: Callable[[str], None] | None,
) -> Path:
    (hub,) = import_extra("nli", [("huggingface_hub", "huggingface_hub")])
    errors: Any = hub.errors
    cache = hf_cache_dir()
    try:
        return _download(hub, repo_id, revision, cache, local_only=True, progress=False)
    except errors.LocalEntryNotFoundError:
        pass  # not cached yet (or not all of it): the hub is next, unless offline
    if offline:
        raise InputError(
            f"--model {name}: {repo_id} is not in the Hugging Face cache ({cache}) and the run is offline "
            "(--offline or HF_HUB_OFFLINE); run once online to download it, or give a model directory"
        )
    endpoint = os.environ.get("HF_ENDPOINT") or None
    where = endpoint or "the Hugging Face hub"
    message = (
        f"{repo_id}{'@' + revision if revision else ''} is not in the Hugging Face cache ({cache}) yet: "
        f"downloading it from {where}"
    )
    log.info(message)
    if notice is not None:
        notice(message)
    try:
        return _download(
            hub, repo_id, revision, cache, local_only=False, progress=progress, endpoint=endpoint
        )
    except (errors.RepositoryNotFoundError, errors.RevisionNotFoundError) as exc:
        what = "revision" if isinstance(exc, errors.RevisionNotFoundError) else "model"
        raise InputError(
            f"--model {name}: the hub ({endpoint or 'huggingface.co'}) has no such {what}: "
            f"{repo_id}{'@' + revision if revision else ''}"
        ) from exc
    except (errors.HfHubHTTPError, errors.LocalEntryNotFoundError, OSError) as exc:
        raise ScorerUnavailable(
            f"--model {name}: cannot download {repo_id} from {where}: {_first_line(exc).removeprefix('Got: ')}",
            scorer="nli",
            package=None,
        ) from exc


def _download(
    hub: Any,
    repo_id: str,
    revision: str | None,
    cache: Path,
    *,
    local_only: bool,
    progress: bool,
    endpoint: str | None = None,
) -> Path:
    options: dict[str, Any] = {
        "repo_id": repo_id,
        "revision": revision,
        "cache_dir": str(cache),
        "local_files_only": local_only,
    }
    if endpoint:
        options["endpoint"] = endpoint
    if not progress:
        options["tqdm_class"] = _quiet_tqdm(hub)
    path = Path(hub.snapshot_download(allow_patterns=_FILES, **options))
    if not (path / "config.json").is_file():
        if local_only:
            raise hub.errors.LocalEntryNotFoundError(f"{repo_id}: no config.json in the cache")
        raise InputError(
            f"--model {repo_id}: the hub repository has no config.json: not a transformers model"
        )
    if not any(path.glob("*.safetensors")):
        # An older model with pickled weights only: transformers loads them with torch.load(weights_only=True).
        path = Path(hub.snapshot_download(allow_patterns=_PICKLED_WEIGHTS, **options))
        if not (path / "pytorch_model.bin").is_file():
            if local_only:
                raise hub.errors.LocalEntryNotFoundError(f"{repo_id}: no weights in the cache")
            raise InputError(f"--model {repo_id}: the hub repository has no model weights")
    return path


def _quiet_tqdm(hub: Any) -> Any:
    """huggingface_hub's tqdm class, switched off: library code shows no progress unless asked to."""
    base: Any = hub.utils.tqdm

    class Quiet(base):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

    return Quiet


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
