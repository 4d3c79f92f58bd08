"""Works no registry holds: web pages, news articles, blog posts, code without a DOI.

A writer cites them as rightly as papers, but Crossref and DataCite have no record of them,
so a search can only offer an unrelated paper. :func:`unregistered_kind` reads the signs a
citation gives: where its URL points (a newspaper, a blog host, a code host, an encyclopedia),
what its style marks it as ("[Blog post]", "[Computer software]", "Retrieved from", an access
date), and its BibTeX type (``@online``, ``@misc`` with a ``url``).

It is asked only of a reference that cites no DOI and that no registry's search matched, so
a journal article "retrieved from" a publisher's site that search finds is still checked;
and a reference that names a volume and pages (a journal article's marks) is never taken
for one of these works.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from refcheck.models import Reference

__all__ = ["has_article_marks", "unregistered_kind"]

# Hosts whose pages are news articles (the host or any of its subdomains).
_NEWS = frozenset(
    {
        "apnews.com",
        "bbc.co.uk",
        "bbc.com",
        "bloomberg.com",
        "cnn.com",
        "economist.com",
        "forbes.com",
        "ft.com",
        "latimes.com",
        "lemonde.fr",
        "newyorker.com",
        "npr.org",
        "nytimes.com",
        "reuters.com",
        "spiegel.de",
        "techcrunch.com",
        "theatlantic.com",
        "theguardian.com",
        "theverge.com",
        "washingtonpost.com",
        "wired.com",
        "wsj.com",
        "zeit.de",
    }
)
_BLOGS = frozenset(
    {"blogspot.com", "github.io", "medium.com", "substack.com", "wordpress.com", "tumblr.com"}
)
_CODE = frozenset(
    {"bitbucket.org", "codeberg.org", "github.com", "gitlab.com", "pypi.org", "cran.r-project.org"}
)
_REFERENCE_WORKS = frozenset({"wikipedia.org", "wiktionary.org", "britannica.com"})
_NEWSPAPERS = re.compile(
    r"\b(?:the new york times|new york times|the guardian|the washington post|"
    r"the wall street journal|financial times|the economist|the atlantic|the new yorker|"
    r"bbc news|reuters|associated press|los angeles times)\b",
    re.IGNORECASE,
)
_MARKS = (
    (re.compile(r"\[\s*(?:computer\s+)?software\s*\]|\[computer program\]", re.I), "software"),
    (re.compile(r"\[\s*blog\s*(?:post|entry)?\s*\]", re.I), "blog post"),
    (re.compile(r"\[\s*(?:web\s*page|website|online)\s*\]", re.I), "web page"),
)
# Style words of an online source: APA's "Retrieved from", Harvard's "Available at:" and
# "(Accessed: ...)", MLA's "Accessed 3 May 2023", IEEE's "[Online]".
_ONLINE = re.compile(
    r"\bretrieved\b[^.]{0,40}\bfrom\b|\bavailable\s+(?:at|from)\s*:|\baccessed\b|"
    r"\[\s*online\s*\]|\burldate\s*=",
    re.IGNORECASE,
)
_ONLINE_TYPES = frozenset({"online", "www", "webpage", "electronic", "software"})
# Hosts of scholarly works, whose URL says nothing about the work being unregistered.
_SCHOLARLY = re.compile(
    r"(?:^|\.)(?:doi\.org|arxiv\.org|ncbi\.nlm\.nih\.gov|sciencedirect\.com|springer\.com|"
    r"wiley\.com|nature\.com|tandfonline\.com|jstor\.org|ieee\.org|acm\.org|plos\.org|"
    r"sagepub\.com|oup\.com|cambridge\.org|zenodo\.org|figshare\.com|biorxiv\.org|"
    r"medrxiv\.org|ssrn\.com|researchgate\.net|semanticscholar\.org)$",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://[^\s<>\"')\]}]+", re.IGNORECASE)


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _under(host: str, domains: frozenset[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def _urls(reference: Reference) -> list[str]:
    urls = [reference.url] if reference.url else []
    urls += _URL.findall(reference.text or "")
    return urls


def has_article_marks(reference: Reference) -> bool:
    """A volume and pages the writer gave (not ones the parser guessed from "May 3, 2023")."""
    if not (reference.volume and reference.pages):
        return False
    sure = reference.confident
    return sure is None or {"volume", "pages"} <= sure


def unregistered_kind(reference: Reference) -> str | None:
    """What kind of unregistered work the reference cites ("a blog post"...), or None."""
    if reference.doi or has_article_marks(reference):
        return None
    text = reference.text or ""
    hosts = [h for h in map(_host, _urls(reference)) if h]
    for host in hosts:
        if _under(host, _NEWS):
            return "a news article"
        if _under(host, _CODE):
            return "a code repository"
        if _under(host, _BLOGS) or host.startswith("blog.") or ".blog." in host:
            return "a blog post"
        if _under(host, _REFERENCE_WORKS):
            return "an encyclopedia entry"
    for mark, kind in _MARKS:
        if mark.search(text):
            return f"a {kind}" if kind != "software" else "software"
    if _NEWSPAPERS.search(reference.container or "") or _NEWSPAPERS.search(text):
        return "a news article"
    other_hosts = [h for h in hosts if not _SCHOLARLY.search(h)]
    if (reference.entry_type or "").lower() in _ONLINE_TYPES and (hosts or _ONLINE.search(text)):
        return "a web page"
    if other_hosts and (_ONLINE.search(text) or (reference.entry_type or "").lower() == "misc"):
        return "a web page"
    return None
