"""Which references are also searched at DataCite."""

from __future__ import annotations

import pytest

from refcheck.models import Reference
from refcheck.parse.registries import names_datacite_work


@pytest.mark.parametrize(
    "reference",
    [
        Reference(text="Vanderplas J (2015) Supersmoother [Computer software]. Zenodo."),
        Reference(text="Smith J (2020) Bird counts [Data set]. Dryad."),
        Reference(text="@dataset{s, title = {Bird counts}}", entry_type="dataset"),
        Reference(
            text="Heibi I (2019) Crowdsourcing open citations. Preprint.", container="Preprint"
        ),
    ],
)
def test_datasets_software_and_preprints(reference: Reference) -> None:
    assert names_datacite_work(reference)


@pytest.mark.parametrize(
    "reference",
    [
        Reference(text="Brinjikji W (2015) Imaging. AJNR 36(4):811-816.", volume="36", pages="811"),
        Reference(
            text="Smith J (2020) Software quality. J Syst Softw 12:1-9.",
            entry_type="article",
            volume="12",
            pages="1-9",
        ),
        Reference(text="Karpathy A (2015) The unreasonable effectiveness of RNNs. Blog."),
        # A title's words say nothing of where the work is registered.
        Reference(text="Li X (2021) A new dataset of software defects. Empir Softw Eng."),
    ],
)
def test_journal_articles_and_other_works(reference: Reference) -> None:
    assert not names_datacite_work(reference)
