"""Every registry's answers are cached as Crossref's are: a second run of the same post, with
the same cache, sends no request to any stand-in (each counts what it is asked) and reaches
the same verdicts. Over loopback HTTP against the stand-ins serving ../shared's records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from refcheck.cli import main
from refcheck.models import Work
from refcheck.resolve.cache import MISS, WorkCache
from refcheck.testing import CrossrefStandin, DataciteStandin, load_records
from refcheck.testing.arxiv_standin import ArxivStandin
from refcheck.testing.doi_standin import DoiStandin
from refcheck.testing.openlibrary_standin import OpenLibraryStandin

# Served by doi.org's content negotiation as mEDRA's (as tests/test_doi_org.py explains);
# the Crossref stand-in does not hold it.
MEDRA_DOI = "10.1001/archotol.1997.01900010116019"

LINES = [
    # DataCite by DOI, and arXiv's export API for its published version
    "Vaswani, A., Shazeer, N., Parmar, N., Uszkoreit, J., Jones, L., Gomez, A. N., Kaiser, "
    "L., & Polosukhin, I. (2017). Attention is all you need. arXiv. "
    "https://doi.org/10.48550/arXiv.1706.03762",
    # DataCite by arXiv ID
    "Heibi, I., Peroni, S., & Shotton, D. (2019). Crowdsourcing open citations with CROCI: An "
    "analysis of the current status of open citations, and a proposal. arXiv preprint "
    "arXiv:1902.02534.",
    # Crossref does not hold it; doi.org's /ra/ says DataCite
    "Vanderplas, J., & Willmer, A. (2015). Supersmoother: Minor bug fix release (Version "
    "v0.3.2) [Computer software]. Zenodo. https://doi.org/10.5281/zenodo.28518",
    # DataCite's agency, but DataCite does not hold it
    "Vanderplas, J., & Willmer, A. (2015). Supersmoother: Minor bug fix release (Version "
    "v0.3.2) [Computer software]. Zenodo. https://doi.org/10.5281/zenodo.28519",
    # an arXiv DOI DataCite does not hold
    "Nobody, A. (2019). A preprint that was never posted. arXiv. "
    "https://doi.org/10.48550/arXiv.1902.02599",
    # DataCite's search
    "Vanderplas, J., & Willmer, A. (2015). Supersmoother: Minor bug fix release (Version "
    "v0.3.2) [Computer software]. Zenodo.",
    # Crossref lists no book under the ISBN; Open Library has it
    "Kahneman, D. (2011). Thinking, fast and slow. Farrar, Straus and Giroux. "
    "ISBN 978-0-374-27563-1",
    # Open Library's search
    "Kuhn, T. S. (1996). The structure of scientific revolutions. University of Chicago Press.",
    # a book no registry holds: Open Library's search finds nothing
    "Smith, J. (2019). A handbook nobody wrote. Oxford University Press.",
    # mEDRA's, read at doi.org by content negotiation
    "Beuerlein, M. E., Schuller, D. E., & DeYoung, B. R. (1997). Maxillary malignant "
    "mesenchymoma and massive fibrous dysplasia. Archives of Otolaryngology - Head and Neck "
    f"Surgery, 123(1), 106-109. https://doi.org/{MEDRA_DOI}",
    # Crossref's search, and a blog post
    "Karpathy, A. (2015, May 21). The unreasonable effectiveness of recurrent neural networks. "
    "Andrej Karpathy blog. Retrieved from http://karpathy.github.io/2015/05/21/rnn-effectiveness/",
]
EXPECTED = [
    ("verified", "10.48550/arxiv.1706.03762"),
    ("verified", "10.48550/arxiv.1902.02534"),
    ("verified", "10.5281/zenodo.28518"),
    ("not_found", None),
    ("not_found", None),
    ("verified", "10.5281/zenodo.28518"),
    ("verified", None),
    ("verified", None),
    ("skipped", None),
    ("verified", MEDRA_DOI),
    ("skipped", None),
]


class Services:
    def __init__(self, shared: Path) -> None:
        records = load_records(shared / "crossref" / "works-dev.jsonl.gz")
        [medra] = [r for r in records if r["DOI"].lower() == MEDRA_DOI]
        self.crossref = CrossrefStandin(
            [r for r in records if r["DOI"].lower() != MEDRA_DOI],
            agencies={"10.5281": "datacite", "10.48550": "datacite", MEDRA_DOI: "medra"},
        )
        self.datacite = DataciteStandin(load_records(shared / "datacite" / "records.jsonl.gz"))
        self.arxiv = ArxivStandin(load_records(shared / "arxiv" / "entries.jsonl.gz"))
        self.library = OpenLibraryStandin()
        self.doiorg = DoiStandin(
            {"10.5281": "DataCite", "10.48550": "DataCite", MEDRA_DOI: "mEDRA"}, records=[medra]
        )

    def asked(self) -> dict[str, int]:
        return {
            "crossref": len(self.crossref.requests),
            "datacite": len(self.datacite.requests),
            "arxiv": len(self.arxiv.requests),
            "openlibrary": len(self.library.requests),
            "doi.org": len(self.doiorg.requests),
        }


@pytest.fixture(scope="module")
def services(shared: Path) -> Iterator[Services]:
    found = Services(shared)
    with found.crossref, found.datacite, found.arxiv, found.library, found.doiorg:
        yield found


def run(
    capsys: pytest.CaptureFixture[str], post: Path, services: Services, cache: Path, *extra: str
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    before = services.asked()
    main(
        [
            "check",
            str(post),
            "--isolated",
            "--cache-dir",
            str(cache),
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
    return entries, {name: after[name] - before[name] for name in after}


def test_a_second_run_asks_no_registry_and_reaches_the_same_verdicts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, services: Services
) -> None:
    post = tmp_path / "post.md"
    post.write_text("# Notes\n\nText.\n\n## References\n\n" + "\n\n".join(LINES) + "\n")
    cache = tmp_path / "cache"
    first, asked = run(capsys, post, services, cache)
    assert [(e["status"], e["doi"]) for e in first] == EXPECTED
    assert all(count > 0 for count in asked.values()), asked  # each registry had its say
    second, asked = run(capsys, post, services, cache)
    assert asked == dict.fromkeys(asked, 0)
    assert [(e["status"], e["doi"], e["findings"]) for e in second] == [
        (e["status"], e["doi"], e["findings"]) for e in first
    ]


def test_a_doi_datacite_does_not_hold_is_said_to_be_missing_at_datacite(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, services: Services
) -> None:
    post = tmp_path / "post.md"
    post.write_text("# Notes\n\n## References\n\n" + LINES[3] + "\n\n" + LINES[4] + "\n")
    cache = tmp_path / "cache"
    for extra in ([], [], ["--offline"]):  # asked, then from the cache, online and off
        entries, _ = run(capsys, post, services, cache, *extra)
        messages = [[f["message"] for f in e["findings"] if f["code"] == "RC101"] for e in entries]
        assert messages == [
            ["The DOI's registration agency is DataCite, but DataCite does not know the DOI " + doi]
            for doi in ("10.5281/zenodo.28519", "10.48550/arXiv.1902.02599")
        ]
        assert all("Crossref" not in m for m in entries[0]["message"].split(";"))


def test_answers_of_other_registries_keep_and_expire_as_crossrefs(tmp_path: Path) -> None:
    now = [1_000_000.0]
    book = Work(doi="", title="Thinking, Fast and Slow", registry="Open Library")
    with WorkCache(tmp_path / "c.sqlite3", clock=lambda: now[0]) as cache:
        cache.put_answers("openlibrary-isbn", {"9780374275631": [book], "9781111111113": []})
        assert cache.get_answer("openlibrary-isbn", "9780374275631") == [book]
        assert cache.get_answer("openlibrary-isbn", "9781111111113") == []
        assert cache.get_answer("datacite-search", "9780374275631") is MISS  # another source
        now[0] += 2 * 86_400  # an absence lives a day, an answer thirty
        assert cache.get_answer("openlibrary-isbn", "9781111111113") is MISS
        assert cache.get_answer("openlibrary-isbn", "9780374275631") == [book]
        assert cache.purge() == 1
