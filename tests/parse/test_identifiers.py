"""arXiv identifiers in the forms writers use, and which references are looked up by them."""

from __future__ import annotations

import pytest

from refcheck.models import Reference
from refcheck.parse.identifiers import arxiv_doi, arxiv_id, find_arxiv_id, preprint_doi


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("arXiv:1810.04805v2", "1810.04805"),
        ("arXiv: 1810.04805", "1810.04805"),
        ("Devlin J, et al. BERT. arXiv preprint arXiv:1810.04805, 2018.", "1810.04805"),
        ("as in arXiv:1810.04805.", "1810.04805"),
        ("https://arxiv.org/abs/1810.04805", "1810.04805"),
        ("http://arxiv.org/pdf/1810.04805v1.pdf", "1810.04805"),
        ("https://export.arxiv.org/abs/0704.0001v3", "0704.0001"),
        ("ARXIV 0704.0001", "0704.0001"),
        ("Witten E. Anti de Sitter space. hep-th/9802150 (1998)", "hep-th/9802150"),
        ("arXiv:math.GT/0309136v2", "math.GT/0309136"),
        ("@misc{d, eprint = {1810.04805}, archivePrefix = {arXiv}}", "1810.04805"),
        ('@online{d, eprinttype = "arxiv", eprint = "1706.03762v5"}', "1706.03762"),
    ],
)
def test_every_form_gives_the_id_without_its_version(text: str, expected: str) -> None:
    assert find_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "@misc{d, eprint = {1810.04805}}",  # an eprint, but of which archive?
        "Nature 1810.04805",  # a number like an ID, nothing saying arXiv
        "doi:10.1016/j.cell.2018.04805",
        "arXiv:1713.00001",  # month 13
        "arXiv:1501.000012",  # too many digits
        "foo-th/9802150",  # no such archive
        "",
    ],
)
def test_text_that_names_no_arxiv_paper(text: str) -> None:
    assert find_arxiv_id(text) is None


def test_the_id_is_read_from_the_url_container_or_text() -> None:
    assert arxiv_id(Reference(url="https://arxiv.org/abs/1706.03762")) == "1706.03762"
    assert arxiv_id(Reference(container="arXiv preprint arXiv:1706.03762")) == "1706.03762"
    assert arxiv_id(Reference(text="Vaswani A. Attention. arXiv:1706.03762")) == "1706.03762"
    assert arxiv_id(Reference(text="Vaswani A. Attention. NeurIPS 2017")) is None


def test_its_doi_is_datacites() -> None:
    assert arxiv_doi("1706.03762") == "10.48550/arXiv.1706.03762"
    assert arxiv_doi("hep-th/9802150") == "10.48550/arXiv.hep-th/9802150"


def test_a_reference_to_the_published_version_is_not_looked_up_by_its_preprint() -> None:
    bib = "@article{v, journal = {Nature}, eprint = {1706.03762}, archivePrefix = {arXiv}}"
    assert preprint_doi(Reference(text=bib, container="Nature")) is None
    preprint = Reference(text="arXiv:1706.03762", container="arXiv preprint arXiv:1706.03762")
    assert preprint_doi(preprint) == "10.48550/arXiv.1706.03762"
    assert preprint_doi(Reference(text="arXiv:1706.03762", container="CoRR")) is not None
