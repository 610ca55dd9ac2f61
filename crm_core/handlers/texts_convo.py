"""Reply texts of the conversational commands (#13): cancelling, reminders, waiting for an answer.

Kept apart from handlers.texts (already long); `texts.t()` finds them, as they are merged into its catalogue.
"""

from __future__ import annotations

CONVO_TEXTS: dict[str, dict[str, str]] = {
    # a lead's status (handlers.status)
    "info_head": {
        "en": "ℹ️ *{company}*\nStatus: {status}\nOwner: {owner}{contact}\nNext: {next}",
        "hi": "ℹ️ *{company}*\nस्टेटस: {status}\nमालिक: {owner}{contact}\nअगला: {next}",
    },
    "info_last": {"en": "Last activity: {last}", "hi": "पिछली गतिविधि: {last}"},
    "info_pending": {"en": "*Follow-ups & reminders* ({n})", "hi": "*फ़ॉलो-अप और रिमाइंडर* ({n})"},
    "info_followup": {"en": "follow-up {step}/{of}", "hi": "फ़ॉलो-अप {step}/{of}"},
    "info_reminder": {"en": "reminder", "hi": "रिमाइंडर"},
    "info_details": {"en": "*Details*", "hi": "*जानकारी*"},
    "info_missing": {"en": "Still missing: {names}", "hi": "अभी बाकी: {names}"},
    "info_lost_reason": {"en": "Lost because: {reason}", "hi": "हारने का कारण: {reason}"},
    # the echo of an unsure command (handlers.confirm.describe)
    "echo_cancel": {"en": "cancel the {kind} with {company}{note}", "hi": "{company} के साथ {kind} रद्द{note}"},
    "echo_remind": {"en": "reminder: _{note}_{when}", "hi": "रिमाइंडर: _{note}_{when}"},
    "echo_info": {"en": "the status of {company}", "hi": "{company} का स्टेटस"},
    "q_when_remind": {"en": "when should I remind you?", "hi": "कब याद दिलाऊँ?"},
    # waiting for the moment / the lead (handlers.waiting)
    "when_missing": {
        "en": "When should the {kind} with *{company}* be? e.g. _{example}_",
        "hi": "*{company}* के साथ {kind} कब रखें? जैसे _{example}_",
    },
    "hint_when": {
        "en": "Send the day and time (e.g. _{example}_), or *no* to cancel.",
        "hi": "दिन और समय भेजिए (जैसे _{example}_), या रद्द करने के लिए *नहीं*।",
    },
    "which_lead_for": {
        "en": "Which lead is this about ({what})? Send the company's name, e.g. _{example}_.",
        "hi": "यह किस लीड के बारे में है ({what})? कंपनी का नाम भेजिए, जैसे _{example}_।",
    },
    # cancel a meeting or demo (handlers.cancel)
    "event_cancelled": {
        "en": "🚫 {kind} with *{company}* on {when} cancelled.{reason}",
        "hi": "🚫 *{company}* के साथ {when} की {kind} रद्द कर दी।{reason}",
    },
    "cancel_reason": {"en": "\nReason: _{reason}_", "hi": "\nकारण: _{reason}_"},
    "cancel_none": {
        "en": "There is no scheduled {kind} with *{company}* to cancel.",
        "hi": "*{company}* के साथ कोई तय {kind} नहीं है जिसे रद्द करें।",
    },
    "event_cancelled_notify": {
        "en": "🚫 {kind} with *{company}* on {when} was cancelled by {sender}.{reason}",
        "hi": "🚫 *{company}* के साथ {when} की {kind} {sender} ने रद्द की।{reason}",
    },
    # everyone affected is told (handlers.events, handlers.leads)
    "owner_event_notify": {
        "en": "📅 {sender} booked a {kind} on your lead *{company}* for {when}, with {name}.",
        "hi": "📅 {sender} ने आपकी लीड *{company}* पर {when} को {kind} रखी, {name} के साथ।",
    },
    "owner_event_moved_notify": {
        "en": "🔁 {sender} moved the {kind} on your lead *{company}* to {when}, with {name}.",
        "hi": "🔁 {sender} ने आपकी लीड *{company}* की {kind} {when} पर की, {name} के साथ।",
    },
    "attendee_notify_closed": {
        "en": "ℹ️ {sender} marked *{company}* as {status}: your upcoming meeting/demo with them is cancelled.",
        "hi": "ℹ️ {sender} ने *{company}* को {status} मार्क किया: उनके साथ आपकी आने वाली मीटिंग/डेमो रद्द है।",
    },
    # reminders and follow-ups (handlers.reminders)
    "reminder_set": {
        "en": "⏰ I'll remind you on *{when}*: _{note}_{about}",
        "hi": "⏰ *{when}* को याद दिलाऊँगा: _{note}_{about}",
    },
    "reminder_about": {"en": " (lead *{company}*)", "hi": " (लीड *{company}*)"},
    "reminder_default_time": {
        "en": "No time was given, so I set {time}.",
        "hi": "समय नहीं बताया था, इसलिए {time} रखा।",
    },
    "reminder_past": {
        "en": "⛔ {when} is already past; when should I remind you?",
        "hi": "⛔ {when} बीत चुका है; कब याद दिलाऊँ?",
    },
    "reminder_when": {
        "en": "When should I remind you ({note})? e.g. _{example}_",
        "hi": "कब याद दिलाऊँ ({note})? जैसे _{example}_",
    },
    "reminder_due": {"en": "⏰ Reminder: {note}{about}", "hi": "⏰ याद दिला रहा हूँ: {note}{about}"},
    "reminder_due_about": {"en": "\nLead: *{company}*{contact}", "hi": "\nलीड: *{company}*{contact}"},
    "reminder_owner_notify": {
        "en": "⏰ {sender} set a follow-up on your lead *{company}* for {when}: {note}",
        "hi": "⏰ {sender} ने आपकी लीड *{company}* पर {when} के लिए फ़ॉलो-अप रखा: {note}",
    },
    # unlabelled qualification details (handlers.details_reply)
    "details_unread": {
        "en": "I couldn't tell which detail that is for *{company}*. Please label it, e.g. _{example}_",
        "hi": "*{company}* के लिए यह कौन सी जानकारी है, समझ नहीं आया। लेबल के साथ भेजिए, जैसे _{example}_",
    },
    # a leader's views of the team (handlers.team)
    "team_leads_header": {"en": "👥 *Your team's open leads* ({n})", "hi": "👥 *आपकी टीम की खुली लीड* ({n})"},
    "team_leads_none": {"en": "Your team has no open leads.", "hi": "आपकी टीम की कोई खुली लीड नहीं है।"},
    "team_person_leads_header": {"en": "📋 *{name}'s open leads* ({n})", "hi": "📋 *{name} की खुली लीड* ({n})"},
    "team_person_no_leads": {"en": "{name} has no open leads.", "hi": "{name} की कोई खुली लीड नहीं है।"},
    "team_tasks_header": {"en": "🗓️ *Your team's tasks for {day}*", "hi": "🗓️ *{day} के आपकी टीम के काम*"},
    "team_person_tasks_header": {"en": "🗓️ *{name}'s tasks for {day}*", "hi": "🗓️ *{day} के {name} के काम*"},
    "team_tasks_none": {"en": "🗓️ Nothing scheduled on {day}.", "hi": "🗓️ {day} को कुछ तय नहीं है।"},
    "team_followup": {"en": "follow-up", "hi": "फ़ॉलो-अप"},
    "team_more_people": {"en": "…and {people} more people ({n}).", "hi": "…और {people} लोग ({n})।"},
    "team_own_view": {
        "en": "_Team views are for team leaders — here is your own._\n",
        "hi": "_टीम की जानकारी टीम लीडर के लिए है — ये आपकी अपनी है।_\n",
    },
    "team_not_yours": {
        "en": "Sorry, you can see only your own work and your team's.",
        "hi": "माफ़ कीजिए, आप सिर्फ़ अपना और अपनी टीम का काम देख सकते हैं।",
    },
    "team_unknown_person": {
        "en": "I couldn't find *{name}* on the team.",
        "hi": "टीम में *{name}* नहीं मिले।",
    },
    "pipeline_header": {"en": "📊 *Team pipeline*", "hi": "📊 *टीम की पाइपलाइन*"},
    "pipeline_own_header": {"en": "📊 *Your pipeline*", "hi": "📊 *आपकी पाइपलाइन*"},
    "pipeline_person_header": {"en": "📊 *{name}'s pipeline*", "hi": "📊 *{name} की पाइपलाइन*"},
    "pipeline_total": {"en": "Leads: {n} · new this week: {week}", "hi": "लीड: {n} · इस हफ़्ते नई: {week}"},
    "pipeline_overdue": {
        "en": "⚠️ *Past their time, not marked done* ({n})",
        "hi": "⚠️ *समय निकल गया, पूरा दर्ज नहीं* ({n})",
    },
    "pipeline_no_overdue": {
        "en": "✅ No meeting or demo is past its time unmarked.",
        "hi": "✅ कोई मीटिंग या डेमो बिना दर्ज किए बाकी नहीं।",
    },
}
