"""Which references cite a work no registry holds, and which do not."""

from __future__ import annotations

import pytest

from refcheck.models import Reference
from refcheck.parse.unregistered import unregistered_kind


@pytest.mark.parametrize(
    ("reference", "kind"),
    [
        (
            Reference(
                text="Karpathy, A. (2015). The unreasonable effectiveness of recurrent neural "
                "networks. Retrieved from http://karpathy.github.io/2015/05/21/rnn-effectiveness/",
                url="http://karpathy.github.io/2015/05/21/rnn-effectiveness/",
            ),
            "a blog post",
        ),
        (
            Reference(
                text="Metz, C. (2023). Hinton leaves Google. The New York Times.",
                url="https://www.nytimes.com/2023/05/01/technology/hinton.html",
            ),
            "a news article",
        ),
        # The newspaper named, without its URL.
        (
            Reference(text="Metz C. Hinton leaves Google. The New York Times, May 1 2023."),
            "a news article",
        ),
        (
            Reference(text="Harris C. NumPy [Computer software]. https://numpy.org"),
            "software",
        ),
        (Reference(text="x", url="https://github.com/numpy/numpy"), "a code repository"),
        (
            Reference(
                text="@online{w, title = {Guide}, url = {https://example.org/guide}}",
                entry_type="online",
                url="https://example.org/guide",
            ),
            "a web page",
        ),
        (
            Reference(
                text="@misc{w, title = {Guide}, url = {https://example.org/guide}}",
                entry_type="misc",
                url="https://example.org/guide",
            ),
            "a web page",
        ),
        (
            Reference(
                text="WHO. Fact sheet. Available at: https://who.int/fs (Accessed: 3 May 2023)",
                url="https://who.int/fs",
            ),
            "a web page",
        ),
        (
            Reference(text="Lumbar MRI. Wikipedia.", url="https://en.wikipedia.org/wiki/MRI"),
            "an encyclopedia entry",
        ),
    ],
)
def test_works_no_registry_holds(reference: Reference, kind: str) -> None:
    assert unregistered_kind(reference) == kind


@pytest.mark.parametrize(
    "reference",
    [
        # A journal article "retrieved from" its publisher: volume and pages say what it is.
        Reference(
            text="Brinjikji W. (2015). Imaging. AJNR, 36(4), 811-816. Retrieved from "
            "http://www.ajnr.org/content/36/4/811",
            volume="36",
            pages="811-816",
            url="http://www.ajnr.org/content/36/4/811",
        ),
        Reference(
            text="Vaswani A. Attention. arXiv preprint arXiv:1706.03762, 2017.",
            url="https://arxiv.org/abs/1706.03762",
        ),
        Reference(
            text="Smith J. A paper. J Imag Res 3:1-9.",
            doi="10.1/x",
            url="https://blog.example.org/x",
        ),
        Reference(text="Smith J. (2019) A study. Journal of Things."),
        Reference(
            text="@misc{s, title = {Data}, url = {https://doi.org/10.5281/zenodo.1}}",
            entry_type="misc",
            url="https://doi.org/10.5281/zenodo.1",
        ),
    ],
)
def test_registered_kinds_of_work_are_not_taken_for_unregistered_ones(
    reference: Reference,
) -> None:
    assert unregistered_kind(reference) is None


def test_a_date_the_parser_took_for_volume_and_pages_does_not_make_an_article() -> None:
    who = Reference(
        text="World Health Organization. (2023). Low back pain [Fact sheet]. Retrieved May 3, "
        "2023, from https://www.who.int/news-room/fact-sheets/detail/low-back-pain",
        url="https://www.who.int/news-room/fact-sheets/detail/low-back-pain",
        volume="3",
        pages="2023",
        confident=frozenset({"year", "url"}),
    )
    assert unregistered_kind(who) == "a web page"
    sure = who.model_copy(update={"confident": frozenset({"volume", "pages"})})
    assert unregistered_kind(sure) is None
