"""Settings: defaults, then ``refcheck.toml`` / ``[tool.refcheck]``, then environment, then CLI.

The config file is found from the working directory upwards (the first ``refcheck.toml``, or
``pyproject.toml`` with a ``[tool.refcheck]`` table). Paths in it are relative to its folder.
Unknown keys are an error that names the key: a typo must not silently do nothing.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from refcheck.errors import ConfigError

DEFAULT_CROSSREF_URL = "https://api.crossref.org"


class Settings(BaseModel):
    """Everything a check run can be told. Library callers build one directly."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    crossref_url: str = DEFAULT_CROSSREF_URL
    mailto: str | None = None
    # A Crossref Metadata Plus token; sent as a header, never printed.
    plus_token: str | None = Field(default=None, repr=False)
    cache_dir: Path | None = None
    no_cache: bool = False
    offline: bool = False
    snapshots: tuple[Path, ...] = ()
    timeout: float = 10.0
    retries: int = 3
    # Candidates asked of query.bibliographic for a reference without a DOI.
    search_rows: int = 5


# Keys a config file may hold, mapped to Settings fields (or None: CLI-level keys).
CONFIG_KEYS: dict[str, str | None] = {
    "crossref-url": "crossref_url",
    "mailto": "mailto",
    "cache-dir": "cache_dir",
    "no-cache": "no_cache",
    "offline": "offline",
    "snapshot": "snapshots",
    "timeout": "timeout",
    "retries": "retries",
    "search-rows": "search_rows",
    "format": None,
}

ENV_KEYS: dict[str, str] = {
    "REFCHECK_CROSSREF_URL": "crossref_url",
    "REFCHECK_MAILTO": "mailto",
    "REFCHECK_CACHE_DIR": "cache_dir",
    "REFCHECK_PLUS_TOKEN": "plus_token",
}


def find_config(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest config at or above ``start``: its path and its refcheck table."""
    for folder in (start.resolve(), *start.resolve().parents):
        own = folder / "refcheck.toml"
        if own.is_file():
            return own, _read_toml(own)
        project = folder / "pyproject.toml"
        if project.is_file():
            table = _read_toml(project).get("tool", {}).get("refcheck")
            if isinstance(table, dict):
                return project, table
    return None


def read_config_file(path: Path) -> tuple[Path, dict[str, Any]]:
    """An explicitly named config file: its refcheck table (``[tool.refcheck]`` or the whole)."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    raw = _read_toml(path)
    nested = raw.get("tool", {}).get("refcheck") if path.name == "pyproject.toml" else None
    return path, nested if isinstance(nested, dict) else raw


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None


def settings_from_table(table: Mapping[str, Any], base: Path, origin: str) -> dict[str, Any]:
    """Config-file keys -> Settings field values; paths made absolute against ``base``."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in CONFIG_KEYS:
            known = ", ".join(sorted(CONFIG_KEYS))
            raise ConfigError(f"{origin}: unknown key '{key}' (known keys: {known})")
        field = CONFIG_KEYS[key]
        if field is None:
            continue
        if field == "snapshots":
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise ConfigError(f"{origin}: 'snapshot' must be a path or a list of paths")
            value = tuple(base / item for item in items)
        elif field == "cache_dir" and isinstance(value, str):
            value = base / value
        values[field] = value
    return values


def settings_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    return {field: environ[name] for name, field in ENV_KEYS.items() if environ.get(name)}


def build_settings(*layers: Mapping[str, Any]) -> Settings:
    """Merge layers (later wins) into validated Settings; a bad value names its key."""
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update({k: v for k, v in layer.items() if v is not None})
    try:
        return Settings(**merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]).replace("_", "-")
        raise ConfigError(f"invalid value for '{key}': {first['msg']}") from None
