"""Finding records from what people write: company keys, fuzzy lead lookup, people by name (Devanagari too)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Generic, Protocol, TypeVar, cast

from rapidfuzz import fuzz
from sqlalchemy import ColumnElement, Select, and_, case, or_, select
from sqlalchemy.orm import Session

from crm_core.access import lead_scope
from crm_core.db.models import Lead, User
from crm_core.names import _squash, _words, devanagari_to_latin, has_devanagari

# Legal-form words dropped from company keys ("Acme Pvt. Ltd." and "ACME" are the same company).
_SUFFIX_WORDS = frozenset(
    {
        "pvt", "private", "ltd", "limited", "llp", "co", "company", "inc", "incorporated", "corp", "corporation",
        "opc", "plc", "pl", "the", "m/s", "ms", "प्राइवेट", "प्रा", "लिमिटेड", "लि", "कंपनी",
    }
)  # fmt: skip
_LEADING_WORDS = frozenset({"the", "m/s", "ms"})

MATCH_THRESHOLD = 85.0  # a score at or above this is a match
CLEAR_MARGIN = 5.0  # the best match must beat the next one by this much to be "the" match
SUGGEST_THRESHOLD = 50.0  # below this there is nothing worth suggesting


def _core_words(text: str) -> list[str]:
    """The name's words without legal-form words at its end ("Pvt Ltd") or a leading "the"/"M/s"."""
    words = _words(text)
    end = len(words)
    while end > 0 and words[end - 1] in _SUFFIX_WORDS:
        end -= 1
    start = 0
    while start < end and words[start] in _LEADING_WORDS:
        start += 1
    return words[start:end] or words


@lru_cache(maxsize=65536)
def company_key(name: str) -> str:
    """The normalised company key used for duplicate checks: casefolded, no punctuation/spaces/legal suffixes."""
    return "".join(_core_words(name))


@lru_cache(maxsize=65536)
def comparable(text: str) -> str:
    """The space-separated form fuzzy matching compares: core words, transliterated and squashed."""
    return " ".join(_squash(w) for w in _core_words(text))


def company_score(query: str, candidate: str) -> float:
    """How well a written company name matches a lead's company, 0–100 (exact key 100, contained word 95)."""
    if company_key(query) and company_key(query) == company_key(candidate):
        return 100.0
    q, c = comparable(query), comparable(candidate)
    if not q or not c:
        return 0.0
    whole = max(
        fuzz.ratio(q.replace(" ", ""), c.replace(" ", "")),
        fuzz.ratio(company_key(devanagari_to_latin(query)), company_key(devanagari_to_latin(candidate))),
    )
    subset = _contained(q.split(), c.split()) * 0.95 if len(q) >= 3 else 0.0
    skeleton = 0.0
    if has_devanagari(query) != has_devanagari(candidate):
        # Across scripts vowels are unreliable ("ट्रेडर्स" → "tredars"): compare consonant skeletons too.
        skeleton = fuzz.ratio(_skeleton(q), _skeleton(c)) * 0.9
    return float(max(whole, subset, skeleton))


def _contained(query_words: list[str], words: list[str]) -> float:
    """How well every query word appears among the words (the query as a short form of the name)."""
    return min(max(fuzz.ratio(q, w) for w in words) for q in query_words)


def _skeleton(text: str) -> str:
    return re.sub(r"[aeiou\s]+", "", text)


class Named(Protocol):
    """Anything with a lead's id, company and last activity (a Lead, or a light row of those columns)."""

    id: int
    company: str
    last_activity_at: datetime


N = TypeVar("N")  # a Lead or a light row: anything shaped like Named


@dataclass
class LeadMatch(Generic[N]):
    """The outcome of a company lookup: the clear match, several candidates, or a suggestion."""

    lead: N | None = None
    candidates: list[N] = field(default_factory=list)
    suggestion: N | None = None

    @property
    def ambiguous(self) -> bool:
        """Several leads match about equally well."""
        return self.lead is None and len(self.candidates) > 1


def _named(item: object) -> Named:
    return cast(Named, item)


def rank_leads(query: str, leads: Sequence[N]) -> list[tuple[float, N]]:
    """Leads scored against the query, best first (ties: most recently active first)."""
    scored = [(company_score(query, _named(lead).company), lead) for lead in leads]
    scored.sort(key=lambda pair: (pair[0], _named(pair[1]).last_activity_at, _named(pair[1]).id), reverse=True)
    return scored


PREFILTER_ABOVE = 200  # longer lists are narrowed with rapidfuzz's C scorer before the full score
PREFILTER_KEEP = 50


def _prefilter(query: str, leads: Sequence[N]) -> Sequence[N]:
    """The leads worth scoring in full: all of a short list, else the best few by a fast whole-name score."""
    if len(leads) <= PREFILTER_ABOVE:
        return leads
    from rapidfuzz import process

    choices = [comparable(_named(lead).company) for lead in leads]
    best = process.extract(comparable(query), choices, scorer=fuzz.WRatio, limit=PREFILTER_KEEP)
    return [leads[index] for _, _, index in best]


def match_lead(query: str, leads: Sequence[N]) -> LeadMatch[N]:
    """Pick the lead a written company name means among the given leads (an exact company key wins outright)."""
    key = company_key(query)
    exact = [lead for lead in leads if company_key(_named(lead).company) == key] if key else []
    if len(exact) == 1:
        return LeadMatch(lead=exact[0], candidates=exact)
    ranked = rank_leads(query, exact or _prefilter(query, leads))
    if not ranked or ranked[0][0] < MATCH_THRESHOLD:
        suggestion = ranked[0][1] if ranked and ranked[0][0] >= SUGGEST_THRESHOLD else None
        return LeadMatch(suggestion=suggestion)
    best = ranked[0][0]
    close = [lead for score, lead in ranked if score >= MATCH_THRESHOLD and best - score < CLEAR_MARGIN]
    if len(close) == 1:
        return LeadMatch(lead=close[0], candidates=close)
    return LeadMatch(candidates=close[:9])


def lookup_scope(user: User) -> Select[Any]:
    """The user's visible leads (crm_core.access), written so the database narrows by company_key, not by owner.

    `owner_id + 0` keeps SQLite (which has no statistics) off the owner index: for someone who sees most leads,
    walking it reads every row, while the company_key index reads a handful.
    """
    return select(Lead).where(lead_scope(user, Lead.owner_id + 0, Lead.creator_id + 0))


def _light(session: Session, stmt: Select[Any]) -> list[Named]:
    """Only the columns matching needs (cheap even for an admin's thousands of leads)."""
    rows = session.execute(stmt.with_only_columns(Lead.id, Lead.company, Lead.last_activity_at)).all()
    return [cast(Named, row) for row in rows]


def _loaded(session: Session, match: LeadMatch[Named]) -> LeadMatch[Lead]:
    def load(row: Named | None) -> Lead | None:
        return session.get(Lead, row.id) if row is not None else None

    candidates = [lead for lead in (load(row) for row in match.candidates) if lead is not None]
    return LeadMatch(lead=load(match.lead), candidates=candidates, suggestion=load(match.suggestion))


CANDIDATE_LIMIT = 200  # rows one narrowing query may fetch
FALLBACK_LIMIT = 300  # rows the last, broad query may fetch (token matches first, then the most recently active)
_MIN_TOKEN = 3  # shorter words are too common to narrow by
_DEVANAGARI_FIRST, _DEVANAGARI_END = "\u0900", "\u0980"


def _recent(stmt: Select[Any], limit: int) -> Select[Any]:
    return stmt.order_by(Lead.last_activity_at.desc(), Lead.id.desc()).limit(limit)


def _next_prefix(prefix: str) -> str:
    """The smallest string above every string that starts with prefix (for an index range scan)."""
    last = ord(prefix[-1])
    return prefix[:-1] + chr(last + 1) if last < 0x10FFFF else prefix + "\U0010ffff"


def _starts_with(prefix: str) -> ColumnElement[bool]:
    """company_key starts with prefix, as a range the company_key index answers (LIKE 'x%' often is not)."""
    return and_(Lead.company_key >= prefix, Lead.company_key < _next_prefix(prefix))


def _spellings(query: str) -> list[list[str]]:
    """The query's core words, and those of its transliteration when it is written in Devanagari."""
    texts = [query, devanagari_to_latin(query)] if has_devanagari(query) else [query]
    return [words for words in (_core_words(text) for text in texts) if words]


def _query_keys(query: str) -> list[str]:
    """The company keys the query may mean (its own, and its transliteration's)."""
    return list(dict.fromkeys("".join(words) for words in _spellings(query)))


def _query_words(query: str) -> list[str]:
    """The query's words (in each spelling) long enough to narrow by."""
    return list(dict.fromkeys(w for words in _spellings(query) for w in words if len(w) >= _MIN_TOKEN))


def _prefix_conditions(query: str) -> list[tuple[ColumnElement[bool], int]]:
    """Index ranges worth looking in, with a priority (lower first): the whole key as a prefix, its first word,
    its first three letters (a typo later in the first word); for a Latin query, names stored in Devanagari."""
    conditions: list[tuple[ColumnElement[bool], int]] = []
    for words in _spellings(query):
        key = "".join(words)
        conditions.append((_starts_with(key), 0))
        if words[0] != key:
            conditions.append((_starts_with(words[0]), 1))
        if len(words[0]) > _MIN_TOKEN:
            conditions.append((_starts_with(key[:_MIN_TOKEN]), 2))
    if not has_devanagari(query):
        devanagari = and_(Lead.company_key >= _DEVANAGARI_FIRST, Lead.company_key < _DEVANAGARI_END)
        conditions.append((devanagari, 3))
    return conditions


def _merged(*groups: Sequence[Named]) -> list[Named]:
    seen: dict[int, Named] = {}
    for group in groups:
        for row in group:
            seen.setdefault(row.id, row)
    return list(seen.values())


def _found(match: LeadMatch[Named]) -> bool:
    return match.lead is not None or bool(match.candidates)


def lookup_lead(session: Session, scope: Select[Any], query: str) -> LeadMatch[Named]:
    """Find a lead by company among the leads a SELECT of Lead allows, fetching a bounded number of rows.

    In turn, stopping at the first that matches: the exact company key (one indexed query); leads whose key
    starts like the query's (index ranges); then leads containing one of the query's words, topped up with the
    most recently active (the only query that reads the whole scope, and it returns at most FALLBACK_LIMIT).
    """
    keys = _query_keys(query)
    if not keys:
        return LeadMatch()
    exact = _light(session, _recent(scope.where(Lead.company_key.in_(keys)), CANDIDATE_LIMIT))
    if exact:
        match = match_lead(query, exact)
        if _found(match):
            return match
    conditions = _prefix_conditions(query)
    priority = case(*((cond, rank) for cond, rank in conditions), else_=9)
    narrowed_stmt = scope.where(or_(*(cond for cond, _ in conditions)))
    narrowed_stmt = narrowed_stmt.order_by(priority, Lead.last_activity_at.desc(), Lead.id.desc())
    narrowed = _merged(exact, _light(session, narrowed_stmt.limit(CANDIDATE_LIMIT)))
    match = match_lead(query, narrowed)
    if _found(match):
        return match
    words = _query_words(query)
    token = or_(*(Lead.company_key.contains(w, autoescape=True) for w in words)) if words else None
    broad_stmt = scope.order_by(
        *([case((token, 0), else_=1)] if token is not None else []), Lead.last_activity_at.desc(), Lead.id.desc()
    )
    return match_lead(query, _merged(narrowed, _light(session, broad_stmt.limit(FALLBACK_LIMIT))))


def find_lead(session: Session, user: User, query: str) -> LeadMatch[Lead]:
    """Fuzzy-find a lead by company among the leads the user may see (never anyone else's, even to refuse)."""
    return _loaded(session, lookup_lead(session, lookup_scope(user), query))


@dataclass
class UserMatch:
    """The outcome of a people lookup."""

    user: User | None = None
    candidates: list[User] = field(default_factory=list)


def _name_forms(user: User) -> set[str]:
    forms = {_squash(user.username.casefold()), _squash(user.name.casefold())}
    first = user.name.split()[0] if user.name.split() else ""
    if first:
        forms.add(_squash(first.casefold()))
    return {f for f in forms if f}


def match_user(query: str, users: Sequence[User]) -> UserMatch:
    """Pick the user a written name means: username or (first) name, any case, Latin or Devanagari."""
    q = query.strip().lstrip("@").casefold()
    if not q:
        return UserMatch()
    exact = [u for u in users if q in (u.username.casefold(), u.name.casefold())]
    if len(exact) == 1:
        return UserMatch(user=exact[0], candidates=exact)
    squashed = _squash(" ".join(_words(q)))
    if not exact:
        exact = [u for u in users if squashed in _name_forms(u)]
    if len(exact) == 1:
        return UserMatch(user=exact[0], candidates=exact)
    if exact:
        return UserMatch(candidates=exact)
    scored = sorted(
        ((max(fuzz.ratio(squashed, form) for form in _name_forms(u)), u) for u in users),
        key=lambda pair: pair[0],
        reverse=True,
    )
    good = [u for score, u in scored if score >= MATCH_THRESHOLD]
    if len(good) == 1:
        return UserMatch(user=good[0], candidates=good)
    return UserMatch(candidates=good)


def active_users(session: Session) -> list[User]:
    """Every active user, by name."""
    return list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)))


def find_user(session: Session, query: str) -> UserMatch:
    """Find an active user by username or name (case-insensitive, Devanagari too)."""
    return match_user(query, active_users(session))
