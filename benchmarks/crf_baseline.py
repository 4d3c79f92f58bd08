"""A trained sequence model (linear-chain CRF) against the hand-written parser, field by field.
Prints figures; not a test, not run in CI.

Issue 4 asks which way of parsing reference strings is most accurate offline. This trains a
CRF (python-crfsuite) over word tokens and scores it, next to ``refcheck.parse``, with
*exactly* the metric of ``benchmarks/parsing.py``: the same corpus loaders, the same gold
values, the same normalisation, and its own ``score_labelled`` (run on each parser's output).

The tokeniser and the features are ``refcheck.parse.crf``'s (the code the shipped model,
trained by ``tools/train_parser.py``, runs with); "hand" is ``parse_reference(text,
model=False)``, the hand-written parser alone. ``--model PATH`` scores a trained model (the
shipped one: ``src/refcheck/parse/data/references.crfsuite``) instead of training one.

Model: tokens are runs of letters, runs of digits, or single punctuation marks; labels are
author, year, title, container, volume, issue, pages, doi and other. Features per token: the
word lowercased, prefix/suffix, shape, digit / year-like / punctuation / capitalisation /
initial / month flags, blank before/after, position in the string (tenths), inside quotes or
parentheses or brackets, how many sentence stops and commas precede it, whether a year came
before, and the word and shape of the neighbours at ±1 and ±2. The plain strings carry no
italics, so there is no italics feature. Token labels come from the same files as the gold
values (AnyStyle ``<sequence>`` children, GROBID TEI ``<bibl>`` elements, ParsCit tags), laid
over the very string the loaders build. Field values are read back from the predicted spans:
all author tokens for authors, the first contiguous span of each other field, then
normalised as parsing.py does (year: first year-like number; DOI: the DOI found in the span).

Training data: anystyle-gold + grobid-corpus (the hand-written parser's development data).
Test: parscit, grobid-eval, anystyle-core. The corpora overlap: grobid-corpus holds every
grobid-eval string and, in ``citations.xml``, most of Cora (= parscit); a third of
anystyle-core is in anystyle-gold or grobid-corpus. Every training string equal (after
parsing.py's text normalisation) or near-equal (rapidfuzz ratio >= 90) to a test string is
dropped from training, and training is de-duplicated, so the test figures are held out for
the CRF. They are not all held out for the hand-written parser: it was tuned reading errors
on every corpus except parscit (and grobid-corpus, which it was tuned on, contains Cora).

Also: ``--folds`` cross-validation inside the (cleaned) training data, folds grouped by
source file and blocks of 100 neighbouring references (neighbours share a paper and style);
and, per field, how often the CRF is right where the hand-written parser is wrong and the
reverse ("oracle" = either right: the ceiling of any hybrid of the two), plus hybrids one
could ship: ``fill`` (hand-written value, the CRF's where the hand-written one is empty),
``gated`` (hand-written value where it is confident, else the CRF's unless empty) and
``pick`` (per field, whichever of hand/crf/fill/gated did best in cross-validation: chosen
without looking at the test corpora). ``read-back ceiling``: the score of the gold token
labels themselves, i.e. what tokenisation and span read-back alone lose.

Corpora (read from ../shared/refdata, never copied) and licences: AnyStyle training data
(BSD-2-Clause, Sylvester Keil), GROBID citation training data (Apache-2.0), ParsCit tagged
references (LGPL-3.0). A model trained on them and shipped must credit them.

    .venv/bin/python benchmarks/crf_baseline.py [--folds 5] [--train-limit N] [--limit N]
        [--max-iterations 100] [--c1 0.1] [--c2 0.01] [--minfreq 0] [--extra-anystyle]
        [--model PATH]

About 5 minutes on 2 cores with the defaults (training ~1 min, each fold ~40 s).
``--extra-anystyle`` adds AnyStyle's good/bad/ugly sets (~8,000 more, humanities-heavy) to
the training data.
"""

from __future__ import annotations

import argparse
import gzip
import random
import re
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pycrfsuite  # type: ignore[import-untyped]
from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent))
import parsing
from parsing import (
    FIELDS,
    REFDATA,
    Case,
    Tally,
    norm_text,
    normalise_gold,
    parsed_value,
    year_of,
)

from refcheck.models import Person
from refcheck.parse import ParsedReference, parse_reference
from refcheck.parse.crf import OTHER, Token, features, spans, token_labels, tokenise

ANYSTYLE = REFDATA / "anystyle-parser-training"
GROBID = REFDATA / "grobid-citation-training"
PARSCIT = REFDATA / "parscit-tagged-references"


@dataclass
class Labelled:
    """A loader's case with one label per character of its text, for training."""

    case: Case
    chars: list[str]
    group: str


# --- token labels, laid over the strings parsing.py's loaders build ---------------------

# The same issue pattern parsing.anystyle() reads out of AnyStyle's <volume>.
_ANYSTYLE_ISSUE = re.compile(r"\((\w+)\)|no\.?\s*(\w+)", re.IGNORECASE)
_ANYSTYLE_TAGS = {
    "author": "author",
    "title": "title",
    "journal": "container",
    "container-title": "container",
    "date": "year",
    "volume": "volume",
    "pages": "pages",
    "doi": "doi",
}


def anystyle_labels(path: Path) -> Iterator[tuple[str, list[str]]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        root = ET.parse(handle).getroot()
    for sequence in root.iter("sequence"):
        text = ""
        chars: list[str] = []
        for index, child in enumerate(sequence):
            part = parsing._squash(child.text or "")
            if index:
                text += " "
                chars.append(OTHER)
            label = _ANYSTYLE_TAGS.get(child.tag, OTHER)
            part_labels = [label] * len(part)
            if label == "volume":
                issue = _ANYSTYLE_ISSUE.search(part)
                if issue:
                    part_labels[issue.start() : issue.end()] = ["issue"] * len(issue.group(0))
            text += part
            chars.extend(part_labels)
        yield text, chars


_TEI = "{http://www.tei-c.org/ns/1.0}"
_SCOPE_UNITS = {
    "volume": "volume",
    "vol": "volume",
    "issue": "issue",
    "page": "pages",
    "pp": "pages",
}


def _grobid_label(element: ET.Element, has_article: bool, has_journal: bool) -> str | None:
    """The label an element gives its text, mirroring parsing.grobid()'s reading of it."""
    tag = element.tag.replace(_TEI, "")
    if tag == "author":
        return "author"
    if tag == "date":
        return "year"
    if tag == "title":
        level = element.get("level", "a")
        if level == "a":
            return "title"
        if level == "j":
            return "container"
        if level == "m":
            # A monograph title is the title when nothing else is, else the container.
            if not has_article:
                return "title"
            return OTHER if has_journal else "container"
        return OTHER
    if tag == "biblScope":
        return _SCOPE_UNITS.get(element.get("unit") or element.get("type") or "", OTHER)
    if tag == "idno":
        return "doi" if (element.get("type") or "").lower() == "doi" else OTHER
    return None


def _squash_labelled(raw: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """parsing._squash over labelled characters: blank runs become one blank, ends trimmed."""
    out: list[str] = []
    labels: list[str] = []
    pending = False
    for char, label in raw:
        if char.isspace():
            pending = bool(out)
            continue
        if pending:
            out.append(" ")
            labels.append(OTHER)
            pending = False
        out.append(char)
        labels.append(label)
    return "".join(out), labels


def _walk(
    element: ET.Element, label: str, raw: list[tuple[str, str]], article: bool, journal: bool
) -> None:
    """Characters in itertext() order, each with its innermost labelled element's label."""
    own = _grobid_label(element, article, journal) or label
    raw.extend((char, own) for char in element.text or "")
    for child in element:
        _walk(child, own, raw, article, journal)
        raw.extend((char, own) for char in child.tail or "")


def grobid_labels(paths: Sequence[Path]) -> Iterator[tuple[str, list[str], str]]:
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError:
            continue
        index = 0
        for bibl in root.iter():
            if bibl.tag not in {f"{_TEI}bibl", "bibl"}:
                continue
            levels = {
                child.get("level", "a")
                for child in bibl.iter()
                if child.tag.replace(_TEI, "") == "title"
            }
            raw: list[tuple[str, str]] = []
            _walk(bibl, OTHER, raw, "a" in levels, "j" in levels)
            text, chars = _squash_labelled(raw)
            yield text, chars, f"{path.name}#{index // 100}"
            index += 1


def pair(cases: list[Case], labelled: Iterator[tuple[str, list[str], str]]) -> list[Labelled]:
    """Cases from parsing.py with their labels; a case whose string differs is left out."""
    paired = [
        Labelled(case, chars, group)
        for case, (text, chars, group) in zip(cases, labelled, strict=True)
        if text == case.text and len(chars) == len(text)
    ]
    if len(paired) != len(cases):
        print(f"  ({len(cases) - len(paired)} cases without aligned labels left out)")
    return paired


# --- the CRF parser ----------------------------------------------------------------------


@dataclass
class Training:
    seconds: float
    sequences: int
    tokens: int


def train(
    examples: Sequence[Labelled], model_path: Path, params: dict[str, float | bool]
) -> Training:
    trainer = pycrfsuite.Trainer(verbose=False)
    tokens_seen = 0
    for example in examples:
        tokens = tokenise(example.case.text)
        if not tokens:
            continue
        tokens_seen += len(tokens)
        trainer.append(features(example.case.text, tokens), token_labels(tokens, example.chars))
    trainer.set_params(params)
    start = time.perf_counter()
    trainer.train(str(model_path))
    return Training(time.perf_counter() - start, len(examples), tokens_seen)


def spans_to_reference(text: str, tokens: list[Token], labels: Sequence[str]) -> ParsedReference:
    """Field values from predicted labels: every author span, the first span of the rest."""
    found = spans(text, tokens, labels)
    first = {label: values[0] for label, values in found.items()}
    authors = found.get("author", [])
    year = year_of(first.get("year"))
    doi = normalise_gold("doi", first["doi"]) if "doi" in first else ""
    return ParsedReference(
        authors=(Person(literal=" ".join(authors)),) if authors else (),
        year=int(year) if year else None,
        title=first.get("title"),
        container=first.get("container"),
        volume=first.get("volume"),
        issue=first.get("issue"),
        pages=first.get("pages"),
        doi=doi or None,
    )


def crf_parser(model_path: Path) -> Callable[[str], ParsedReference]:
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model_path))

    def parse(text: str) -> ParsedReference:
        tokens = tokenise(text)
        if not tokens:
            return ParsedReference()
        labels: list[str] = tagger.tag(features(text, tokens))
        return spans_to_reference(text, tokens, labels)

    return parse


# --- scoring with parsing.py's own score_labelled ----------------------------------------


def outcomes(case: Case, parsed: ParsedReference) -> dict[str, bool]:
    """Per gold field of the case: is the parse right, by parsing.score_labelled itself."""
    tally = Tally()
    # score_labelled calls parsing.parse_reference; hand it the parse already made.
    with mock.patch.object(parsing, "parse_reference", return_value=parsed):
        parsing.score_labelled([case], tally)
    return {name: tally.right[name] == 1 for name in tally.gold}


def has_value(parsed: ParsedReference, name: str) -> bool:
    return bool(parsed.authors) if name == "authors" else bool(parsed_value(parsed, name))


@dataclass
class Outcome:
    hand: bool
    crf: bool
    fill: bool
    gated: bool


@dataclass
class Run:
    outcomes: dict[str, list[Outcome]]
    hand_seconds: float
    crf_seconds: float
    references: int


def compare(cases: Sequence[Case], crf: Callable[[str], ParsedReference]) -> Run:
    start = time.perf_counter()
    hand_parses = [parse_reference(case.text, model=False) for case in cases]
    hand_seconds = time.perf_counter() - start
    start = time.perf_counter()
    crf_parses = [crf(case.text) for case in cases]
    crf_seconds = time.perf_counter() - start
    by_field: dict[str, list[Outcome]] = defaultdict(list)
    for case, hand, model in zip(cases, hand_parses, crf_parses, strict=True):
        hand_ok = outcomes(case, hand)
        crf_ok = outcomes(case, model)
        for name, right in hand_ok.items():
            use_crf_fill = not has_value(hand, name) and has_value(model, name)
            use_crf_gated = name not in hand.confident and has_value(model, name)
            by_field[name].append(
                Outcome(
                    right,
                    crf_ok[name],
                    crf_ok[name] if use_crf_fill else right,
                    crf_ok[name] if use_crf_gated else right,
                )
            )
    return Run(dict(by_field), hand_seconds, crf_seconds, len(cases))


def merge(runs: Sequence[Run]) -> Run:
    by_field: dict[str, list[Outcome]] = defaultdict(list)
    for run in runs:
        for name, results in run.outcomes.items():
            by_field[name].extend(results)
    return Run(
        dict(by_field),
        sum(r.hand_seconds for r in runs),
        sum(r.crf_seconds for r in runs),
        sum(r.references for r in runs),
    )


# --- report ------------------------------------------------------------------------------


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:6.1f}" if whole else f"{'-':>6}"


STRATEGIES = ("hand", "crf", "fill", "gated")


def ceiling(examples: Sequence[Labelled]) -> float:
    """Share of gold fields read back right from the *gold* token labels: the best a tagger
    could score with this tokenisation and read-back."""
    right = total = 0
    for example in examples:
        text = example.case.text
        tokens = tokenise(text)
        parsed = spans_to_reference(text, tokens, token_labels(tokens, example.chars))
        for ok in outcomes(example.case, parsed).values():
            right += ok
            total += 1
    return 100 * right / max(1, total)


def choose(run: Run) -> dict[str, str]:
    """Per field, the strategy most accurate in this run (on a tie, the simpler one)."""
    return {
        name: max(
            STRATEGIES, key=lambda s: (sum(getattr(o, s) for o in results), -STRATEGIES.index(s))
        )
        for name, results in run.outcomes.items()
    }


def print_run(label: str, run: Run, picks: dict[str, str] | None = None) -> None:
    print(f"\n{label}  ({run.references} references)")
    columns = ["hand", "crf", "crf>h", "h>crf", "oracle", "fill", "gated"]
    if picks:
        columns.append("pick")
    print(f"  {'field':10} {'n':>5} " + " ".join(f"{c:>6}" for c in columns))
    for name in (*FIELDS, "all"):
        fields = FIELDS if name == "all" else (name,)
        results = [(f, o) for f in fields for o in run.outcomes.get(f, [])]
        if not results:
            continue
        counts = [
            sum(o.hand for _, o in results),
            sum(o.crf for _, o in results),
            sum(o.crf and not o.hand for _, o in results),
            sum(o.hand and not o.crf for _, o in results),
            sum(o.hand or o.crf for _, o in results),
            sum(o.fill for _, o in results),
            sum(o.gated for _, o in results),
        ]
        if picks:
            counts.append(sum(getattr(o, picks.get(f, "hand")) for f, o in results))
        cells = " ".join(_pct(count, len(results)) for count in counts)
        print(f"  {name:10} {len(results):5d} {cells}")
    print(
        f"  parse time per reference: hand {1000 * run.hand_seconds / run.references:.3f} ms, "
        f"crf {1000 * run.crf_seconds / run.references:.3f} ms"
    )


# --- data ----------------------------------------------------------------------------------


def load(extra: bool) -> tuple[list[Labelled], dict[str, list[Case]]]:
    grobid_paths = sorted((GROBID / "corpus").glob("*.xml"))
    training = pair(list(parsing.grobid(grobid_paths)), grobid_labels(grobid_paths))
    names = ["gold.xml", "good.xml.gz", "bad.xml.gz", "ugly.xml.gz"] if extra else ["gold.xml"]
    for name in names:
        path = ANYSTYLE / name
        labelled = ((t, c, f"{name}#{i}") for i, (t, c) in enumerate(anystyle_labels(path)))
        training += pair(list(parsing.anystyle(path)), labelled)
    tests = {
        "parscit": list(parsing.parscit(PARSCIT)),
        "grobid-eval": list(parsing.grobid(sorted((GROBID / "evaluation").glob("*.xml")))),
        "anystyle-core": list(parsing.anystyle(ANYSTYLE / "core.xml")),
    }
    return training, tests


def held_out(training: list[Labelled], tests: dict[str, list[Case]]) -> list[Labelled]:
    """Training without duplicates and without anything equal or near-equal to a test case."""
    test_texts = sorted({norm_text(c.text) for cases in tests.values() for c in cases})
    exact = set(test_texts)
    kept: list[Labelled] = []
    seen: set[str] = set()
    dropped = Counter[str]()
    for example in training:
        text = norm_text(example.case.text)
        if not text or text in seen:
            dropped["duplicate"] += 1
        elif text in exact:
            dropped["in a test corpus"] += 1
        elif process.extractOne(text, test_texts, scorer=fuzz.ratio, score_cutoff=90):
            dropped["near a test case"] += 1
        else:
            kept.append(example)
        seen.add(text)
    print(f"training: {len(training)} labelled cases, dropped {dict(dropped)}, kept {len(kept)}")
    return kept


def folds(examples: Sequence[Labelled], k: int, seed: int) -> list[list[Labelled]]:
    groups: dict[str, list[Labelled]] = defaultdict(list)
    for example in examples:
        groups[example.group].append(example)
    names = sorted(groups)
    random.Random(seed).shuffle(names)
    buckets: list[list[Labelled]] = [[] for _ in range(k)]
    # Largest groups first, each into the smallest fold: folds of even size.
    for name in sorted(names, key=lambda n: -len(groups[n])):
        min(buckets, key=len).extend(groups[name])
    return buckets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (0: none)")
    parser.add_argument("--train-limit", type=int, default=None, help="subsample training")
    parser.add_argument("--limit", type=int, default=None, help="at most N cases per test corpus")
    parser.add_argument("--max-iterations", type=int, default=100, help="L-BFGS iterations")
    parser.add_argument("--c1", type=float, default=0.1, help="L1 penalty")
    parser.add_argument("--c2", type=float, default=0.01, help="L2 penalty")
    parser.add_argument("--minfreq", type=float, default=0, help="drop rarer features")
    parser.add_argument(
        "--model", type=Path, default=None, help="score this trained model instead of training"
    )
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument(
        "--extra-anystyle",
        action="store_true",
        help="also train on AnyStyle's good/bad/ugly sets (not the hand-written parser's data)",
    )
    args = parser.parse_args()
    if not REFDATA.is_dir():
        print(f"no labelled data at {REFDATA}", file=sys.stderr)
        return 1
    params: dict[str, float | bool] = {
        "c1": args.c1,
        "c2": args.c2,
        "max_iterations": args.max_iterations,
        "feature.possible_transitions": True,
        "feature.minfreq": args.minfreq,
    }

    started = time.perf_counter()
    training, tests = load(args.extra_anystyle)
    tests = {name: cases[: args.limit] for name, cases in tests.items()}
    if args.model is None:
        training = held_out(training, tests)
    if args.train_limit and args.train_limit < len(training):
        training = random.Random(args.seed).sample(training, args.train_limit)
        print(f"training subsampled to {len(training)}")

    if args.model is not None:
        # The shipped model (tools/train_parser.py): its test figures, no training here.
        print(f"model {args.model} ({args.model.stat().st_size / 1e6:.2f} MB), not retrained")
        crf = crf_parser(args.model)
        for name, cases in tests.items():
            print_run(f"== {name} (test)", compare(cases, crf))
        print(f"\ntotal {time.perf_counter() - started:.0f} s")
        return 0

    with tempfile.TemporaryDirectory() as directory:
        model_path = Path(directory) / "refs.crfsuite"
        print(f"read-back ceiling (gold token labels, training data): {ceiling(training):.1f}%")
        trained = train(training, model_path, params)
        print(
            f"CRF trained on {trained.sequences} references ({trained.tokens} tokens) "
            f"in {trained.seconds:.1f} s, model {model_path.stat().st_size / 1e6:.2f} MB; "
            "hand-written parser: no training"
        )
        print(
            "\nper-field accuracy, % of cases with that gold field (parsing.py's metric);\n"
            "crf>h: CRF right where hand-written wrong; h>crf: the reverse; oracle: either right;"
            "\nfill: hand-written, CRF where hand-written empty; gated: hand-written where "
            "confident, else CRF"
            + (
                ";\npick: per field, the strategy best in cross-validation"
                if args.folds > 1
                else ""
            )
        )
        picks: dict[str, str] | None = None
        if args.folds > 1:
            runs: list[Run] = []
            seconds = 0.0
            buckets = folds(training, args.folds, args.seed)
            for index, held in enumerate(buckets):
                rest = [e for j, bucket in enumerate(buckets) if j != index for e in bucket]
                fold_path = Path(directory) / f"fold{index}.crfsuite"
                seconds += train(rest, fold_path, params).seconds
                runs.append(compare([e.case for e in held], crf_parser(fold_path)))
            cross = merge(runs)
            picks = choose(cross)
            print_run(
                f"== {args.folds}-fold cross-validation in training data (development data of "
                f"the hand-written parser; CRF training {seconds / args.folds:.1f} s per fold)",
                cross,
            )
            print("  picks: " + ", ".join(f"{f} {picks[f]}" for f in FIELDS if f in picks))

        crf = crf_parser(model_path)
        for name, cases in tests.items():
            print_run(f"== {name} (test)", compare(cases, crf), picks)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
