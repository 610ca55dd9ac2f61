"""Asking instead of guessing: a command nobody was sure of is echoed back, and runs only on the sender's answer.

When the parse's source is "ask" (the built-in parser is below the threshold and no GPT is configured, or GPT's
answer failed validation) and the message would change something, respond() calls `ask()`: the command (with its
follow-ons), what was doubted and what was rejected are kept in the sender's conversation state
(Awaiting.CONFIRM_COMMAND, the same expiry as a duplicate's confirmation) and the bot replies with one question
that echoes what it understood and names what is doubtful. Nothing is written until the answer:

- yes ("haan", "ok kar do", "हाँ") runs the command as understood — unless it cannot run without something that
  is still missing (which lead, when): then that is asked instead;
- no ("nahi", "rehne do", "cancel", "नहीं") drops it with a short ack;
- the doubted value — a phone number, a team member, a date/time (`answer()`), a company (`unanswered()`) —
  fills it in and runs the command, or asks the next question when something else is still doubtful;
- a new command the parser is sure of replaces the wait (respond() runs it); chit-chat gets the question again.

Read-only commands (tasks, leads, a lead's status, help) are never asked about: they write nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from crm_core.commands import Command, Doubt, Intent, ParseResult
from crm_core.db.models import ConversationState, Lead, User
from crm_core.handlers.common import CONFIRM_TTL, Awaiting, clear_state, fmt_when, save_state, team_tz
from crm_core.handlers.context import HandlerContext
from crm_core.handlers.texts import detail_label, kind_label, t
from crm_core.handlers.waiting import example_when
from crm_core.handlers.yesno import is_no, is_yes
from crm_core.names import team_member
from crm_core.parsing.dates import find_when, local_today
from crm_core.parsing.validate import implausible_company
from crm_core.phones import pretty, to_e164

ASK_TTL = CONFIRM_TTL
ASKED = "asked"  # the answer was taken and another question (or the same one again) was sent
DROPPED = "dropped"  # the sender said no

_KIND = {
    Intent.SCHEDULE_MEETING: "meeting",
    Intent.SCHEDULE_DEMO: "demo",
    Intent.RESCHEDULE_MEETING: "meeting",
    Intent.RESCHEDULE_DEMO: "demo",
    Intent.MEETING_DONE: "meeting",
    Intent.DEMO_DONE: "demo",
    Intent.CANCEL_MEETING: "meeting",
    Intent.CANCEL_DEMO: "demo",
}
SCHEDULING = frozenset(
    {Intent.SCHEDULE_MEETING, Intent.SCHEDULE_DEMO, Intent.RESCHEDULE_MEETING, Intent.RESCHEDULE_DEMO}
)
# Commands about an existing lead that change it (they cannot run without knowing which lead).
ON_A_LEAD = SCHEDULING | {
    Intent.QUALIFY_LEAD,
    Intent.LEAD_DETAILS,
    Intent.MEETING_DONE,
    Intent.DEMO_DONE,
    Intent.ADD_ACTIVITY,
    Intent.REASSIGN_LEAD,
    Intent.MARK_WON,
    Intent.MARK_LOST,
    Intent.CANCEL_MEETING,
    Intent.CANCEL_DEMO,
}
WRITES = ON_A_LEAD | {Intent.NEW_LEAD, Intent.SET_REMINDER}
# Commands that cannot run without a moment (asked for when missing or past), and the reads that need a lead.
NEEDS_WHEN = SCHEDULING | {Intent.SET_REMINDER}
NEEDS_LEAD = ON_A_LEAD | {Intent.LEAD_INFO}
# Doubts about a value the command can do without: "yes" goes ahead without it.
_OPTIONAL = (Doubt.ASSIGNEE, Doubt.PHONE)

# --- words that may surround an answer ------------------------------------------------------------------------

_TOKEN = re.compile(r"[\w\u0900-\u097F]+")
_PHONE = re.compile(r"(?:\+|00)?\d[\d\s\-().]{4,}\d")
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_COURTESY = frozenset(
    {"please", "pls", "plz", "ji", "sir", "bhai", "hai", "h", "is", "its", "it", "the", "this", "ye", "yeh", "है",
     "जी", "यह", "ये", "ok", "okay", "haan", "ha", "हाँ", "हां", "sorry", "thanks", "ab", "अब"}
)  # fmt: skip
_PHONE_WORDS = _COURTESY | {
    "number", "no", "num", "nr", "phone", "mobile", "mob", "contact", "sahi", "correct", "right", "new", "naya",
    "nya", "updated", "ka", "ki", "uska", "unka", "whatsapp", "नंबर", "फ़ोन", "फोन", "मोबाइल", "सही", "नया", "का",
}  # fmt: skip
_NAME_WORDS = _COURTESY | {
    "ko", "to", "de", "do", "dedo", "dena", "dijiye", "assign", "assigned", "karo", "kar", "kardo", "owner",
    "will", "give", "handle", "handles", "let", "with", "ke", "paas", "pass", "ne", "rakhega", "rakhegi", "dekhega",
    "dekhegi", "lega", "legi", "jayega", "jayegi", "jaega", "jaegi", "jaayega", "jaayegi", "go", "should", "own",
    "को", "दे", "दो", "दीजिए", "सौंपो", "असाइन", "करो", "के", "पास", "देखेगा", "देखेगी", "जाएगा", "जाएगी",
}  # fmt: skip
_SELF_WORDS = frozenset(
    {"me", "mujhe", "main", "mai", "myself", "khud", "self", "mere", "mera", "i", "mine", "मैं", "मुझे", "खुद", "ख़ुद",
     "मेरे", "मेरा"}
)  # fmt: skip
_WHEN_WORDS = _COURTESY | {
    "at", "on", "ko", "ke", "ka", "se", "pe", "par", "baje", "bje", "rakho", "rakh", "rakhna", "rakhiye", "karo",
    "kar", "do", "fix", "set", "schedule", "make", "it", "instead", "for", "by", "subah", "dopahar", "shaam", "sham",
    "raat", "morning", "afternoon", "evening", "night", "next", "this", "coming", "time", "din",
    "को", "के", "का", "से", "पर", "बजे", "रखो", "करो", "सुबह", "दोपहर", "शाम", "रात",
}  # fmt: skip
# Words that make a message chit-chat rather than a company or a person's name.
_CHAT_WORDS = frozenset(
    {"wait", "ruk", "ruko", "rukiye", "rukna", "minute", "min", "mins", "sec", "second", "later", "baad", "baadme",
     "abhi", "think", "thinking", "soch", "sochta", "sochti", "sochke", "hmm", "hm", "ok", "okay", "acha", "accha",
     "achha", "thanks", "thank", "thx", "hi", "hello", "hey", "what", "kya", "kyu", "kyun", "why", "how", "kaise",
     "kaun", "who", "sorry", "lol", "haha", "help", "status", "batao", "bata", "pata", "check", "dekhta", "dekhti",
     "dekh", "रुको", "रुकिए", "मिनट", "बाद", "सोच", "धन्यवाद", "क्या", "क्यों", "कौन", "बताओ", "देखता", "देखती"}
)  # fmt: skip
_COMPANY_LEAD_IN = re.compile(
    r"^\s*(?:(?:the\s+)?company(?:'s)?(?:\s+name)?(?:\s+is)?|company\s+ka\s+naam|naam|name|कंपनी(?:\s+का\s+नाम)?)"
    r"\s*[:\-–]?\s*",
    re.IGNORECASE,
)
_COMPANY_TAIL = re.compile(r"\s+(?:hai|h|है)\s*[.!]*$", re.IGNORECASE)
MAX_COMPANY_WORDS = 8


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text.casefold())


def _only(text: str, allowed: frozenset[str] | set[str]) -> bool:
    return all(w in allowed for w in _words(text))


# --- what is pending ------------------------------------------------------------------------------------------


@dataclass
class Pending:
    """The command awaiting the sender's answer, with what is still doubted about it."""

    command: Command
    doubts: list[Doubt] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    lead_id: int | None = None  # the lead a command without a company is about (details awaited for it)
    lang: str = "en"

    def data(self) -> dict[str, Any]:
        """The conversation state's data."""
        return {
            "command": self.command.model_dump(mode="json"),
            "doubts": [d.value for d in self.doubts],
            "rejected": dict(self.rejected),
            "lead_id": self.lead_id,
            "lang": self.lang,
        }

    @classmethod
    def load(cls, state: ConversationState) -> Pending | None:
        """The pending command kept in a conversation state (None when it cannot be read)."""
        data = state.data or {}
        try:
            command = Command.model_validate(data.get("command"))
            doubts = [Doubt(d) for d in data.get("doubts", [])]
        except ValueError:
            return None
        rejected = {str(k): str(v) for k, v in (data.get("rejected") or {}).items()}
        lead_id = data.get("lead_id")
        return cls(command, doubts, rejected, int(lead_id) if lead_id else None, str(data.get("lang") or "en"))

    def commands(self) -> list[Command]:
        """The command and its follow-ons."""
        return self.command.commands()

    def replace(self, index: int, **changes: Any) -> None:
        """Change fields of the index-th command (0: the first)."""
        heads = self.commands()
        heads[index] = heads[index].model_copy(update=changes)
        self.command = heads[0].model_copy(update={"also": heads[1:]})

    def settled(self, doubt: Doubt, key: str) -> None:
        """A doubt answered: forget it and what was rejected for it."""
        if doubt in self.doubts:
            self.doubts.remove(doubt)
        self.rejected.pop(key, None)


@dataclass(frozen=True)
class Question:
    """One thing to ask about the pending command."""

    doubt: Doubt
    index: int  # which command it is about (0: the first)
    value: str | None = None  # what was written and could not be used
    required: bool = False  # the command cannot run without an answer
    year_ahead: bool = False  # `value` is a year-less date that passed this year (read as next year's)


@dataclass
class Go:
    """Run this command now (the answer settled it)."""

    command: Command
    lead_id: int | None = None


Decision = Go | str | None  # Go, ASKED, DROPPED, or None: the message is not an answer


def should_ask(result: ParseResult) -> bool:
    """Whether to ask instead of acting: nobody was sure, and the message would change something."""
    return result.source == "ask" and any(c.intent in WRITES for c in result.command.commands())


def replaces_wait(result: ParseResult) -> bool:
    """Whether a message is a new command rather than an answer to the pending question."""
    command = result.command
    if command.intent is Intent.UNKNOWN:
        return False
    if result.source != "ask":
        return True
    # An unsure reading replaces the wait only when it names what it is about ("Amit ko de do" does not).
    return bool(command.company or (command.intent is Intent.NEW_LEAD and (command.contact_name or command.phone)))


def questions(ctx: HandlerContext, pending: Pending) -> list[Question]:
    """What to ask about, most necessary first: which lead and when (required), then owner and phone."""
    commands = pending.commands()
    head = commands[0]
    out: list[Question] = []
    names_no_lead = head.intent in NEEDS_LEAD and pending.lead_id is None
    new_lead_unnamed = head.intent is Intent.NEW_LEAD and (Doubt.COMPANY in pending.doubts or not head.contact_name)
    if not head.company and (names_no_lead or new_lead_unnamed):
        out.append(Question(Doubt.COMPANY, 0, pending.rejected.get("company"), required=True))
    for i, command in enumerate(commands):
        year_ahead = i == 0 and Doubt.WHEN in pending.doubts and "when" in pending.rejected
        if command.intent in NEEDS_WHEN and (not command.when or _is_past(ctx, command) or year_ahead):
            past = pending.rejected["when"] if year_ahead else _when_words(ctx, command) if command.when else None
            out.append(Question(Doubt.WHEN, i, past, required=True, year_ahead=year_ahead))
            break
    for i, command in enumerate(commands):
        if command.intent is Intent.REASSIGN_LEAD and not command.assignee:
            out.append(Question(Doubt.ASSIGNEE, i, pending.rejected.get("assignee"), required=True))
            break
    else:
        rejected = pending.rejected.get("assignee", "")
        # A rejected "owner" with digits in it was a misplaced number, not a person: nobody to ask about.
        if Doubt.ASSIGNEE in pending.doubts and rejected and not any(ch.isdigit() for ch in rejected):
            takes = [i for i, c in enumerate(commands) if c.intent is Intent.NEW_LEAD or c.intent in SCHEDULING]
            if takes and not commands[takes[0]].assignee:
                out.append(Question(Doubt.ASSIGNEE, takes[0], rejected))
    if Doubt.PHONE in pending.doubts and head.intent is Intent.NEW_LEAD and not head.phone:
        out.append(Question(Doubt.PHONE, 0, pending.rejected.get("phone")))
    return out


def _is_past(ctx: HandlerContext, command: Command) -> bool:
    tz = team_tz(ctx)
    if command.has_time:
        moment = command.when_datetime(tz)
        return moment is not None and moment <= ctx.now()
    day = command.when_date()
    return day is not None and day < ctx.now().astimezone(tz).date()


# --- asking ---------------------------------------------------------------------------------------------------


def ask(ctx: HandlerContext, result: ParseResult, *, lead_id: int | None = None) -> None:
    """Keep the unsure command in the sender's state and ask about it; nothing else is written."""
    pending = Pending(result.command, list(result.doubts), dict(result.rejected), lead_id, ctx.lang)
    found = questions(ctx, pending)
    _ask(ctx, pending, found[0] if found else None)


def _ask(ctx: HandlerContext, pending: Pending, question: Question | None) -> None:
    save_state(ctx, Awaiting.CONFIRM_COMMAND, ttl=ASK_TTL, data=pending.data())
    ctx.reply(question_text(ctx, pending, question))


def question_text(ctx: HandlerContext, pending: Pending, question: Question | None) -> str:
    """The echo of what was understood and one question about it."""
    commands = pending.commands()
    summary = describe_all(ctx, commands, lead_id=pending.lead_id)
    if question is None:
        if commands[0].intent is Intent.NEW_LEAD:
            go = t(ctx, "ask_go_new_lead")
        elif any(c.intent in SCHEDULING for c in commands):
            go = t(ctx, "ask_go_schedule")
        else:
            go = t(ctx, "ask_go")
        return t(ctx, "ask_confirm", summary=summary, go=go)
    words, hint = _question_words(ctx, commands[question.index], question)
    hint_text = t(ctx, hint, example=example_when(ctx))
    return t(ctx, "ask_doubt", summary=summary[:1].upper() + summary[1:], question=words, hint=hint_text)


def _question_words(ctx: HandlerContext, command: Command, question: Question) -> tuple[str, str]:
    """The question and the hint line under it."""
    if question.doubt is Doubt.PHONE:
        value = question.value
        if not value:
            return t(ctx, "q_phone"), "hint_phone"
        digits = sum(ch.isdigit() for ch in value.translate(_DEVANAGARI_DIGITS))
        if digits != 10 and not value.lstrip().startswith("+"):
            return t(ctx, "q_phone_digits", phone=value, n=digits), "hint_phone"
        return t(ctx, "q_phone_invalid", phone=value), "hint_phone"
    if question.doubt is Doubt.ASSIGNEE:
        if command.intent is Intent.REASSIGN_LEAD:
            unknown = t(ctx, "q_owner_unknown", name=question.value) if question.value else ""
            return (unknown or t(ctx, "q_reassign_whom")), "hint_member"
        if command.intent in SCHEDULING:
            return t(ctx, "q_attendee_unknown", name=question.value), "hint_attendee"
        return t(ctx, "q_owner_unknown", name=question.value), "hint_owner"
    if question.doubt is Doubt.WHEN and command.intent is Intent.SET_REMINDER:
        return t(ctx, "q_when_remind"), "hint_when"
    if question.doubt is Doubt.WHEN:
        kind = kind_label(ctx.lang, _KIND.get(command.intent, "meeting")).lower()
        if question.value and question.year_ahead:
            return t(ctx, "q_when_year", written=question.value, kind=kind), "hint_when"
        if question.value:
            return t(ctx, "q_when_past", when=question.value, kind=kind), "hint_when"
        return t(ctx, "q_when", kind=kind), "hint_when"
    if question.value:
        return t(ctx, "q_company_rejected", value=question.value), "hint_required"
    return t(ctx, "q_company"), "hint_required"


# --- the echo ---------------------------------------------------------------------------------------------------


def describe_all(ctx: HandlerContext, commands: list[Command], *, lead_id: int | None = None) -> str:
    """What the commands would do, in words, one after the other ("new lead *X*, …; then demo with *X* on …")."""
    company = commands[0].company if commands else None
    if not company and lead_id is not None:
        lead = ctx.session.get(Lead, lead_id)
        company = lead.company if lead is not None else None
    parts = [describe(ctx, c, company_hint=company) for c in commands]
    return t(ctx, "echo_then").join(parts)


def describe(ctx: HandlerContext, command: Command, *, company_hint: str | None = None) -> str:
    """One command in words, as the bot understood it."""
    name = command.company or company_hint
    company = f"*{name}*" if name else t(ctx, "echo_lead")
    intent = command.intent
    if intent is Intent.NEW_LEAD:
        parts = [
            t(ctx, "echo_new_lead", company=f"*{command.company}*") if command.company else t(ctx, "echo_new_lead_bare")
        ]
        if command.contact_name:
            parts.append(t(ctx, "echo_contact", name=command.contact_name))
        if command.phone:
            parts.append(pretty(command.phone))
        if command.email:
            parts.append(command.email)
        if command.source:
            parts.append(t(ctx, "echo_source", source=command.source))
        if command.assignee:
            parts.append(t(ctx, "echo_owner", name=_person(ctx, command.assignee)))
        return ", ".join(parts)
    if intent in SCHEDULING:
        key = "echo_schedule" if intent in (Intent.SCHEDULE_MEETING, Intent.SCHEDULE_DEMO) else "echo_reschedule"
        at = "echo_on" if key == "echo_schedule" else "echo_to"
        when = t(ctx, at, when=_when_words(ctx, command)) if command.when else ""
        who = t(ctx, "echo_attendee", name=_person(ctx, command.assignee)) if command.assignee else ""
        kind = kind_label(ctx.lang, _KIND[intent]).lower()
        return t(ctx, key, kind=kind, company=company, when=when, who=who)
    note = t(ctx, "echo_note", note=command.note) if command.note else ""
    if intent in (Intent.MEETING_DONE, Intent.DEMO_DONE):
        return t(ctx, "echo_done", kind=kind_label(ctx.lang, _KIND[intent]).lower(), company=company, note=note)
    if intent is Intent.QUALIFY_LEAD:
        return t(ctx, "echo_qualify", company=company)
    if intent is Intent.LEAD_DETAILS:
        given = command.details.given() if command.details is not None else {}
        details = ", ".join(f"{detail_label(ctx.lang, k)}: {v}" for k, v in given.items())
        return t(ctx, "echo_details", company=company, details=details or "—")
    if intent is Intent.ADD_ACTIVITY:
        return t(ctx, "echo_activity", company=company, note=command.note or "…")
    if intent is Intent.REASSIGN_LEAD:
        to = t(ctx, "echo_to_name", name=_person(ctx, command.assignee)) if command.assignee else ""
        return t(ctx, "echo_reassign", company=company, to=to)
    if intent is Intent.MARK_WON:
        return t(ctx, "echo_won", company=company)
    if intent is Intent.MARK_LOST:
        return t(ctx, "echo_lost", company=company, note=note)
    if intent in (Intent.CANCEL_MEETING, Intent.CANCEL_DEMO):
        return t(ctx, "echo_cancel", kind=kind_label(ctx.lang, _KIND[intent]).lower(), company=company, note=note)
    if intent is Intent.SET_REMINDER:
        when = t(ctx, "echo_on", when=_when_words(ctx, command)) if command.when else ""
        return t(ctx, "echo_remind", note=command.note or name or "…", when=when)
    if intent is Intent.LEAD_INFO:
        return t(ctx, "echo_info", company=company)
    return intent.value.replace("_", " ")


def _person(ctx: HandlerContext, written: str) -> str:
    """A team member as people know them (a username filled in from an answer shows as the name)."""
    name = ctx.session.scalar(select(User.name).where(User.username == written, User.active.is_(True)))
    return name or written


def _when_words(ctx: HandlerContext, command: Command) -> str:
    moment = command.when_datetime(team_tz(ctx))
    return fmt_when(ctx, moment, with_time=command.has_time) if moment is not None else ""


# --- the answer -------------------------------------------------------------------------------------------------


def answer(ctx: HandlerContext, state: ConversationState, text: str) -> Decision:
    """Settle the pending command from an answer that needs no parsing: yes, no, a phone, a team member, a time."""
    pending = Pending.load(state)
    if pending is None:
        clear_state(ctx)
        return None
    if is_no(text):
        _in_their_language(ctx, pending)
        clear_state(ctx)
        ctx.reply(t(ctx, "ask_dropped"))
        return DROPPED
    found = questions(ctx, pending)
    if is_yes(text):
        _in_their_language(ctx, pending)
        required = [q for q in found if q.required]
        if required:
            _ask(ctx, pending, required[0])
            return ASKED
        clear_state(ctx)
        return Go(pending.command, pending.lead_id)
    if _fill_phone(ctx, pending, found, text) or _fill_person(ctx, pending, found, text):
        return _after_fill(ctx, pending)
    if _fill_when(ctx, pending, found, text):
        return _after_fill(ctx, pending)
    return None


def unanswered(ctx: HandlerContext, state: ConversationState, text: str, result: ParseResult) -> Decision:
    """A message that was parsed and is no new command: a company (when that was asked), else the question again."""
    pending = Pending.load(state)
    if pending is None:
        clear_state(ctx)
        return None
    found = questions(ctx, pending)
    asked = found[0] if found else None
    if asked is not None and asked.doubt is Doubt.COMPANY and result.command.intent is Intent.UNKNOWN:
        company = _company_in(text)
        if company is not None:
            pending.replace(0, company=company)
            pending.settled(Doubt.COMPANY, "company")
            return _after_fill(ctx, pending)
    if asked is not None and asked.doubt is Doubt.ASSIGNEE:
        stranger = _stranger_in(text)
        if stranger is not None:  # a name, but not a team member's: say so and ask again
            pending.rejected["assignee"] = stranger
            if Doubt.ASSIGNEE not in pending.doubts:
                pending.doubts.append(Doubt.ASSIGNEE)
            _in_their_language(ctx, pending)
            _ask(ctx, pending, Question(Doubt.ASSIGNEE, asked.index, stranger, asked.required))
            return ASKED
    _in_their_language(ctx, pending)
    ctx.reply(question_text(ctx, pending, asked))  # chit-chat: the question again, the wait kept
    return ASKED


def reprompt(ctx: HandlerContext, state: ConversationState) -> None:
    """Ask the pending question again (the state is kept)."""
    pending = Pending.load(state)
    if pending is not None:
        found = questions(ctx, pending)
        ctx.reply(question_text(ctx, pending, found[0] if found else None))


def _in_their_language(ctx: HandlerContext, pending: Pending) -> None:
    """Answer in Hindi a sender who was asked in Hindi, even when the answer is "haan" in Latin letters."""
    if pending.lang == "hi":
        ctx.lang = "hi"


def _after_fill(ctx: HandlerContext, pending: Pending) -> Decision:
    """A value was given: the sender took part, so only specific doubts remain; ask the next one, or run."""
    _in_their_language(ctx, pending)
    pending.doubts = [d for d in pending.doubts if d in _OPTIONAL]
    found = questions(ctx, pending)
    if found:
        _ask(ctx, pending, found[0])
        return ASKED
    clear_state(ctx)
    return Go(pending.command, pending.lead_id)


def _asked_about(found: list[Question], doubt: Doubt) -> Question | None:
    return next((q for q in found if q.doubt is doubt), None)


def _fill_phone(ctx: HandlerContext, pending: Pending, found: list[Question], text: str) -> bool:
    """A phone number alone ("98765 12345", "number hai 9876512345"), when a new lead's phone was doubted."""
    head = pending.commands()[0]
    asked = _asked_about(found, Doubt.PHONE) is not None
    if head.intent is not Intent.NEW_LEAD or (head.phone and not asked):
        return False
    plain = text.translate(_DEVANAGARI_DIGITS)
    numbers = _PHONE.findall(plain)
    if len(numbers) != 1 or not _only(plain.replace(numbers[0], " "), _PHONE_WORDS):
        return False
    written = numbers[0].strip()
    phone = to_e164(written, ctx.settings.default_region)
    if phone is None:  # not a valid number: when one was asked for, say so again; else it is something else
        if not asked:
            return False
        pending.rejected["phone"] = written
        if Doubt.PHONE not in pending.doubts:
            pending.doubts.append(Doubt.PHONE)
        return True
    pending.replace(0, phone=phone)
    pending.settled(Doubt.PHONE, "phone")
    return True


def _fill_person(ctx: HandlerContext, pending: Pending, found: list[Question], text: str) -> bool:
    """A team member's name alone ("Amit", "amit ko de do", "अमित", "khud"), when an owner was asked for."""
    asked = _asked_about(found, Doubt.ASSIGNEE)
    if asked is None:
        return False
    words = [w for w in _words(text) if w not in _NAME_WORDS]
    if not words:
        return False
    user: User | None
    if all(w in _SELF_WORDS for w in words):
        user = ctx.sender
    else:
        users = list(ctx.session.scalars(select(User).where(User.active.is_(True))))
        member = team_member(" ".join(words), [u.name for u in users])
        named = [u for u in users if u.name == member] if member else []
        user = named[0] if len(named) == 1 else None
    if user is None:
        return False
    pending.replace(asked.index, assignee=user.username)
    pending.settled(Doubt.ASSIGNEE, "assignee")
    return True


def _fill_when(ctx: HandlerContext, pending: Pending, found: list[Question], text: str) -> bool:
    """A day and/or a time alone ("kal 4 baje", "Friday 11am", "परसों"), when the moment was asked for."""
    asked = _asked_about(found, Doubt.WHEN)
    if asked is None:
        return False
    tz = team_tz(ctx)
    today, now_time = local_today(ctx.now(), tz)
    said = find_when(text, today)
    if said.day is None and said.at is None:
        return False
    rest = "".join(" " if any(a <= i < b for a, b in said.spans) else ch for i, ch in enumerate(text))
    if not _only(rest, _WHEN_WORDS):
        return False
    before = pending.commands()[asked.index]
    pending.replace(asked.index, when=_moment(before, said.day, said.at, today, now_time, tz))
    pending.settled(Doubt.WHEN, "when")
    return True


def _moment(before: Command, day: date | None, at: time | None, today: date, now_time: time, tz: Any) -> str:
    """The answer's day and time, completed from what the command already said (a day keeps the time given)."""
    if day is not None and at is not None:
        return datetime.combine(day, at, tzinfo=tz).isoformat()
    if at is not None:
        known = before.when_date()
        if known is None or known < today:
            known = today if at > now_time else today + timedelta(days=1)
        return datetime.combine(known, at, tzinfo=tz).isoformat()
    assert day is not None
    if before.has_time:
        moment = before.when_datetime(tz)
        assert moment is not None
        return datetime.combine(day, moment.astimezone(tz).time().replace(tzinfo=None), tzinfo=tz).isoformat()
    return day.isoformat()


def _company_in(text: str) -> str | None:
    """The company an answer names ("Om Sai Traders", "company ka naam Om Sai Traders hai"), if it is one."""
    value = _COMPANY_TAIL.sub("", _COMPANY_LEAD_IN.sub("", text.strip())).strip(" .,!*_~\"'“”")
    words = _words(value)
    if not words or len(words) > MAX_COMPANY_WORDS or "?" in text:
        return None
    if any(w in _CHAT_WORDS for w in words) or is_yes(value) or is_no(value) or implausible_company(value):
        return None
    return value[:200]


def _stranger_in(text: str) -> str | None:
    """A person's name that is not a team member ("Neha"), when one was asked for; None for anything else."""
    words = [w for w in _TOKEN.findall(text) if w.casefold() not in _NAME_WORDS]
    if not 1 <= len(words) <= 2 or "?" in text:
        return None
    if any(w.casefold() in _CHAT_WORDS or any(ch.isdigit() or ch == "_" for ch in w) for w in words):
        return None
    return " ".join(words)
