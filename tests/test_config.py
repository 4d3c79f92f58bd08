"""Config: every key, discovery, paths, precedence (config < environment < command line)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from refcheck.cli import main
from refcheck.config import CONFIG_KEYS, Layer, find_config, load
from refcheck.errors import ConfigError
from refcheck.models import Severity
from refcheck.policy import FailOn
from refcheck.testing.crossref_standin import CrossrefStandin, load_records

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "seed-abbreviated.bib"

FULL = """\
mailto = "me@example.org"
crossref-url = "http://127.0.0.1:9"
cache-dir = "cache"
snapshot = ["works.jsonl"]
format = "json"
output = "report.json"
fail-on = "warning"
select = ["RC1", "author-missing", "RC6"]
ignore = ["RC103"]
include = ["*.bib"]
exclude = ["drafts"]
offline = true
no-cache = false
timeout = 3.5
retries = 1
search-rows = 7
baseline = "baseline.json"

[per-file-ignores]
"posts/**" = ["RC104", "no-match"]

[severity]
RC502 = "warning"

[output-format]
sarif = "out/refcheck.sarif"
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_every_key_is_read_with_paths_relative_to_the_config(tmp_path: Path) -> None:
    write(tmp_path / "refcheck.toml", FULL)
    loaded = load(Layer({}, {}), cwd=tmp_path, environ={})
    settings, options = loaded.settings, loaded.options
    assert loaded.config_path == tmp_path / "refcheck.toml"
    assert settings.mailto == "me@example.org"
    assert settings.crossref_url == "http://127.0.0.1:9"
    assert settings.cache_dir == tmp_path / "cache"
    assert settings.snapshots == (tmp_path / "works.jsonl",)
    assert settings.offline is True
    assert settings.no_cache is False
    assert settings.timeout == 3.5
    assert (settings.retries, settings.search_rows) == (1, 7)
    assert options.format == "json"
    assert options.output == tmp_path / "report.json"
    assert options.fail_on is FailOn.WARNING
    assert options.select == ("RC1", "author-missing", "RC6")
    assert options.ignore == ("RC103",)
    assert options.include == ("*.bib",)
    assert options.exclude == ("drafts",)
    assert options.per_file_ignores == {"posts/**": ("RC104", "no-match")}
    assert options.severity == {"RC502": "warning"}
    assert options.output_formats == {"sarif": tmp_path / "out" / "refcheck.sarif"}
    assert options.baseline == tmp_path / "baseline.json"
    assert options.root == tmp_path.resolve()

    policy = options.policy()
    assert policy.select is not None
    assert {"RC101", "RC301", "RC601"} <= policy.select
    assert "RC201" not in policy.select
    assert policy.severity == {"RC502": Severity.WARNING}


def test_the_documented_keys_are_the_known_keys() -> None:
    documented = {
        "mailto",
        "crossref-url",
        "cache-dir",
        "snapshot",
        "format",
        "fail-on",
        "select",
        "ignore",
        "include",
        "exclude",
        "per-file-ignores",
        "severity",
        "offline",
        "no-cache",
        "timeout",
    }
    assert documented <= set(CONFIG_KEYS)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key in CONFIG_KEYS:
        assert f"`{key}`" in readme, key


def test_pyproject_table_is_found_from_a_subfolder(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.refcheck]\nmailto = "a@b.c"\n'
    )
    (tmp_path / "a" / "b").mkdir(parents=True)
    found = find_config(tmp_path / "a" / "b")
    assert found is not None
    assert found[0] == tmp_path / "pyproject.toml"
    assert found[1] == {"mailto": "a@b.c"}


def test_nearest_config_wins_and_pyproject_without_table_is_passed_over(tmp_path: Path) -> None:
    write(tmp_path / "refcheck.toml", 'mailto = "outer@example.org"\n')
    write(tmp_path / "inner" / "pyproject.toml", '[project]\nname = "x"\n')
    inner = tmp_path / "inner" / "deeper"
    inner.mkdir()
    assert load(Layer({}, {}), cwd=inner, environ={}).settings.mailto == "outer@example.org"
    write(tmp_path / "inner" / "refcheck.toml", 'mailto = "inner@example.org"\n')
    assert load(Layer({}, {}), cwd=inner, environ={}).settings.mailto == "inner@example.org"


def test_isolated_reads_no_config(tmp_path: Path) -> None:
    write(tmp_path / "refcheck.toml", 'mailto = "me@example.org"\nfail-on = "never"\n')
    loaded = load(Layer({}, {}), cwd=tmp_path, isolated=True, environ={})
    assert loaded.settings.mailto is None
    assert loaded.options.fail_on is FailOn.ERROR
    assert loaded.config_path is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('mailtoo = "x"\n', "unknown key 'mailtoo'"),
        ('fail-on = "sometimes"\n', "'fail-on' must be one of error, warning, unverified, never"),
        ('select = ["RC9"]\n', "'select': unknown rule 'RC9'"),
        ("select = 3\n", "'select' must be a rule code or a list of them"),
        ('format = "pdf"\n', "'format': unknown format 'pdf'"),
        ('[severity]\nRC502 = "loud"\n', "must be one of error, warning, info"),
        ('per-file-ignores = "x"\n', "'per-file-ignores' must be a table"),
        ('[per-file-ignores]\n"a/*" = ["nope"]\n', "unknown rule 'nope'"),
        ("[output-format]\nsarif = 3\n", "'output-format'.sarif must be a path"),
        ('offline = "maybe"\n', "'offline' must be true or false"),
        ('timeout = "soon"\n', "invalid value for 'timeout'"),
        ("jobs = -1\n", "invalid value for 'jobs'"),
        ("jobs = 100\n", "invalid value for 'jobs'"),
        ("snapshot = [1]\n", "'snapshot' must be a path or a list of them"),
        ("mailto = \n", "cannot read config"),
    ],
)
def test_bad_config_is_one_line_naming_the_key(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    text: str,
    message: str,
) -> None:
    write(tmp_path / "refcheck.toml", text)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=None) as raised:
        load(Layer({}, {}), cwd=tmp_path, environ={})
    assert message in str(raised.value)
    code = main(["check", "--offline", "--no-cache", str(SEED)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("refcheck: error:")
    assert message in err
    assert err.count("\n") == 1


# --- precedence ---------------------------------------------------------------------------


def test_environment_overrides_config_and_command_line_overrides_both(tmp_path: Path) -> None:
    write(
        tmp_path / "refcheck.toml",
        'mailto = "config@example.org"\nfail-on = "never"\ntimeout = 1\nformat = "json"\n'
        '[severity]\nRC502 = "warning"\nRC402 = "warning"\n',
    )
    environ = {
        "REFCHECK_MAILTO": "env@example.org",
        "REFCHECK_FAIL_ON": "warning",
        "REFCHECK_TIMEOUT": "2",
        "REFCHECK_OFFLINE": "yes",
    }
    from_env = load(Layer({}, {}), cwd=tmp_path, environ=environ)
    assert from_env.settings.mailto == "env@example.org"
    assert from_env.settings.timeout == 2
    assert from_env.settings.offline is True
    assert from_env.options.fail_on is FailOn.WARNING
    assert from_env.options.format == "json"  # not in the environment: the config's

    cli = Layer(
        {"mailto": "cli@example.org", "timeout": 3.0},
        {"fail_on": FailOn.ERROR, "severity": {"RC502": "error"}},
    )
    from_cli = load(cli, cwd=tmp_path, environ=environ)
    assert from_cli.settings.mailto == "cli@example.org"
    assert from_cli.settings.timeout == 3
    assert from_cli.options.fail_on is FailOn.ERROR
    # Tables merge key by key: the command line's RC502, the config's RC402.
    assert from_cli.options.severity == {"RC502": "error", "RC402": "warning"}


def test_a_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="REFCHECK_OFFLINE"):
        load(Layer({}, {}), cwd=tmp_path, environ={"REFCHECK_OFFLINE": "perhaps"})
    with pytest.raises(ConfigError, match="REFCHECK_FAIL_ON"):
        load(Layer({}, {}), cwd=tmp_path, environ={"REFCHECK_FAIL_ON": "often"})


# --- through the command line -------------------------------------------------------------


@pytest.fixture(scope="module")
def crossref() -> Iterator[CrossrefStandin]:
    with CrossrefStandin(load_records(ROOT / "references" / "seed-works.jsonl")) as server:
        yield server


def test_cli_flags_override_the_config_file(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    crossref: CrossrefStandin,
) -> None:
    text = SEED.read_text(encoding="utf-8").replace("Wilco C.}", "Wilco X.}")  # RC305
    write(tmp_path / "paper" / "refs.bib", text)
    write(
        tmp_path / "refcheck.toml",
        f'crossref-url = "{crossref.url}"\ncache-dir = ".cache"\ntimeout = 2\n'
        'fail-on = "warning"\nformat = "json"\n',
    )
    monkeypatch.chdir(tmp_path / "paper")  # found from a subfolder
    monkeypatch.delenv("REFCHECK_FAIL_ON", raising=False)
    assert main(["check", "refs.bib"]) == 1  # the config's fail-on: the warning fails
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["warnings"] == 1
    assert (tmp_path / ".cache").is_dir()  # relative to the config, not the working folder

    assert main(["check", "refs.bib", "--fail-on", "error"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("REFCHECK_FAIL_ON", "error")
    assert main(["check", "refs.bib"]) == 0  # the environment beats the config
    assert main(["check", "refs.bib", "--fail-on", "warning"]) == 1  # the flag beats both
    capsys.readouterr()


def test_include_exclude_and_per_file_ignores_from_config(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    crossref: CrossrefStandin,
) -> None:
    wrong = SEED.read_text(encoding="utf-8").replace("volume  = 36,", "volume  = 35,")
    write(tmp_path / "paper" / "refs.bib", SEED.read_text(encoding="utf-8"))
    write(tmp_path / "drafts" / "refs.bib", wrong)
    write(tmp_path / "notes" / "refs.bib", wrong)
    write(tmp_path / "paper" / "notes.txt", "Nothing cited here.\n")
    write(
        tmp_path / "refcheck.toml",
        f'crossref-url = "{crossref.url}"\nno-cache = true\ntimeout = 2\nformat = "json"\n'
        'include = ["*.bib"]\nexclude = ["drafts"]\n'
        '[per-file-ignores]\n"notes/*.bib" = ["volume-mismatch"]\n',
    )
    monkeypatch.chdir(tmp_path)
    code = main(["check", "."])
    report = json.loads(capsys.readouterr().out)
    paths = {Path(entry["path"]).parent.name for entry in report["references"]}
    assert paths == {"paper", "notes"}
    assert code == 0  # notes' wrong volume is ignored there; drafts is not read
    assert report["summary"]["errors"] == 0


def test_output_format_writes_several_reports_in_one_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, crossref: CrossrefStandin
) -> None:
    text = SEED.read_text(encoding="utf-8").replace("volume  = 36,", "volume  = 35,")
    bib = write(tmp_path / "refs.bib", text)
    sarif, junit = tmp_path / "refcheck.sarif", tmp_path / "junit.xml"
    code = main(
        [
            "check",
            "--isolated",
            str(bib),
            "--crossref-url",
            crossref.url,
            "--no-cache",
            "--output-format",
            f"sarif={sarif}",
            "--output-format",
            f"junit={junit}",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "RC601" in out  # the text report still goes to stdout
    document = json.loads(sarif.read_text(encoding="utf-8"))
    assert document["version"] == "2.1.0"
    assert "RC601" in json.dumps(document["runs"][0]["results"])
    assert "RC601" in junit.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--output-format", "sarif"), "--output-format takes FORMAT=FILE"),
        (("--output-format", "pdf=x.pdf"), "unknown format 'pdf'"),
        (("--output-format", "json=same.json", "--output", "same.json"), "two reports"),
    ],
)
def test_bad_output_formats_are_usage_errors(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: tuple[str, ...],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--isolated", "--offline", "--no-cache", str(SEED), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err


def test_json_files_that_are_not_csl_json_are_skipped_with_a_note(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write(tmp_path / "package.json", '{"name": "blog", "version": "1.0.0"}\n')
    write(tmp_path / "tsconfig.json", '{\n  // comments: JSONC, not JSON\n  "strict": true\n}\n')
    write(tmp_path / "report.json", '{"refcheck": "0.1.0", "summary": {}, "references": []}\n')
    write(tmp_path / "refs.json", '[{"id": "a", "title": "T", "DOI": "10.1/x"}]\n')
    monkeypatch.chdir(tmp_path)
    args = ["--isolated", "--offline", "--no-cache", "--format", "json"]
    # Walked and named alike: a hook names every changed .json file.
    code = main(["check", ".", *args])
    captured = capsys.readouterr()
    assert code == 0
    assert [e["key"] for e in json.loads(captured.out)["references"]] == ["a"]
    assert "skipped package.json" in captured.err
    assert "skipped tsconfig.json" in captured.err
    assert "report.json" not in captured.err  # refcheck's own report: passed over quietly

    assert main(["check", "package.json", "tsconfig.json", *args]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["total"] == 0

    write(tmp_path / "broken.json", '[{"id": "a",\n')
    assert main(["check", "broken.json", *args]) == 2  # starts like CSL-JSON: an error
    assert "broken.json" in capsys.readouterr().err
