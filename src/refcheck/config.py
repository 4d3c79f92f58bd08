"""Settings: defaults, then ``refcheck.toml`` / ``[tool.refcheck]``, then environment, then CLI.

The config file is found from the working directory upwards (the first ``refcheck.toml``, or
``pyproject.toml`` with a ``[tool.refcheck]`` table). Paths in it are relative to its folder,
and so are its globs (``include``, ``exclude``, ``per-file-ignores``). Unknown keys are an
error that names the key: a typo must not silently do nothing.

Two models come out of the layers: :class:`Settings`, what the library needs to look
references up, and :class:`Options`, what the command line does with the verdicts
(formats, outputs, rule selection, severities, the exit policy, the baseline). Lists given
on a later layer replace the earlier list; tables (``severity``, ``per-file-ignores``,
``output-format``) are merged key by key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from refcheck.errors import ConfigError
from refcheck.policy import FailOn, Glob, Policy, resolve_selectors, resolve_severities

DEFAULT_CROSSREF_URL = "https://api.crossref.org"
DEFAULT_DATACITE_URL = "https://api.datacite.org"
DEFAULT_ARXIV_URL = "https://export.arxiv.org"
DEFAULT_OPENLIBRARY_URL = "https://openlibrary.org"

# The sources a run may ask, by the names users type (``--source``, ``sources``), with the
# names messages give them. Default: all.
SOURCES: dict[str, str] = {
    "crossref": "Crossref",
    "datacite": "DataCite",
    "arxiv": "arXiv",
    "openlibrary": "Open Library",
    "doi.org": "doi.org",
}
# Other spellings a user may type for them.
_SOURCE_ALIASES = {"open-library": "openlibrary", "doi": "doi.org", "doiorg": "doi.org"}


def source_names(values: Any, where: str) -> tuple[str, ...]:
    """Source names (a list, or one string of comma-separated names) as SOURCES spells
    them, in SOURCES' order. Raises ConfigError naming ``where`` for an unknown name or
    an empty choice."""
    items = _strings(value=values, where=where, what="a source name")
    chosen: set[str] = set()
    for item in items:
        for part in item.split(","):
            name = part.strip().lower()
            if not name:
                continue
            name = _SOURCE_ALIASES.get(name, name)
            if name not in SOURCES:
                raise ConfigError(
                    f"{where}: unknown source {part.strip()!r} (one of: {', '.join(SOURCES)})"
                )
            chosen.add(name)
    if not chosen:
        raise ConfigError(f"{where}: name at least one source (one of: {', '.join(SOURCES)})")
    return tuple(name for name in SOURCES if name in chosen)


def not_asked(source: str) -> str:
    """Why a reference only ``source`` could answer is unverified: it was left out."""
    return f"{SOURCES.get(source, source)} was not asked (--source)"


class Settings(BaseModel):
    """Everything a check run can be told. Library callers build one directly."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    crossref_url: str = DEFAULT_CROSSREF_URL
    # DataCite's REST API, asked for DOIs whose registration agency is DataCite.
    datacite_url: str = DEFAULT_DATACITE_URL
    # arXiv's export API, asked for the published version of arXiv preprints (RC703).
    arxiv_url: str = DEFAULT_ARXIV_URL
    # Open Library, asked for books by ISBN when Crossref lists none, and by title and author.
    # None: https://openlibrary.org when Crossref is Crossref's own API, not asked when it is
    # a mirror or a stand-in (as doi.org below).
    openlibrary_url: str | None = None
    # doi.org: the registration agencies of many DOIs a request (/ra/), and the records of
    # agencies other than Crossref and DataCite by content negotiation. None: https://doi.org
    # when Crossref is Crossref's own API, not asked when it is a mirror or a stand-in (a run
    # against a mirror never reaches the internet behind the caller's back).
    doi_url: str | None = None
    # The sources asked, by SOURCES' names; one left out is never asked, and a reference
    # only it could answer is unverified, naming it.
    sources: tuple[str, ...] = tuple(SOURCES)
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
    # Worker processes that check the references found by search in an offline run against
    # a snapshot store, once a run has many (searching a large store is CPU-bound). 0: one
    # a CPU; 1: none, all in this process. At most 61, Windows' limit for a process pool.
    jobs: int = Field(default=1, ge=0, le=61)

    @field_validator("sources", mode="before")
    @classmethod
    def _known_sources(cls, value: Any) -> tuple[str, ...]:
        return source_names(list(value) if isinstance(value, tuple) else value, "sources")


class Options(BaseModel):
    """What the command line does around a check: reports, rule policy, exit code."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: str = "text"
    output: Path | None = None
    # Extra reports written in the same run: format -> file.
    output_formats: dict[str, Path] = Field(default_factory=dict)
    fail_on: FailOn = FailOn.ERROR
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    severity: dict[str, str] = Field(default_factory=dict)
    baseline: Path | None = None
    # The folder globs are matched from: the config file's, else the working directory.
    root: Path = Field(default_factory=Path.cwd)

    def policy(self) -> Policy:
        """The rule policy; selectors were checked when the layers were read."""
        origin = "config"
        return Policy(
            select=None if self.select is None else resolve_selectors(self.select, origin),
            ignore=resolve_selectors(self.ignore, origin),
            per_file_ignores=tuple(
                (Glob(pattern), resolve_selectors(codes, origin))
                for pattern, codes in self.per_file_ignores.items()
            ),
            severity=resolve_severities(self.severity, origin),
            root=self.root,
        )

    def include_globs(self) -> tuple[Glob, ...]:
        return tuple(Glob(pattern) for pattern in self.include)

    def exclude_globs(self) -> tuple[Glob, ...]:
        return tuple(Glob(pattern) for pattern in self.exclude)


# Config keys -> (model, field). "settings" keys reach the library; "options" the CLI.
CONFIG_KEYS: dict[str, tuple[str, str]] = {
    "crossref-url": ("settings", "crossref_url"),
    "datacite-url": ("settings", "datacite_url"),
    "arxiv-url": ("settings", "arxiv_url"),
    "openlibrary-url": ("settings", "openlibrary_url"),
    "doi-url": ("settings", "doi_url"),
    "sources": ("settings", "sources"),
    "mailto": ("settings", "mailto"),
    "cache-dir": ("settings", "cache_dir"),
    "no-cache": ("settings", "no_cache"),
    "offline": ("settings", "offline"),
    "snapshot": ("settings", "snapshots"),
    "timeout": ("settings", "timeout"),
    "retries": ("settings", "retries"),
    "search-rows": ("settings", "search_rows"),
    "jobs": ("settings", "jobs"),
    "format": ("options", "format"),
    "output": ("options", "output"),
    "output-format": ("options", "output_formats"),
    "fail-on": ("options", "fail_on"),
    "select": ("options", "select"),
    "ignore": ("options", "ignore"),
    "include": ("options", "include"),
    "exclude": ("options", "exclude"),
    "per-file-ignores": ("options", "per_file_ignores"),
    "severity": ("options", "severity"),
    "baseline": ("options", "baseline"),
}

# Options whose values are tables: a later layer adds to (or replaces keys of) earlier ones.
MERGED_FIELDS = frozenset({"output_formats", "per_file_ignores", "severity"})

ENV_KEYS: dict[str, tuple[str, str]] = {
    "REFCHECK_CROSSREF_URL": ("settings", "crossref_url"),
    "REFCHECK_DATACITE_URL": ("settings", "datacite_url"),
    "REFCHECK_ARXIV_URL": ("settings", "arxiv_url"),
    "REFCHECK_OPENLIBRARY_URL": ("settings", "openlibrary_url"),
    "REFCHECK_DOI_URL": ("settings", "doi_url"),
    "REFCHECK_MAILTO": ("settings", "mailto"),
    "REFCHECK_CACHE_DIR": ("settings", "cache_dir"),
    "REFCHECK_PLUS_TOKEN": ("settings", "plus_token"),
    "REFCHECK_OFFLINE": ("settings", "offline"),
    "REFCHECK_NO_CACHE": ("settings", "no_cache"),
    "REFCHECK_TIMEOUT": ("settings", "timeout"),
    "REFCHECK_FORMAT": ("options", "format"),
    "REFCHECK_FAIL_ON": ("options", "fail_on"),
}

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


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
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: cannot read config: not UTF-8") from None


# --- values checked where they are read, so that an error names its key -------------------


def _strings(value: Any, where: str, what: str) -> tuple[str, ...]:
    """A list of strings (a single string is a list of one)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ConfigError(f"{where} must be {what} or a list of them")
    return tuple(items)


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table")
    return value


def _selectors(value: Any, where: str) -> tuple[str, ...]:
    selectors = _strings(value, where, "a rule code")
    resolve_selectors(selectors, where)
    return selectors


def _fail_on(value: Any, where: str) -> FailOn:
    try:
        return FailOn(str(value).strip().lower())
    except ValueError:
        choices = ", ".join(f.value for f in FailOn)
        raise ConfigError(f"{where} must be one of {choices}, not {value!r}") from None


def _format(value: Any, where: str) -> str:
    from refcheck.report.registry import FORMATS  # the registry imports the reports

    if not isinstance(value, str) or value not in FORMATS:
        raise ConfigError(f"{where}: unknown format {value!r} (one of: {', '.join(FORMATS)})")
    return value


def _path(value: Any, where: str, base: Path | None) -> Path:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where} must be a path")
    path = Path(value).expanduser()
    return base / path if base is not None and not path.is_absolute() else path


def _bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"{where} must be true or false, not {value!r}")


def option_value(field: str, value: Any, where: str, base: Path | None) -> Any:
    """One option's value checked and converted; ``where`` names it in errors."""
    if field in ("select", "ignore"):
        return _selectors(value, where)
    if field in ("include", "exclude"):
        return _strings(value, where, "a glob")
    if field == "fail_on":
        return _fail_on(value, where)
    if field == "format":
        return _format(value, where)
    if field in ("output", "baseline"):
        return _path(value, where, base)
    if field == "output_formats":
        return {
            _format(fmt, f"{where}.{fmt}"): _path(target, f"{where}.{fmt}", base)
            for fmt, target in _table(value, where).items()
        }
    if field == "per_file_ignores":
        return {
            str(pattern): _selectors(codes, f"{where}.{pattern!r}")
            for pattern, codes in _table(value, where).items()
        }
    if field == "severity":
        table = _table(value, where)
        if not all(isinstance(level, str) for level in table.values()):
            raise ConfigError(f"{where}: each severity must be error, warning or info")
        resolve_severities(table, where)
        return dict(table)
    return value


@dataclass(frozen=True, slots=True)
class Layer:
    """One source of settings and options (config file, environment, command line)."""

    settings: dict[str, Any]
    options: dict[str, Any]


def layer_from_table(table: Mapping[str, Any], base: Path, origin: str) -> Layer:
    """A config file's refcheck table as a layer; paths made absolute against ``base``."""
    layer = Layer({}, {"root": base})
    for key, value in table.items():
        if key not in CONFIG_KEYS:
            known = ", ".join(sorted(CONFIG_KEYS))
            raise ConfigError(f"{origin}: unknown key '{key}' (known keys: {known})")
        target, field = CONFIG_KEYS[key]
        where = f"{origin}: '{key}'"
        if target == "options":
            layer.options[field] = option_value(field, value, where, base)
            continue
        if field == "snapshots":
            value = tuple(base / item for item in _strings(value, where, "a path"))
        elif field == "cache_dir":
            value = _path(value, where, base)
        elif field in ("offline", "no_cache"):
            value = _bool(value, where)
        elif field == "sources":
            value = source_names(value, where)
        layer.settings[field] = value
    return layer


def settings_from_table(table: Mapping[str, Any], base: Path, origin: str) -> dict[str, Any]:
    """Config-file keys -> Settings field values (the options are checked, then dropped)."""
    return layer_from_table(table, base, origin).settings


def layer_from_env(environ: Mapping[str, str] | None = None) -> Layer:
    environ = os.environ if environ is None else environ
    layer = Layer({}, {})
    for name, (target, field) in ENV_KEYS.items():
        raw = environ.get(name)
        if not raw:
            continue
        where = f"environment variable {name}"
        if field in ("offline", "no_cache"):
            layer.settings[field] = _bool(raw, where)
        elif field == "cache_dir":
            layer.settings[field] = Path(raw).expanduser()
        elif target == "options":
            layer.options[field] = option_value(field, raw, where, None)
        else:
            layer.settings[field] = raw
    return layer


def settings_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    return layer_from_env(environ).settings


def _validated(model: type[BaseModel], merged: dict[str, Any]) -> Any:
    try:
        return model(**merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]).replace("_", "-")
        if key == "snapshots":
            key = "snapshot"
        raise ConfigError(f"invalid value for '{key}': {first['msg']}") from None


def _merge(layers: tuple[Mapping[str, Any], ...]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if value is None:
                continue
            if key in MERGED_FIELDS and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged


def build_settings(*layers: Mapping[str, Any]) -> Settings:
    """Merge layers (later wins) into validated Settings; a bad value names its key."""
    result: Settings = _validated(Settings, _merge(layers))
    return result


def build_options(*layers: Mapping[str, Any]) -> Options:
    """Merge option layers (later wins, tables merged by key) into validated Options."""
    result: Options = _validated(Options, _merge(layers))
    return result


@dataclass(frozen=True, slots=True)
class Loaded:
    settings: Settings
    options: Options
    config_path: Path | None


def load(
    cli: Layer,
    *,
    config: Path | None = None,
    isolated: bool = False,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Loaded:
    """Defaults < config file < environment < command line, validated."""
    here = cwd or Path.cwd()
    file_layer = Layer({}, {"root": here})
    config_path: Path | None = None
    if not isolated:
        found = read_config_file(config) if config is not None else find_config(here)
        if found is not None:
            config_path, table = found
            file_layer = layer_from_table(table, config_path.parent.resolve(), str(config_path))
    env_layer = layer_from_env(environ)
    layers = (file_layer, env_layer, cli)
    return Loaded(
        settings=build_settings(*(layer.settings for layer in layers)),
        options=build_options(*(layer.options for layer in layers)),
        config_path=config_path,
    )
