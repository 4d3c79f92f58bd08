"""``--source`` and the ``sources`` config key: a source left out is never asked (its stand-in
counts no request), and a reference only it could answer is unverified, naming it; never
not_found or wrong. Over loopback HTTP against the stand-ins serving ../shared's records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from refcheck.cli import main
from refcheck.config import SOURCES, Settings
from refcheck.errors import ConfigError
from refcheck.testing import CrossrefStandin, DataciteStandin, load_records
from refcheck.testing.arxiv_standin import ArxivStandin
from refcheck.testing.doi_standin import DoiStandin
from refcheck.testing.openlibrary_standin import OpenLibraryStandin

ARXIV_DOI = (
    "Vaswani, A., Shazeer, N., Parmar, N., Uszkoreit, J., Jones, L., Gomez, A. N., Kaiser, L., "
    "& Polosukhin, I. (2017). Attention is all you need. arXiv. "
    "https://doi.org/10.48550/arXiv.1706.03762"
)
ARXIV_ID = (
    "Heibi, I., Peroni, S., & Shotton, D. (2019). Crowdsourcing open citations with CROCI: An "
    "analysis of the current status of open citations, and a proposal. arXiv preprint "
    "arXiv:1902.02534."
)
ZENODO = (
    "Vanderplas, J., & Willmer, A. (2015). Supersmoother: Minor bug fix release (Version "
    "v0.3.2) [Computer software]. Zenodo. https://doi.org/10.5281/zenodo.28518"
)
ZENODO_NO_DOI = (
    "Vanderplas, J., & Willmer, A. (2015). Supersmoother: Minor bug fix release (Version "
    "v0.3.2) [Computer software]. Zenodo."
)
BLOG = (
    "Karpathy, A. (2015, May 21). The unreasonable effectiveness of recurrent neural networks. "
    "Andrej Karpathy blog. Retrieved from http://karpathy.github.io/2015/05/21/rnn-effectiveness/"
)
# Only Open Library holds it (its stand-in's fixtures); Crossref lists no book under the ISBN.
OPEN_LIBRARY_BOOK = (
    "Kahneman, D. (2011). Thinking, fast and slow. Farrar, Straus and Giroux. "
    "ISBN 978-0-374-27563-1"
)
CROSSREF_BOOK = (
    "Lynch, S. (2020). Introducing WidgetKit for iOS: Adding a simple widget to your iOS app. "
    "Apress. ISBN 978-1-4842-6700-4"
)


@dataclass
class Services:
    crossref: CrossrefStandin
    datacite: DataciteStandin
    arxiv: ArxivStandin
    library: OpenLibraryStandin
    doiorg: DoiStandin

    def asked(self) -> dict[str, int]:
        """Requests each stand-in has had so far, by source name."""
        return {
            "crossref": len(self.crossref.requests),
            "datacite": len(self.datacite.requests),
            "arxiv": len(self.arxiv.requests),
            "openlibrary": len(self.library.requests),
            "doi.org": len(self.doiorg.requests),
        }


@pytest.fixture(scope="module")
def services(shared: Path) -> Iterator[Services]:
    crossref = CrossrefStandin(
        load_records(shared / "crossref" / "works-dev.jsonl.gz"),
        agencies={"10.5281": "datacite", "10.48550": "datacite"},
    )
    datacite = DataciteStandin(load_records(shared / "datacite" / "records.jsonl.gz"))
    arxiv = ArxivStandin(load_records(shared / "arxiv" / "entries.jsonl.gz"))
    library = OpenLibraryStandin()
    doiorg = DoiStandin({"10.5281": "DataCite", "10.48550": "DataCite"})
    with crossref, datacite, arxiv, library, doiorg:
        yield Services(crossref, datacite, arxiv, library, doiorg)


def run(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    services: Services,
    lines: list[str],
    *extra: str,
) -> tuple[int, list[dict[str, Any]], dict[str, int]]:
    """Check a post citing ``lines``; the exit code, the entries, and the requests each
    stand-in had in the run."""
    post = tmp_path / "post.md"
    post.write_text("# Notes\n\nText.\n\n## References\n\n" + "\n\n".join(lines) + "\n")
    before = services.asked()
    code = main(
        [
            "check",
            str(post),
            "--no-cache",
            "--format",
            "json",
            "--crossref-url",
            services.crossref.url,
            "--datacite-url",
            services.datacite.url,
            "--arxiv-url",
            services.arxiv.url,
            "--openlibrary-url",
            services.library.url,
            "--doi-url",
            services.doiorg.url,
            "--timeout",
            "2",
            *extra,
        ]
    )
    after = services.asked()
    entries = json.loads(capsys.readouterr().out)["references"]
    return code, entries, {name: after[name] - before[name] for name in after}


def _not_asked(entry: dict[str, Any], source: str) -> bool:
    return {"source": source, "outcome": "not-asked"} in entry["sources"]


def test_crossref_alone_leaves_what_only_others_hold_unverified_naming_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, services: Services
) -> None:
    lines = [ARXIV_DOI, ARXIV_ID, ZENODO, BLOG, OPEN_LIBRARY_BOOK, CROSSREF_BOOK]
    code, entries, asked = run(
        capsys, tmp_path, services, lines, "--isolated", "--source", "crossref"
    )
    assert [(e["status"], e["doi"]) for e in entries] == [
        ("unverified", None),
        ("unverified", None),
        ("unverified", None),
        ("skipped", None),
        ("unverified", None),
        ("verified", "10.1007/978-1-4842-6700-4"),
    ]
    for entry in entries[:3]:
        assert entry["message"] == "DataCite was not asked (--source)"
        assert _not_asked(entry, "datacite")
    assert entries[4]["message"] == "Open Library was not asked (--source)"
    assert _not_asked(entries[4], "openlibrary")
    assert all(f["severity"] == "info" for e in entries for f in e["findings"])
    assert asked["crossref"] > 0
    assert {k: v for k, v in asked.items() if k != "crossref"} == {
        "datacite": 0,
        "arxiv": 0,
        "openlibrary": 0,
        "doi.org": 0,
    }
    assert code == 0


def test_without_crossref_datacite_still_answers_and_crossref_is_never_asked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, services: Services
) -> None:
    lines = [ARXIV_DOI, ARXIV_ID, ZENODO, ZENODO_NO_DOI, BLOG, CROSSREF_BOOK]
    code, entries, asked = run(
        capsys, tmp_path, services, lines, "--isolated", "--source", "DataCite", "--source", "arxiv"
    )
    assert [(e["status"], e["doi"]) for e in entries] == [
        ("verified", "10.48550/arxiv.1706.03762"),
        ("verified", "10.48550/arxiv.1902.02534"),
        ("unverified", None),  # whose DOI it is, only Crossref or doi.org could say
        ("verified", "10.5281/zenodo.28518"),  # found by DataCite's search all the same
        ("unverified", None),
        ("unverified", None),
    ]
    assert "neither Crossref nor doi.org was asked (--source)" in entries[2]["message"]
    assert entries[4]["message"] == "Crossref was not asked (--source)"
    assert entries[5]["message"] == "Crossref was not asked (--source)"
    assert all(_not_asked(e, "crossref") for e in entries[2:])
    assert (asked["crossref"], asked["doi.org"], asked["openlibrary"]) == (0, 0, 0)
    assert asked["datacite"] > 0
    assert code == 0


def test_with_doi_org_left_out_crossrefs_agency_route_places_the_doi(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, services: Services
) -> None:
    code, entries, asked = run(
        capsys, tmp_path, services, [ZENODO], "--isolated", "--source", "crossref,datacite"
    )
    assert [(e["status"], e["doi"]) for e in entries] == [("verified", "10.5281/zenodo.28518")]
    assert (asked["doi.org"], asked["arxiv"], asked["openlibrary"]) == (0, 0, 0)
    assert code == 0


def test_the_sources_config_key_and_the_option_over_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, services: Services
) -> None:
    config = tmp_path / "refcheck.toml"
    config.write_text('sources = ["crossref"]\n', encoding="utf-8")
    _, entries, asked = run(capsys, tmp_path, services, [ARXIV_DOI], "--config", str(config))
    assert [e["status"] for e in entries] == ["unverified"]
    assert asked["datacite"] == 0
    # The command line's list replaces the file's.
    _, entries, asked = run(
        capsys, tmp_path, services, [ARXIV_DOI], "--config", str(config), "--source", "datacite"
    )
    assert [e["status"] for e in entries] == ["verified"]
    assert asked["crossref"] == 0


@pytest.mark.parametrize(
    ("where", "value"),
    [("option", "crossref,zotero"), ("option", " , "), ("config", '["crossref", "zotero"]')],
)
def test_an_unknown_source_is_a_one_line_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, where: str, value: str
) -> None:
    post = tmp_path / "post.md"
    post.write_text("# Notes\n\n## References\n\n" + BLOG + "\n")
    config = tmp_path / "refcheck.toml"
    config.write_text(f"sources = {value}\n" if where == "config" else "", encoding="utf-8")
    extra = ["--source", value] if where == "option" else []
    code = main(["check", str(post), "--config", str(config), "--offline", *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "source" in err
    assert ("zotero" in err) == ("zotero" in value)
    assert ", ".join(SOURCES) in err  # the names it takes


def test_settings_take_source_names_as_users_type_them() -> None:
    assert Settings().sources == tuple(SOURCES)
    chosen = Settings(sources=("Open-Library", "doi", "CROSSREF"))
    assert chosen.sources == ("crossref", "openlibrary", "doi.org")
    with pytest.raises(ConfigError, match="unknown source 'pubmed'"):
        Settings(sources=("pubmed",))


def test_the_help_names_the_option_and_its_sources(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--source NAMES" in text
    assert "crossref,datacite,arxiv,openlibrary,doi.org" in text
