"""Finding records from what people write: company keys, fuzzy lead lookup, people by name (Devanagari too)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Generic, Protocol, TypeVar, cast

from rapidfuzz import fuzz
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from crm_core.db.models import Lead, Role, User

# Legal-form words dropped from company keys ("Acme Pvt. Ltd." and "ACME" are the same company).
_SUFFIX_WORDS = frozenset(
    {
        "pvt", "private", "ltd", "limited", "llp", "co", "company", "inc", "incorporated", "corp", "corporation",
        "opc", "plc", "pl", "the", "m/s", "ms", "प्राइवेट", "प्रा", "लिमिटेड", "लि", "कंपनी",
    }
)  # fmt: skip
_LEADING_WORDS = frozenset({"the", "m/s", "ms"})
_PUNCT = re.compile(r"[^\w\u0900-\u097F\s]+")
_SPACE = re.compile(r"\s+")

MATCH_THRESHOLD = 85.0  # a score at or above this is a match
CLEAR_MARGIN = 5.0  # the best match must beat the next one by this much to be "the" match
SUGGEST_THRESHOLD = 50.0  # below this there is nothing worth suggesting

# A small Devanagari → Latin table: enough for names and company words people type in both scripts.
_VOWELS = {
    "अ": "a", "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ऋ": "ri", "ए": "e", "ऐ": "ai", "ओ": "o",
    "औ": "au", "ऑ": "o", "ऍ": "e",
}  # fmt: skip
_MATRAS = {
    "ा": "a", "ि": "i", "ी": "i", "ु": "u", "ू": "u", "ृ": "ri", "े": "e", "ै": "ai", "ो": "o", "ौ": "au",
    "ॉ": "o", "ॅ": "e",
}  # fmt: skip
_CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n", "च": "ch", "छ": "chh", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n", "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n",
    "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m", "य": "y", "र": "r", "ल": "l", "व": "v", "श": "sh",
    "ष": "sh", "स": "s", "ह": "h", "ळ": "l", "क़": "q", "ख़": "kh", "ग़": "g", "ज़": "z", "ड़": "d", "ढ़": "dh",
    "फ़": "f", "य़": "y",
}  # fmt: skip
_NUKTA, _VIRAMA = "\u093c", "\u094d"
_NASALS = {"ं": "n", "ँ": "n", "ः": "h"}
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


def has_devanagari(text: str) -> bool:
    """Whether the text contains Devanagari letters."""
    return any("\u0900" <= ch <= "\u097f" for ch in text)


@lru_cache(maxsize=65536)
def devanagari_to_latin(text: str) -> str:
    """Transliterate Devanagari to plain Latin letters (schwa dropped at word ends); other text unchanged."""
    text = unicodedata.normalize("NFC", text).translate(_DEVANAGARI_DIGITS)
    out: list[str] = []
    chars = list(text)
    i = 0
    while i < len(chars):
        ch = chars[i]
        if i + 1 < len(chars) and chars[i + 1] == _NUKTA and ch + _NUKTA in _CONSONANTS:
            ch = ch + _NUKTA
            i += 1
        if ch in _CONSONANTS:
            out.append(_CONSONANTS[ch])
            nxt = chars[i + 1] if i + 1 < len(chars) else ""
            if nxt in _MATRAS:
                out.append(_MATRAS[nxt])
                i += 1
            elif nxt == _VIRAMA:
                i += 1
            elif nxt and ("\u0900" <= nxt <= "\u097f") and nxt not in _NASALS:
                out.append("a")  # inherent vowel inside a word
            elif nxt in _NASALS:
                out.append("a")
        elif ch in _VOWELS:
            out.append(_VOWELS[ch])
        elif ch in _MATRAS:
            out.append(_MATRAS[ch])
        elif ch in _NASALS:
            out.append(_NASALS[ch])
        elif ch in (_VIRAMA, _NUKTA):
            pass
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _words(text: str) -> list[str]:
    """Casefolded words with punctuation removed ('&' and '.' split words)."""
    text = unicodedata.normalize("NFKC", text or "").casefold().replace("&", " ")
    text = _PUNCT.sub(" ", text.replace("m/s", " "))
    return [w for w in _SPACE.split(text) if w]


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


def _squash(text: str) -> str:
    """A phonetic squash so spelling variants compare equal (ee/i, sh/s, doubled letters, w/v)."""
    text = devanagari_to_latin(text)
    for a, b in (("ee", "i"), ("oo", "u"), ("aa", "a"), ("sh", "s"), ("ph", "f"), ("w", "v"), ("y", "i"), ("z", "j")):
        text = text.replace(a, b)
    for a in ("kh", "gh", "ch", "jh", "th", "dh", "bh"):
        text = text.replace(a, a[0])
    return re.sub(r"(.)\1+", r"\1", text)


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


def team_member_ids(session: Session, leader: User) -> list[int]:
    """The ids of a leader's team: the leader and every user whose leader they are."""
    ids = list(session.scalars(select(User.id).where(User.leader_id == leader.id)))
    return [leader.id, *ids]


def visible_leads_query(session: Session, user: User) -> Select[Any]:
    """A SELECT of the leads a user may see and act on (members: own/created; leaders: team's; admins: all)."""
    stmt = select(Lead)
    if user.role == Role.ADMIN:
        return stmt
    if user.role == Role.LEADER:
        ids = team_member_ids(session, user)
        return stmt.where(or_(Lead.owner_id.in_(ids), Lead.creator_id.in_(ids)))
    return stmt.where(or_(Lead.owner_id == user.id, Lead.creator_id == user.id))


def can_act_on(session: Session, user: User, lead: Lead) -> bool:
    """Whether a user may change a lead (the same rule as visibility)."""
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.LEADER:
        ids = team_member_ids(session, user)
        return lead.owner_id in ids or lead.creator_id in ids
    return user.id in (lead.owner_id, lead.creator_id)


def visible_leads(session: Session, user: User) -> list[Lead]:
    """Every lead the user may see, most recently active first."""
    return list(session.scalars(visible_leads_query(session, user).order_by(Lead.last_activity_at.desc())))


def _light(session: Session, stmt: Select[Any]) -> list[Named]:
    """Only the columns matching needs (cheap even for an admin's thousands of leads)."""
    rows = session.execute(stmt.with_only_columns(Lead.id, Lead.company, Lead.last_activity_at)).all()
    return [cast(Named, row) for row in rows]


def _loaded(session: Session, match: LeadMatch[Named]) -> LeadMatch[Lead]:
    def load(row: Named | None) -> Lead | None:
        return session.get(Lead, row.id) if row is not None else None

    candidates = [lead for lead in (load(row) for row in match.candidates) if lead is not None]
    return LeadMatch(lead=load(match.lead), candidates=candidates, suggestion=load(match.suggestion))


def find_lead(session: Session, user: User, query: str) -> LeadMatch[Lead]:
    """Fuzzy-find a lead by company among the user's visible leads."""
    return _loaded(session, match_lead(query, _light(session, visible_leads_query(session, user))))


def find_lead_anywhere(session: Session, query: str) -> Lead | None:
    """A clear match among all leads (to refuse clearly when the lead exists but belongs to someone else)."""
    return _loaded(session, match_lead(query, _light(session, select(Lead)))).lead


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
