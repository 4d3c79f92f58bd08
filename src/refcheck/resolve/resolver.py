"""One face over the sources: snapshots first, then the cache, then the registries over HTTP.

A snapshot holding a DOI answers for it; a snapshot lacking it says nothing (snapshots are
partial). The cache remembers the registries' answers, absences included. The network is
asked only for what neither knows, and never in offline mode.

A DOI Crossref does not hold is not yet a DOI that exists nowhere: its registration agency
is asked (Crossref's ``/works/{doi}/agency``). No agency: it exists nowhere (None, RC101).
DataCite: DataCite is asked, and its record made into the same Work. Another agency (mEDRA,
JaLC, KISTI...): its record is asked of doi.org by content negotiation (CSL-JSON); where the
agency serves none, a RegistryError naming it, so the reference is unverified, never wrong.
Where doi.org is asked, its ``/ra/`` route gives the agencies of many DOIs a request; the
answers are cached with the others.

A book's ISBN (:meth:`Resolver.lookup_isbns`) is asked of Crossref (the books it lists under
the ISBN), then of Open Library for those Crossref does not list; a book without one may be
searched at Open Library by its title and author (:meth:`Resolver.search_openlibrary`).

Snapshots come as JSON lines, read into memory (:class:`~.snapshot.Snapshot`), or as SQLite
stores made by ``refcheck snapshot import`` (:class:`~.store.SnapshotStore`: a path ending in
``.sqlite3``, ``.sqlite`` or ``.db``, or a file starting with SQLite's header).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from refcheck.config import (
    DEFAULT_CROSSREF_URL,
    DEFAULT_OPENLIBRARY_URL,
    SOURCES,
    Settings,
    not_asked,
)
from refcheck.errors import CrossrefError, CrossrefUnavailable, RegistryError
from refcheck.models import Consulted, SourceOutcome, Status, Verdict, Work
from refcheck.resolve.agency import Agency
from refcheck.resolve.arxiv import ArxivClient
from refcheck.resolve.cache import MISS, WorkCache, search_key
from refcheck.resolve.crossref import CrossrefClient
from refcheck.resolve.datacite import DataciteClient
from refcheck.resolve.doiorg import DEFAULT_DOI_URL, DoiOrgClient, NotServed
from refcheck.resolve.openlibrary import OpenLibraryClient
from refcheck.resolve.protocol import normalise_doi
from refcheck.resolve.snapshot import Snapshot, WorkSource
from refcheck.resolve.store import CombinedSnapshot, SnapshotStore, is_store
from refcheck.resolve.workers import SearchWorkers, cpu_count

# References to search a run must have in hand before it starts worker processes for them:
# each costs a few ms of CPU in a store of a million works, starting a process some 300 ms.
PARALLEL_SEARCHES = 64

# DOI prefixes only DataCite registers (arXiv's), asked of DataCite directly.
DATACITE_PREFIXES = ("10.48550/",)
ARXIV_PREFIX = "10.48550/arxiv."
DATACITE = Agency("datacite", "DataCite")

# What a DOI lookup gives: the work, None (Crossref does not know the DOI), or the error
# that kept us from asking (the reference is then unverified).
Lookup = Work | None | CrossrefError


@dataclass
class ResolverStats:
    snapshot_hits: int = 0
    cache_hits: int = 0
    network_lookups: int = 0
    searches: int = 0
    agency_lookups: int = 0
    datacite_lookups: int = 0
    isbn_lookups: int = 0


@dataclass
class Resolver:
    settings: Settings
    snapshot: WorkSource | None = None
    cache: WorkCache | None = None
    client: CrossrefClient | None = None
    datacite: DataciteClient | None = None
    arxiv: ArxivClient | None = None
    doiorg: DoiOrgClient | None = None
    openlibrary: OpenLibraryClient | None = None
    stats: ResolverStats = field(default_factory=ResolverStats)
    # Sources the run was told not to ask (``--source``): never asked, and named in the
    # message of a reference only they could answer. Crossref among them: online all the
    # same (``client`` is None, yet DataCite, doi.org and Open Library are asked).
    left_out: frozenset[str] = frozenset()
    _workers: SearchWorkers | None = field(default=None, init=False, repr=False)
    # Online, DataCite's and arXiv's clients are built on first use: each loads the TLS
    # trust store (some 45 ms), and most runs ask neither.
    _build_datacite: Callable[[], DataciteClient] | None = field(
        default=None, init=False, repr=False
    )
    _build_arxiv: Callable[[], ArxivClient] | None = field(default=None, init=False, repr=False)
    _build_doiorg: Callable[[], DoiOrgClient] | None = field(default=None, init=False, repr=False)
    _build_openlibrary: Callable[[], OpenLibraryClient] | None = field(
        default=None, init=False, repr=False
    )
    # What each source said of a DOI looked up, until the caller takes it (consulted()).
    _consulted: dict[str, list[Consulted]] = field(default_factory=dict, init=False, repr=False)
    # DOIs whose agency is DataCite and that DataCite does not hold, until absent_at().
    _absent_at: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    # The same for bibliographic queries, until forget_searches().
    _searched: dict[str, list[Consulted]] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Resolver:
        snapshot = open_snapshots(settings.snapshots)
        cache = None
        if not settings.no_cache:
            folder = settings.cache_dir
            path = folder / "crossref.sqlite3" if folder else WorkCache.default_path()
            cache = WorkCache(path)
        if settings.offline:
            return cls(settings=settings, snapshot=snapshot, cache=cache)
        chosen = set(settings.sources)
        client = (
            CrossrefClient(
                settings.crossref_url,
                settings.mailto,
                timeout=settings.timeout,
                retries=settings.retries,
                crossref_plus_token=settings.plus_token,
            )
            if "crossref" in chosen
            else None
        )
        left_out = frozenset(SOURCES) - chosen
        resolver = cls(
            settings=settings, snapshot=snapshot, cache=cache, client=client, left_out=left_out
        )
        if "datacite" in chosen:
            resolver._build_datacite = lambda: DataciteClient(
                settings.datacite_url,
                settings.mailto,
                timeout=settings.timeout,
                retries=settings.retries,
            )
        # doi.org unset: asked only beside Crossref's own API, never behind a mirror's back.
        doi_url = settings.doi_url or (
            DEFAULT_DOI_URL if settings.crossref_url.rstrip("/") == DEFAULT_CROSSREF_URL else None
        )
        if doi_url and "doi.org" in chosen:
            resolver._build_doiorg = lambda: DoiOrgClient(
                doi_url,
                settings.mailto,
                timeout=settings.timeout,
                retries=min(settings.retries, 2),
            )
        if "arxiv" in chosen:
            resolver._build_arxiv = lambda: ArxivClient(
                settings.arxiv_url,
                settings.mailto,
                timeout=settings.timeout,
                retries=min(settings.retries, 2),
            )
        # Open Library unset: asked only beside Crossref's own API, as doi.org.
        openlibrary_url = settings.openlibrary_url or (
            DEFAULT_OPENLIBRARY_URL
            if settings.crossref_url.rstrip("/") == DEFAULT_CROSSREF_URL
            else None
        )
        if openlibrary_url and "openlibrary" in chosen:
            resolver._build_openlibrary = lambda: OpenLibraryClient(
                openlibrary_url,
                settings.mailto,
                timeout=settings.timeout,
                retries=min(settings.retries, 2),
            )
        return resolver

    @property
    def online(self) -> bool:
        """Whether registries are asked over the network in this run (Crossref may be
        left out of them)."""
        return self.client is not None or "crossref" in self.left_out

    def left_out_error(self, source: str) -> RegistryError | None:
        """The reason a reference only ``source`` could answer is unverified, when the
        run was told not to ask it; else None."""
        return RegistryError(not_asked(source)) if source in self.left_out else None

    def unsearched(self, verdict: Verdict) -> bool:
        """Is the verdict one of a reference without DOI left unverified only because
        Crossref, left out of the run, was not searched? Another registry's search may
        still find its work."""
        return (
            "crossref" in self.left_out
            and verdict.status is Status.UNVERIFIED
            and not verdict.reference.doi
            and not verdict.findings
            and any(c.source == "crossref" and c.outcome == "not-asked" for c in verdict.sources)
        )

    @property
    def asks_datacite(self) -> bool:
        """Whether DataCite is asked in this run (its client may not be built yet)."""
        return self.datacite is not None or self._build_datacite is not None

    @property
    def asks_openlibrary(self) -> bool:
        """Whether Open Library is asked in this run (its client may not be built yet)."""
        return self.openlibrary is not None or self._build_openlibrary is not None

    def _datacite_client(self) -> DataciteClient | None:
        if self.datacite is None and self._build_datacite is not None:
            self.datacite = self._build_datacite()
        self._build_datacite = None
        return self.datacite

    def _openlibrary_client(self) -> OpenLibraryClient | None:
        if self.openlibrary is None and self._build_openlibrary is not None:
            self.openlibrary = self._build_openlibrary()
        self._build_openlibrary = None
        return self.openlibrary

    def _doiorg_client(self) -> DoiOrgClient | None:
        if self.doiorg is None and self._build_doiorg is not None:
            self.doiorg = self._build_doiorg()
        self._build_doiorg = None
        return self.doiorg

    def _arxiv_client(self) -> ArxivClient | None:
        if self.arxiv is None and self._build_arxiv is not None:
            self.arxiv = self._build_arxiv()
        self._build_arxiv = None
        return self.arxiv

    async def __aenter__(self) -> Resolver:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        # Closed: nothing more is built.
        self._build_datacite = self._build_arxiv = self._build_openlibrary = None
        self._build_doiorg = None
        if self._workers is not None:
            self._workers.close()
            self._workers = None
        if self.client is not None:
            await self.client.aclose()
        if self.datacite is not None:
            await self.datacite.aclose()
        if self.arxiv is not None:
            await self.arxiv.aclose()
        if self.doiorg is not None:
            await self.doiorg.aclose()
        if self.openlibrary is not None:
            await self.openlibrary.aclose()
        if self.cache is not None:
            self.cache.close()
        close = getattr(self.snapshot, "close", None)
        if callable(close):
            close()

    def consulted(self, doi: str, *, forget: bool = False) -> tuple[Consulted, ...]:
        """The sources asked about a DOI in lookups so far, in order, with their outcomes;
        ``forget`` drops the record (a run forgets each DOI once its verdicts are made)."""
        key = normalise_doi(doi) or doi
        record = self._consulted.pop(key, []) if forget else self._consulted.get(key, [])
        return tuple(record)

    def _note(self, doi: str, source: str, outcome: SourceOutcome) -> None:
        self._consulted.setdefault(doi, []).append(Consulted(source=source, outcome=outcome))

    def consulted_by_search(self, query: str) -> tuple[Consulted, ...]:
        """The sources asked for a bibliographic query so far, with their outcomes."""
        return tuple(self._searched.get(query, []))

    def forget_searches(self) -> None:
        self._searched.clear()

    def _note_search(self, query: str, source: str, outcome: SourceOutcome) -> None:
        self._searched.setdefault(query, []).append(Consulted(source=source, outcome=outcome))

    async def lookup_dois(self, dois: Sequence[str]) -> dict[str, Lookup]:
        """Each DOI (normalised, lowercase key) -> its work, None, or the error. What each
        source said is kept for :meth:`consulted`."""
        found: dict[str, Lookup] = {}
        wanted: list[str] = []
        absent: list[str] = []  # cached as held by no registry: its agency is asked again
        for raw in dois:
            doi = normalise_doi(raw)
            if doi is None or doi in found or doi in wanted or doi in absent:
                continue
            if self.snapshot is not None and (work := self.snapshot.get(doi)) is not None:
                self.stats.snapshot_hits += 1
                found[doi] = work
                self._note(doi, "snapshot", "answered")
                continue
            if self.snapshot is not None:
                self._note(doi, "snapshot", "not-found")
            if self.cache is not None:
                cached = self.cache.get_work(doi)
                if cached is not MISS:
                    self.stats.cache_hits += 1
                    found[doi] = cached
                    self._note(doi, "cache", "not-found" if cached is None else "answered")
                    # A cache written before other registries were asked holds Crossref's
                    # absences only: online, such a DOI's agency still decides, unless the
                    # cache also says no agency holds it, or DataCite's absence was cached.
                    if cached is None and not self._absent_everywhere(doi) and self.online:
                        absent.append(doi)
                    continue
            wanted.append(doi)
        if not wanted and not absent:
            return found
        if not self.online:
            offline = CrossrefUnavailable("offline: the DOI is in no snapshot or cache")
            found.update(dict.fromkeys(wanted, offline))
            for doi in wanted:
                self._note(doi, "crossref", "not-asked")
            return found
        # arXiv's DOIs are all DataCite's: no need to ask Crossref or the agency first.
        direct = [doi for doi in wanted if doi.startswith(DATACITE_PREFIXES)]
        wanted = [doi for doi in wanted if not doi.startswith(DATACITE_PREFIXES)]
        fetched: dict[str, Work | None] = {}
        unasked: list[str] = []  # Crossref left out: the agency says whose each DOI is
        if wanted and self.client is None:
            unasked, wanted = wanted, []
            for doi in unasked:
                self._note(doi, "crossref", "not-asked")
        if wanted and self.client is not None:
            self.stats.network_lookups += len(wanted)
            try:
                answers = await self.client.works(wanted)
            except CrossrefError as exc:
                found.update(dict.fromkeys(wanted, exc))
                for doi in wanted:
                    self._note(doi, "crossref", "unreachable")
                wanted = []
            else:
                fetched = {doi: answers.get(doi) for doi in wanted}
                for doi, work in fetched.items():
                    self._note(doi, "crossref", "not-found" if work is None else "answered")
        unknown = [doi for doi, work in fetched.items() if work is None] + absent + unasked
        beyond = await self._beyond_crossref(unknown) if unknown else {}
        if direct:
            beyond.update(await self._at_datacite(direct))
            if self.cache is not None:  # so that a cached absence is known as DataCite's
                self.cache.put_agencies(dict.fromkeys(direct, DATACITE))
        settled = {
            doi: answer
            for doi, answer in {**fetched, **beyond}.items()
            if not isinstance(answer, CrossrefError)
        }
        if self.cache is not None and settled:
            self.cache.put_works(settled)
        found.update(fetched)
        found.update(beyond)
        return found

    def _absent_everywhere(self, doi: str) -> bool:
        """Does the cache say no registry asked holds ``doi``: no agency does, or its
        agency is DataCite (whose absence was cached with Crossref's)?"""
        if self.cache is None:
            return False
        agency = self.cache.get_agency(doi)
        if isinstance(agency, Agency) and agency.is_datacite:
            self._absent_at[doi] = agency.label
            return True
        return agency is None

    def absent_at(self, doi: str) -> str | None:
        """The registry that is the DOI's registration agency yet does not hold it (a DOI
        looked up and found nowhere), None when no agency holds it; forgotten once read."""
        return self._absent_at.pop(normalise_doi(doi) or doi, None)

    async def _beyond_crossref(self, dois: Sequence[str]) -> dict[str, Lookup]:
        """DOIs Crossref does not hold (or was not asked of): their agency's answer (None:
        no agency holds it)."""
        self.stats.agency_lookups += len(dois)
        agencies = await self._agencies(dois)
        found: dict[str, Lookup] = {}
        at_datacite: list[str] = []
        elsewhere: list[tuple[str, Agency]] = []
        for doi, agency in zip(dois, agencies, strict=True):
            if isinstance(agency, BaseException) and not isinstance(agency, CrossrefError):
                raise agency  # a bug, not a registry's failure: do not hide it
            self._note(
                doi,
                "agency",
                "unreachable"
                if isinstance(agency, CrossrefError)
                else "not-found"
                if agency is None
                else "answered",
            )
            if isinstance(agency, CrossrefError):
                found[doi] = agency
            elif agency is None:
                found[doi] = None
            elif agency.is_datacite:
                at_datacite.append(doi)
            elif agency.is_crossref and (left_out := self.left_out_error("crossref")):
                found[doi] = left_out
            elif agency.is_crossref:
                found[doi] = RegistryError(
                    f"the DOI is registered with Crossref, but Crossref's API does not hold it"
                    f" (yet): {doi}"
                )
            else:
                elsewhere.append((doi, agency))
        if at_datacite:
            found.update(await self._at_datacite(at_datacite))
        if elsewhere:
            found.update(await self._at_doi_org(elsewhere))
        return found

    async def _agencies(self, dois: Sequence[str]) -> list[Agency | CrossrefError | None]:
        """Each DOI's agency (None: no agency holds it), or the error that kept it from being
        known: from the cache, else doi.org's ``/ra/`` batch, else Crossref's ``/agency``
        route one DOI a request (doi.org not asked in this run, unreachable, or unsure).
        Neither asked (both left out): the error that says so."""
        known: dict[str, Agency | CrossrefError | None] = {}
        if self.cache is not None:
            for doi in dois:
                cached = self.cache.get_agency(doi)
                if cached is not MISS:
                    known[doi] = cached
        wanted = [doi for doi in dois if doi not in known]
        doiorg = self._doiorg_client() if wanted else None
        if doiorg is not None:
            # doi.org failing: Crossref's route answers for any DOI too.
            with contextlib.suppress(RegistryError):
                known.update(await doiorg.agencies(wanted))
        rest = [doi for doi in wanted if doi not in known]
        if self.client is None:
            # Only Crossref's route or doi.org's knows an agency: those left out are named.
            unknown = RegistryError(
                "its registration agency is not known: neither Crossref nor doi.org was"
                " asked (--source)"
                if "doi.org" in self.left_out
                else not_asked("crossref")
            )
            known.update(dict.fromkeys(rest, unknown))
        else:
            client = self.client
            answers = await asyncio.gather(
                *(client.agency(doi) for doi in rest), return_exceptions=True
            )
            for doi, answer in zip(rest, answers, strict=True):
                if isinstance(answer, BaseException) and not isinstance(answer, CrossrefError):
                    raise answer  # a bug, not a registry's failure: do not hide it
                known[doi] = answer
        if self.cache is not None:
            settled: dict[str, Agency | None] = {}
            for doi in wanted:
                answer = known[doi]
                if not isinstance(answer, CrossrefError):
                    settled[doi] = answer
            self.cache.put_agencies(settled)
        return [known[doi] for doi in dois]

    async def _at_doi_org(self, dois: Sequence[tuple[str, Agency]]) -> dict[str, Lookup]:
        """DOIs of agencies other than Crossref and DataCite: their records by content
        negotiation at doi.org, or a RegistryError naming the agency (unverified)."""
        doiorg = self._doiorg_client()
        found: dict[str, Lookup] = {}
        if doiorg is None:
            chosen = "doi.org" in self.left_out
            for doi, agency in dois:
                self._note(doi, "doi.org" if chosen else agency.id, "not-asked")
                found[doi] = RegistryError(
                    f"the DOI is registered with {agency.label}, whose records are read at"
                    " doi.org; doi.org was not asked (--source)"
                    if chosen
                    else f"the DOI is registered with {agency.label}, which is not asked in"
                    " this run: it could not be checked"
                )
            return found
        answers = await asyncio.gather(
            *(doiorg.work(doi, agency) for doi, agency in dois), return_exceptions=True
        )
        for (doi, agency), answer in zip(dois, answers, strict=True):
            if isinstance(answer, NotServed):
                self._note(doi, agency.id, "unreachable")
                found[doi] = RegistryError(
                    f"the DOI is registered with {agency.label}, which serves no record of it"
                    " to read: it could not be checked"
                )
            elif isinstance(answer, CrossrefError):
                self._note(doi, "doi.org", "unreachable")
                found[doi] = RegistryError(
                    f"the DOI is registered with {agency.label}; {answer}: it could not be checked"
                )
            elif isinstance(answer, BaseException):
                raise answer  # a bug, not a registry's failure: do not hide it
            elif answer is None:
                # The agency look-up placed it, doi.org does not know it: neither is sure.
                self._note(doi, "doi.org", "not-found")
                found[doi] = RegistryError(
                    f"the DOI is registered with {agency.label}, but doi.org does not resolve"
                    " it: it could not be checked"
                )
            else:
                self._note(doi, "doi.org", "answered")
                found[doi] = answer
        return found

    async def _at_datacite(self, dois: Sequence[str]) -> dict[str, Lookup]:
        datacite = self._datacite_client()
        if datacite is None:
            for doi in dois:
                self._note(doi, "datacite", "not-asked")
            reason = self.left_out_error("datacite") or RegistryError(
                "DataCite is not asked in this run"
            )
            return dict.fromkeys(dois, reason)
        self.stats.datacite_lookups += len(dois)
        answers = await datacite.works(list(dois))
        for doi, answer in answers.items():
            outcome: SourceOutcome = (
                "unreachable"
                if isinstance(answer, RegistryError)
                else "not-found"
                if answer is None
                else "answered"
            )
            self._note(doi, "datacite", outcome)
            if answer is None:
                self._absent_at[doi] = DATACITE.label
        return await self._published(dict(answers))

    async def _published(self, found: dict[str, Lookup]) -> dict[str, Lookup]:
        """arXiv preprints whose DataCite record names no published version, with the one
        arXiv's export API gives (for RC703). arXiv failing only leaves them as they are."""
        preprints = {
            doi.removeprefix(ARXIV_PREFIX): doi
            for doi, work in found.items()
            if isinstance(work, Work) and doi.startswith(ARXIV_PREFIX) and not work.preprint_of
        }
        arxiv = self._arxiv_client() if preprints else None
        if arxiv is None:
            return found
        try:
            published = await arxiv.published(list(preprints))
        except RegistryError:
            for doi in preprints.values():
                self._note(doi, "arxiv", "unreachable")
            return found
        for identifier, doi in preprints.items():
            journal = published.get(identifier.lower())
            self._note(doi, "arxiv", "answered" if journal else "not-found")
            work = found[doi]
            if journal and isinstance(work, Work):
                found[doi] = work.model_copy(update={"preprint_of": (journal,)})
        return found

    async def lookup_isbns(self, isbns: Sequence[str]) -> dict[str, Lookup]:
        """Each ISBN-13's book: the first Crossref lists under it, else Open Library's
        edition; None when both answered and neither holds it; the error when one could not
        be asked and the other did not hold it (the reference is then unverified). What each
        said is kept for :meth:`consulted` under ``isbn:<ISBN-13>``. Both answers are cached.
        Offline: nothing (no snapshot is indexed by ISBN; such a book is found by search, as
        any reference)."""
        wanted = list(dict.fromkeys(isbns))
        if not self.online or not wanted:
            return {}
        self.stats.isbn_lookups += len(wanted)
        found: dict[str, Lookup] = {}
        failed: dict[str, CrossrefError] = {}
        for isbn, answer in (await self._crossref_books(wanted)).items():
            if isinstance(answer, CrossrefError):
                failed[isbn] = answer
            elif answer:
                found[isbn] = answer[0]
        rest = [isbn for isbn in wanted if isbn not in found]
        editions = await self._openlibrary_books(rest) if rest else {}
        for isbn in rest:
            # Open Library not asked (left out, offline): the search that follows may still
            # find the book.
            edition = editions.get(isbn)
            found[isbn] = edition if edition is not None else failed.get(isbn)
        return found

    def _cached_answers(self, source: str, keys: Sequence[str]) -> dict[str, list[Work]]:
        """What the cache holds of ``source``'s answers to ``keys``."""
        if self.cache is None:
            return {}
        found: dict[str, list[Work]] = {}
        for key in keys:
            cached = self.cache.get_answer(source, key)
            if cached is not MISS:
                self.stats.cache_hits += 1
                found[key] = cached
        return found

    def _cache_answers(self, source: str, answers: dict[str, list[Work]]) -> None:
        if self.cache is not None and answers:
            self.cache.put_answers(source, answers)

    async def _crossref_books(self, isbns: Sequence[str]) -> dict[str, list[Work] | CrossrefError]:
        """The books Crossref lists under each ISBN (cached, else asked), or the error."""
        answers: dict[str, list[Work] | CrossrefError] = {}
        for isbn, works in self._cached_answers("crossref-isbn", isbns).items():
            answers[isbn] = works
            self._note(f"isbn:{isbn}", "cache", "answered" if works else "not-found")
        rest = [isbn for isbn in isbns if isbn not in answers]
        if self.client is None:  # Crossref left out: Open Library alone may hold the book
            for isbn in rest:
                answers[isbn] = RegistryError(not_asked("crossref"))
                self._note(f"isbn:{isbn}", "crossref", "not-asked")
            return answers
        client = self.client
        asked = await asyncio.gather(*(client.books(isbn) for isbn in rest), return_exceptions=True)
        settled: dict[str, list[Work]] = {}
        for isbn, answer in zip(rest, asked, strict=True):
            if isinstance(answer, BaseException) and not isinstance(answer, CrossrefError):
                raise answer  # a bug, not Crossref's failure: do not hide it
            answers[isbn] = answer
            if isinstance(answer, CrossrefError):
                self._note(f"isbn:{isbn}", "crossref", "unreachable")
            else:
                settled[isbn] = answer
                self._note(f"isbn:{isbn}", "crossref", "answered" if answer else "not-found")
        self._cache_answers("crossref-isbn", settled)
        return answers

    async def _openlibrary_books(self, isbns: Sequence[str]) -> dict[str, Lookup]:
        """Open Library's edition of each ISBN (cached, else asked), None where it holds
        none, or the error; none of them when Open Library is not asked in this run."""
        answers: dict[str, Lookup] = {}
        for isbn, works in self._cached_answers("openlibrary-isbn", isbns).items():
            answers[isbn] = works[0] if works else None
            self._note(f"isbn:{isbn}", "cache", "answered" if works else "not-found")
        rest = [isbn for isbn in isbns if isbn not in answers]
        library = self._openlibrary_client() if rest else None
        if library is None:
            for isbn in rest:
                self._note(f"isbn:{isbn}", "openlibrary", "not-asked")
            return answers
        try:
            editions = await library.books(rest)
        except RegistryError as error:
            for isbn in rest:
                self._note(f"isbn:{isbn}", "openlibrary", "unreachable")
                answers[isbn] = error
            return answers
        settled: dict[str, list[Work]] = {}
        for isbn in rest:
            edition = editions.get(isbn)
            answers[isbn] = edition
            settled[isbn] = [] if edition is None else [edition]
            self._note(
                f"isbn:{isbn}", "openlibrary", "not-found" if edition is None else "answered"
            )
        self._cache_answers("openlibrary-isbn", settled)
        return answers

    async def search_openlibrary(
        self, title: str, author: str | None, year: int | None, *, key: str
    ) -> list[Work]:
        """Open Library's candidates for a book's title and first author, best first; what
        it said is kept for :meth:`consulted_by_search` under ``key``; its answers are
        cached. Raises RegistryError (also offline, where Open Library is not asked)."""
        rows = self.settings.search_rows
        cache_key = "|".join(
            (str(rows), search_key(title), search_key(author or ""), str(year or ""))
        )
        cached = self._cached_answers("openlibrary-search", [cache_key])
        if cache_key in cached:
            works = cached[cache_key]
            self._note_search(key, "cache", "answered" if works else "not-found")
            return works
        library = self._openlibrary_client()
        if library is None:
            self._note_search(key, "openlibrary", "not-asked")
            raise self.left_out_error("openlibrary") or RegistryError(
                "offline: Open Library is not asked"
            )
        self.stats.searches += 1
        try:
            works = await library.search(title, author, year=year, rows=rows)
        except RegistryError:
            self._note_search(key, "openlibrary", "unreachable")
            raise
        self._note_search(key, "openlibrary", "answered" if works else "not-found")
        self._cache_answers("openlibrary-search", {cache_key: works})
        return works

    def search_workers(self, searches: int) -> SearchWorkers | None:
        """Worker processes to check ``searches`` references in, or None to check them
        here: None unless the run is offline, its snapshot is a store, ``jobs`` is not 1
        and there are enough searches to pay for starting processes."""
        jobs = self.settings.jobs or cpu_count()
        if self._workers is None and (
            jobs > 1
            and searches >= PARALLEL_SEARCHES
            and not self.online
            and isinstance(self.snapshot, SnapshotStore)
        ):
            # The workers' resolvers read the same store and cache, and never the network.
            settings = self.settings.model_copy(
                update={"offline": True, "snapshots": (self.snapshot.path,)}
            )
            self._workers = SearchWorkers(settings, jobs)
        return self._workers

    async def search(self, query: str, *, local_only: bool = False) -> list[Work]:
        """Candidates for a bibliographic query, best first. Raises CrossrefError.

        ``local_only`` asks only the snapshot; the caller goes to the network when the
        snapshot's candidates do not validate.
        """
        rows = self.settings.search_rows
        if local_only:
            if self.snapshot is None:
                return []
            local = self.snapshot.search(query, rows)
            self._note_search(query, "snapshot", "answered" if local else "not-found")
            return local
        if self.cache is not None:
            cached = self.cache.get_search(query, rows)
            if cached is not MISS:
                self.stats.cache_hits += 1
                self._note_search(query, "cache", "answered")
                return cached
        if self.client is None:
            self._note_search(query, "crossref", "not-asked")
            if left_out := self.left_out_error("crossref"):
                raise left_out
            raise CrossrefUnavailable("offline: no snapshot or cached answer matches")
        self.stats.searches += 1
        try:
            works = await self.client.search(query, rows)
        except CrossrefError:
            self._note_search(query, "crossref", "unreachable")
            raise
        self._note_search(query, "crossref", "answered")
        if self.cache is not None:
            self.cache.put_search(query, rows, works)
        return works

    async def search_datacite(self, query: str) -> list[Work]:
        """DataCite's candidates for a bibliographic query, best first; its answers are
        cached. Raises RegistryError (also offline, where DataCite is not asked)."""
        rows = self.settings.search_rows
        cache_key = f"{rows}|{search_key(query)}"
        cached = self._cached_answers("datacite-search", [cache_key])
        if cache_key in cached:
            self._note_search(query, "cache", "answered")
            return cached[cache_key]
        datacite = self._datacite_client()
        if datacite is None:
            self._note_search(query, "datacite", "not-asked")
            raise self.left_out_error("datacite") or RegistryError("offline: DataCite is not asked")
        self.stats.searches += 1
        try:
            works = await datacite.search(query, rows)
        except RegistryError:
            self._note_search(query, "datacite", "unreachable")
            raise
        self._note_search(query, "datacite", "answered")
        self._cache_answers("datacite-search", {cache_key: works})
        return works


def open_snapshots(paths: Sequence[Path]) -> WorkSource | None:
    """The snapshots at ``paths`` as one source, None for none. Stores are opened; JSON
    lines are all read into one Snapshot (where a later record wins), which takes the place
    of the first of them. Raises InputError."""
    sources: list[WorkSource] = []
    lines = [Path(p) for p in paths if not is_store(Path(p))]
    try:
        for path in map(Path, paths):
            if is_store(path):
                sources.append(SnapshotStore(path))
            elif lines:
                sources.append(Snapshot.load(lines))
                lines = []
    except BaseException:
        CombinedSnapshot(sources).close()
        raise
    if len(sources) == 1:
        return sources[0]
    return CombinedSnapshot(sources) if sources else None
