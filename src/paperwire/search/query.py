"""The search box syntax, parsed without I/O.

Researchers type free words, ``"quoted phrases"``, ``-word`` or ``-"a phrase"`` to
exclude, and ``author:Name`` / ``category:cs.LG`` (``cat:``) filters. An arXiv id
anywhere in the query names that paper. The keyword side gets a
:class:`~paperwire.store.interfaces.keyword.KeywordQuery` (words and phrases, no engine
syntax). Common English words are dropped from it (the keyword index has no stop-word
list, and an OR over words like "the" scans most of it) but kept in the text that is
embedded, where they carry meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from paperwire.ids import parse_arxiv_id
from paperwire.store.interfaces.keyword import KeywordQuery

MAX_QUERY_CHARS = 2000
MAX_KEYWORD_TERMS = 32
MAX_NAME_QUERY_WORDS = 2
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# A compact English stop-word list (Lucene's, plus question words and a few verbs that
# dominate search queries); words shorter than two characters are dropped as well.
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "via",
        "using",
        "use",
        "used",
        "paper",
        "papers",
    ]
)

_TOKEN = re.compile(
    r"""(?P<neg>-)?(?:(?P<field>[A-Za-z]+):)?(?:"(?P<quoted>[^"]*)"?|(?P<word>[^\s"]+))"""
)
_WORD_PIECE = re.compile(r"[^\W_]+")
_FIELDS = {"author": "author", "au": "author", "category": "category", "cat": "category"}


class QueryError(ValueError):
    """A query that cannot be searched; the message is meant for the person who typed it."""


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """What a query asks for, ready for the keyword index and the embedder."""

    text: str
    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    author: str | None = None
    category: str | None = None
    arxiv_id: str | None = None

    @property
    def highlight_terms(self) -> tuple[str, ...]:
        """Words and phrases a page may highlight in titles and abstracts."""
        return self.phrases + self.terms


def _is_stop_word(token: str) -> bool:
    pieces = _WORD_PIECE.findall(token.lower())
    return not pieces or all(p in STOP_WORDS or (len(p) < 2 and not p.isdigit()) for p in pieces)


def parse_query(raw: str) -> ParsedQuery:
    """Parse the search box; QueryError with a helpful message when nothing is searchable."""
    if len(raw) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is {len(raw):,} characters long; keep it under {MAX_QUERY_CHARS:,}"
        )
    # Control characters (NUL and the like) mean nothing in a query and break full-text
    # query strings ("unterminated string"): they separate words, as whitespace does.
    text = " ".join(_CONTROL.sub(" ", raw).split())
    if not text:
        raise QueryError("the query is empty: type a few words, a quoted phrase or an arXiv id")
    terms: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    free_text: list[str] = []
    fields: dict[str, str] = {}
    arxiv_id: str | None = None
    for match in _TOKEN.finditer(text):
        negative = bool(match["neg"])
        field = (match["field"] or "").lower()
        value = (match["quoted"] if match["quoted"] is not None else match["word"]) or ""
        value = value.strip()
        if field in _FIELDS and value:
            fields[_FIELDS[field]] = value
            continue
        if field:  # "word:thing" that is no filter, e.g. a URL or "arXiv:2401.01234"
            value = f"{match['field']}:{value}"
        if not value:
            continue
        quoted = match["quoted"] is not None
        if negative:
            excluded.append(value.lower())
            continue
        free_text.append(value)
        parsed = None if quoted else parse_arxiv_id(value)
        if parsed:
            arxiv_id = arxiv_id or parsed[0]
        elif quoted and len(_WORD_PIECE.findall(value)) > 0:
            phrases.append(value.lower())
        elif not _is_stop_word(value):
            term = value.lower().strip(".,;:!?()[]{}'")
            if term and term not in terms:
                terms.append(term)
    if not (terms or phrases or arxiv_id):
        if free_text:
            raise QueryError(
                "the query has only common words (like 'the', 'of', 'for'); "
                "add a more specific word or a quoted phrase"
            )
        raise QueryError("the query has no words to search for, only filters or exclusions")
    return ParsedQuery(
        text=" ".join(free_text),
        terms=tuple(terms[:MAX_KEYWORD_TERMS]),
        phrases=tuple(phrases),
        excluded=tuple(excluded),
        author=fields.get("author"),
        category=fields.get("category"),
        arxiv_id=arxiv_id,
    )


def keyword_query(query: ParsedQuery, terms: tuple[str, ...] | None = None) -> KeywordQuery | None:
    """What the keyword index looks for: any of the words, all of the phrases, none of
    the exclusions.

    ``terms`` replaces the query's words (the ones the keyword index can afford, see
    :mod:`paperwire.search.keyword_budget`); None when nothing is left to search for.
    """
    found = KeywordQuery(
        any_of=query.terms if terms is None else terms,
        all_of=query.phrases,
        none_of=query.excluded,
    )
    return None if found.empty else found


def required_query(query: ParsedQuery) -> KeywordQuery | None:
    """What every result must contain (the phrases)."""
    return KeywordQuery(all_of=query.phrases) if query.phrases else None


def excluded_query(query: ParsedQuery) -> KeywordQuery | None:
    """What no result may contain: matches a paper with any of the exclusions."""
    return KeywordQuery(any_of=query.excluded) if query.excluded else None


def identifier_terms(query: ParsedQuery) -> tuple[str, ...]:
    """Query words that name something exactly: acronyms, model names, versioned names.

    Only in short queries (at most ``MAX_NAME_QUERY_WORDS`` words): a word with two
    capitals ("AMC", "LoRA"), a digit ("GPT-4"), or the only word of a query ("mamba") is
    taken as a name, and papers with it in their title rank first. In a longer query such
    words ("LLM") are ordinary topic words.
    """
    words = [w for w in query.text.split() if not _is_stop_word(w) and not parse_arxiv_id(w)]
    if len(words) > MAX_NAME_QUERY_WORDS:
        return ()
    names = [
        w
        for w in words
        if sum(c.isupper() for c in w) >= 2 or (any(c.isdigit() for c in w) and len(w) > 1)
    ]
    if not names and len(words) == 1 and not query.phrases:
        names = words
    return tuple(n.lower().strip(".,;:!?()[]{}'") for n in names)
