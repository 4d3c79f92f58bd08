"""The library's entry points. ``check_async`` is the core; the rest wrap it.

A run takes references in chunks: all DOIs of a chunk are looked up together (Crossref
answers up to 50 in one list request), then every reference without a usable DOI is
searched for, concurrently under the client's pacing (or, offline against a snapshot store
with ``jobs`` set, in worker processes: see Resolver.search_workers). Verdicts come back in
input order.

:func:`iter_check_async` takes references as they come and gives verdicts chunk by chunk:
fed by :func:`iter_references`, which streams BibTeX entry by entry, a run holds one
chunk of references at a time, whatever the size of its files.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path

from refcheck import books, intext, verify
from refcheck.config import Settings
from refcheck.errors import ConfigError, CrossrefError
from refcheck.models import Consulted, InTextCitation, Reference, Status, Verdict, Work
from refcheck.parse.identifiers import arxiv_id, preprint_doi
from refcheck.parse.registries import names_datacite_work
from refcheck.parse.unregistered import unregistered_kind
from refcheck.readers import (
    iter_files,
    load_text,
    open_path,
    read_bibtex,
    read_csljson,
    read_path,
    reader_for,
)
from refcheck.readers.citations import read_citations as citations_in
from refcheck.resolve.protocol import normalise_doi
from refcheck.resolve.resolver import Resolver
from refcheck.resolve.workers import SearchWorkers

# References handled per round of lookups: large enough to fill list requests, small
# enough that the first verdicts arrive early and memory stays flat on huge files.
CHUNK = 500

Progress = Callable[[Verdict], None]


# verify.choose's answer: the validated work, or None and why.
Choice = tuple[Work | None, str | None]
# Candidates for a reference, those found without its title, and the choice among the first.
Candidates = tuple[list[Work], list[Work], Choice]


async def _search(
    resolver: Resolver, reference: Reference, asked: list[Consulted]
) -> Candidates | CrossrefError:
    """Candidates for a reference, and candidates found without its title; the sources
    its searches asked are added to ``asked``.

    When nothing validates and the citation has enough besides its title to find it
    (authors and a volume or pages), Crossref is asked once more without the title: a
    wrong title must be reported as a wrong title, not hide the work. The choice among the
    candidates is made once and handed on (validation is most of a search's CPU).
    """
    try:
        query = verify.query_for(reference)
        candidates, choice = await _recorded(resolver, reference, query, asked)
        if choice is None:
            choice = verify.choose(reference, candidates)
        if choice[0] is not None or not _findable_untitled(reference):
            return candidates, [], choice
        query = verify.query_for(reference, with_title=False)
        untitled, _ = await _recorded(resolver, reference, query, asked)
        return candidates, untitled, choice
    except CrossrefError as exc:
        return exc


async def _recorded(
    resolver: Resolver, reference: Reference, query: str, asked: list[Consulted]
) -> tuple[list[Work], Choice | None]:
    """_candidates, the sources it asked added to ``asked``: the resolver's record of the
    query as this search left it, without what other references' searches of the same
    query had put there. Taken at once: offline nothing runs between the search and this,
    while overlapping chunks forget their searches (and a verdict must not depend on the
    other references a run checked with it)."""
    before = len(resolver.consulted_by_search(query))
    try:
        return await _candidates(resolver, reference, query)
    finally:
        asked.extend(resolver.consulted_by_search(query)[before:])


async def _candidates(
    resolver: Resolver, reference: Reference, query: str
) -> tuple[list[Work], Choice | None]:
    """The snapshot's candidates when one of them validates (with that choice), else
    Crossref's (no choice made yet: the caller makes it only if it needs it)."""
    local = await resolver.search(query, local_only=True)
    if local:
        choice = verify.choose(reference, local)
        if choice[0] is not None:
            return local, choice
    return await resolver.search(query), None


def _findable_untitled(reference: Reference) -> bool:
    return (
        reference.title is not None
        and not reference.free_text
        and bool(reference.authors)
        and bool(reference.volume or reference.pages or reference.container)
    )


# DOIs per lookup round; the client sends each round as one list request.
DOI_BATCH = 50


async def _verdicts(
    resolver: Resolver, chunk: Sequence[Reference], last_batch: asyncio.Event | None = None
) -> list[Verdict]:
    """The chunk's verdicts, in its order. ``last_batch`` is set once at most one batch of
    DOIs is still being looked up (or the lookups are over): the caller then starts the next
    chunk's lookups, so that the pacer is never idle between chunks."""
    try:
        return await _chunk_verdicts(resolver, chunk, last_batch or asyncio.Event())
    finally:
        if last_batch is not None:
            last_batch.set()


async def _chunk_verdicts(
    resolver: Resolver, chunk: Sequence[Reference], last_batch: asyncio.Event
) -> list[Verdict]:
    settled: dict[int, Verdict] = {}
    needs_search: dict[int, Work | None] = {}  # index -> the cited DOI's (other) work
    by_doi: dict[str, list[int]] = {}
    # References without a DOI that cite an arXiv ID: looked up by its DataCite DOI.
    preprints: set[int] = set()
    for index, reference in enumerate(chunk):
        if reference.problem is not None:
            settled[index] = verify.invalid(reference)
            continue
        doi = normalise_doi(reference.doi) if reference.doi else None
        if doi is None and (preprint := normalise_doi(preprint_doi(reference))) is not None:
            doi = preprint
            preprints.add(index)
        if doi is None:
            needs_search[index] = None
        else:
            by_doi.setdefault(doi, []).append(index)

    async def settle(batch: Sequence[str]) -> None:
        # Each batch is judged as soon as its answer arrives, so comparing one batch
        # overlaps with the paced wait for the next instead of adding to it.
        lookups = await resolver.lookup_dois(batch)
        answered.append(batch)
        if len(answered) + 1 >= len(batches):
            last_batch.set()
        for doi in batch:
            # Taken at once: the next chunk may be looking up the same DOI meanwhile.
            sources[doi] = resolver.consulted(doi, forget=True)
            absent_at = resolver.absent_at(doi)  # the agency that does not hold it, if one
            for index in by_doi[doi]:
                reference = chunk[index]
                found = lookups.get(doi)
                if isinstance(found, CrossrefError):
                    settled[index] = verify.unverified(reference, found)
                elif found is None and index in preprints:
                    settled[index] = verify.arxiv_unknown(reference, arxiv_id(reference) or doi)
                elif found is None:
                    settled[index] = verify.doi_unknown(reference, absent_at)
                elif verify.by_doi(reference, found):
                    settled[index] = verify.matched(reference, found)
                else:
                    # A preprint that is not the cited work is no DOI the writer typed: the
                    # reference is searched for as one without a DOI.
                    needs_search[index] = None if index in preprints else found

    dois = list(by_doi)
    batches = [dois[i : i + DOI_BATCH] for i in range(0, len(dois), DOI_BATCH)]
    answered: list[Sequence[str]] = []
    sources: dict[str, tuple[Consulted, ...]] = {}
    if len(batches) <= 1:
        last_batch.set()
    await asyncio.gather(*(settle(batch) for batch in batches))
    looked_up: dict[int, tuple[Consulted, ...]] = {}  # sources asked before a search
    for doi, indices in by_doi.items():
        for index in indices:
            if index in settled:
                settled[index] = settled[index].model_copy(update={"sources": sources[doi]})
            else:
                looked_up[index] = sources[doi]
    # A book cited by its ISBN (and no DOI) is looked up by it, as a paper by its DOI.
    by_isbn = await books.by_isbn(
        resolver, chunk, [i for i, work in needs_search.items() if work is None]
    )
    for index, verdict in by_isbn.settled.items():
        settled[index] = verdict
        del needs_search[index]
    for index, asked in by_isbn.asked.items():
        looked_up[index] = (*looked_up.get(index, ()), *asked)

    references = [chunk[i] for i in needs_search]
    cited = list(needs_search.values())
    workers = resolver.search_workers(len(references))
    if workers is None:
        searched = await _searched(resolver, references, cited)
    else:
        searched = await _searched_by(workers, references, cited)
    searched = await _also_at_datacite(resolver, searched)
    searched = await books.also_as_books(resolver, searched)
    for index, verdict in zip(needs_search, map(_unregistered, searched), strict=True):
        before = looked_up.get(index, ())
        settled[index] = verdict.model_copy(update={"sources": (*before, *verdict.sources)})
    return [books.with_isbn_findings(settled[i], by_isbn.other.get(i)) for i in range(len(chunk))]


async def _also_at_datacite(resolver: Resolver, verdicts: list[Verdict]) -> list[Verdict]:
    """References Crossref's search did not find that name a dataset, software or a
    preprint (a DataCite repository or kind), searched at DataCite and validated as
    strictly. DataCite unreachable: such a reference is unverified, not "not found".
    Offline, DataCite is not asked and the verdicts stay as the snapshots made them; left
    out of the run (``--source``), such a reference is unverified, naming it."""
    if not resolver.asks_datacite and "datacite" not in resolver.left_out:
        return verdicts
    wanted = [
        n
        for n, verdict in enumerate(verdicts)
        if (verify.searched_in_vain(verdict) or resolver.unsearched(verdict))
        and names_datacite_work(verdict.reference)
    ]
    if not wanted:
        return verdicts
    queries = [verify.query_for(verdicts[n].reference) for n in wanted]
    answers = await asyncio.gather(
        *(resolver.search_datacite(query) for query in queries), return_exceptions=True
    )
    out = list(verdicts)
    for n, query, answer in zip(wanted, queries, answers, strict=True):
        before, reference = verdicts[n], verdicts[n].reference
        if isinstance(answer, BaseException) and not isinstance(answer, CrossrefError):
            raise answer  # a bug, not DataCite's failure: do not hide it
        if isinstance(answer, CrossrefError):
            # Crossref not searched either: that is the reason worth giving.
            after = before if resolver.unsearched(before) else verify.unverified(reference, answer)
        else:
            found = verify.by_search(reference, answer)
            after = found if found.work is not None else before
        asked = resolver.consulted_by_search(query)
        out[n] = after.model_copy(update={"sources": (*before.sources, *asked)})
    resolver.forget_searches()
    return out


def _unregistered(verdict: Verdict) -> Verdict:
    """A reference no registry's search matched that cites a work no registry holds (a
    web page, a blog post...) is skipped, not "not found" with an unrelated closest paper."""
    if verdict.status is not Status.NOT_FOUND or verdict.reference.doi:
        return verdict
    if any(f.code != "RC104" for f in verdict.findings):
        return verdict  # an unknown arXiv ID, a work that agrees on all but its title
    kind = unregistered_kind(verdict.reference)
    if kind is None:
        return verdict
    return verify.skipped(verdict.reference, kind).model_copy(update={"sources": verdict.sources})


async def _searched(
    resolver: Resolver, references: Sequence[Reference], cited: Sequence[Work | None]
) -> list[Verdict]:
    """Verdicts for references found by search (``cited``: the work of a DOI they cite
    that is another work, or None)."""
    asked: list[list[Consulted]] = [[] for _ in references]
    searched = await asyncio.gather(
        *(
            _search(resolver, reference, sources)
            for reference, sources in zip(references, asked, strict=True)
        )
    )
    verdicts: list[Verdict] = []
    for reference, cited_work, candidates in zip(references, cited, searched, strict=True):
        if cited_work is not None:
            titled = candidates if isinstance(candidates, CrossrefError) else candidates[0]
            verdicts.append(verify.doi_of_other_work(reference, cited_work, titled))
        elif isinstance(candidates, CrossrefError):
            verdicts.append(verify.unverified(reference, candidates))
        else:
            titled, untitled, choice = candidates
            verdicts.append(verify.by_search(reference, titled, untitled, choice=choice))
    verdicts = [
        verdict.model_copy(update={"sources": (*verdict.sources, *sources)})
        for verdict, sources in zip(verdicts, asked, strict=True)
    ]
    resolver.forget_searches()
    return verdicts


# References a worker process checks at a time, at most.
_WORKER_BATCH = 32


async def _searched_by(
    workers: SearchWorkers, references: Sequence[Reference], cited: Sequence[Work | None]
) -> list[Verdict]:
    """_searched, in batches in worker processes: several a worker, so that none waits for
    the others at the end."""
    size = max(1, min(_WORKER_BATCH, -(-len(references) // (2 * workers.count))))
    batches = range(0, len(references), size)
    checked = await asyncio.gather(
        *(
            workers.run(
                _searched_in_worker, workers.settings, references[i : i + size], cited[i : i + size]
            )
            for i in batches
        )
    )
    return [verdict for batch in checked for verdict in batch]


# A worker's resolvers, by their settings: opened once, kept to the worker's end.
_worker_resolvers: dict[Settings, Resolver] = {}


def _searched_in_worker(
    settings: Settings, references: Sequence[Reference], cited: Sequence[Work | None]
) -> list[Verdict]:
    """_searched in a worker process (see Resolver.search_workers)."""
    resolver = _worker_resolvers.get(settings)
    if resolver is None:
        resolver = _worker_resolvers[settings] = Resolver.from_settings(settings)
    return asyncio.run(_searched(resolver, references, cited))


async def iter_check_async(
    references: Iterable[Reference],
    settings: Settings | None = None,
    *,
    resolver: Resolver | None = None,
    dask_scheduler: str | None = None,
    partition_size: int | None = None,
) -> AsyncIterator[Verdict]:
    """Verdicts as they are reached, in input order, chunk by chunk. With
    ``dask_scheduler`` (an address), checked in partitions of ``partition_size`` on that
    Dask cluster, offline against the settings' snapshot store (refcheck.distributed)."""
    if dask_scheduler is not None:
        if resolver is not None:
            raise ConfigError("a distributed check builds its resolvers on the workers")
        # Imported here: Dask is an extra, and only a distributed check needs it.
        from refcheck import distributed

        size = distributed.PARTITION_SIZE if partition_size is None else partition_size
        verdicts = distributed.iter_check(
            references, settings or Settings(), dask_scheduler, partition_size=size
        )
        async for verdict in verdicts:
            yield verdict
        return
    own = resolver is None
    active = resolver or Resolver.from_settings(settings or Settings())
    try:
        source = iter(references)
        # At most two chunks are held: the one whose verdicts come next, and the one whose
        # lookups start while the first's last batch is in flight.
        ready = asyncio.Event()
        chunk = list(islice(source, CHUNK))
        current = asyncio.ensure_future(_verdicts(active, chunk, ready)) if chunk else None
        following: asyncio.Future[list[Verdict]] | None = None
        try:
            while current is not None:
                await ready.wait()
                ready = asyncio.Event()
                chunk = list(islice(source, CHUNK))
                following = (
                    asyncio.ensure_future(_verdicts(active, chunk, ready)) if chunk else None
                )
                for verdict in await current:
                    yield verdict
                current, following = following, None
        finally:
            for task in (current, following):
                if task is not None and not task.done():
                    task.cancel()
    finally:
        if own:
            await active.aclose()


async def check_async(
    references: Iterable[Reference],
    settings: Settings | None = None,
    *,
    progress: Progress | None = None,
    resolver: Resolver | None = None,
    dask_scheduler: str | None = None,
    partition_size: int | None = None,
) -> list[Verdict]:
    """Check references against Crossref; one verdict each, in input order (on a Dask
    cluster with ``dask_scheduler``: see :func:`iter_check_async`)."""
    verdicts: list[Verdict] = []
    checked = iter_check_async(
        references,
        settings,
        resolver=resolver,
        dask_scheduler=dask_scheduler,
        partition_size=partition_size,
    )
    async for verdict in checked:
        verdicts.append(verdict)
        if progress is not None:
            progress(verdict)
    return verdicts


def read_references(paths: Sequence[str | Path]) -> list[Reference]:
    """Every reference in the given files and folders. Raises InputError."""
    references: list[Reference] = []
    for path in iter_files([Path(p) for p in paths]):
        references.extend(read_path(path))
    return references


def read_citations(paths: Sequence[str | Path]) -> list[InTextCitation]:
    """Every in-text citation in the given posts (Markdown, HTML, plain text), outside
    their reference lists, in file order. Raises InputError."""
    citations: list[InTextCitation] = []
    for path in iter_files([Path(p) for p in paths]):
        if reader_for(path) in (read_bibtex, read_csljson):
            continue
        text = load_text(path)
        references = read_path(path)
        citations.extend(citations_in(text, str(path), references))
    return citations


def link_citations(
    citations: Sequence[InTextCitation],
    verdicts: Sequence[Verdict],
    defined: Mapping[str | None, frozenset[str]] | None = None,
) -> intext.Linked:
    """Each in-text citation linked to the verdict of its list entry, with the findings;
    ``defined``: per post, the keys its front matter's bibliography defines
    (:func:`refcheck.readers.citations.front_matter_keys`)."""
    return intext.link(citations, verdicts, defined)


def iter_references(paths: Sequence[str | Path]) -> Iterator[Reference]:
    """Every reference in the given files and folders, as they are read: BibTeX entry by
    entry (files of any size, up to 1 GiB), other files one whole file at a time. Every
    given path must exist (InputError at the call); a file that cannot be read raises
    InputError when the iteration reaches it."""
    files = iter_files([Path(p) for p in paths])

    def references() -> Iterator[Reference]:
        for path in files:
            yield from open_path(path)

    return references()


async def check_file_async(
    *paths: str | Path,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> list[Verdict]:
    """Read the files (or folders) and check every reference in them."""
    return await check_async(read_references(paths), settings, progress=progress)


def check(
    references: Iterable[Reference],
    settings: Settings | None = None,
    *,
    progress: Progress | None = None,
    dask_scheduler: str | None = None,
    partition_size: int | None = None,
) -> list[Verdict]:
    """Synchronous twin of :func:`check_async`."""
    return asyncio.run(
        check_async(
            references,
            settings,
            progress=progress,
            dask_scheduler=dask_scheduler,
            partition_size=partition_size,
        )
    )


def check_file(
    *paths: str | Path,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> list[Verdict]:
    """Synchronous twin of :func:`check_file_async`."""
    return asyncio.run(check_file_async(*paths, settings=settings, progress=progress))
