"""Reply texts in English and Hindi: short, WhatsApp-formatted (*bold*, line breaks), named placeholders."""

from __future__ import annotations

from typing import Any, Protocol

_STATUS = {
    "en": {
        "new": "New",
        "qualified": "Qualified",
        "meeting_scheduled": "Meeting scheduled",
        "meeting_done": "Meeting done",
        "demo_scheduled": "Demo scheduled",
        "demo_done": "Demo done",
        "won": "Won",
        "lost": "Lost",
    },
    "hi": {
        "new": "नया",
        "qualified": "क्वालिफ़ाइड",
        "meeting_scheduled": "मीटिंग तय",
        "meeting_done": "मीटिंग हो गई",
        "demo_scheduled": "डेमो तय",
        "demo_done": "डेमो हो गया",
        "won": "जीता",
        "lost": "हारा",
    },
}
_KIND = {"en": {"meeting": "Meeting", "demo": "Demo"}, "hi": {"meeting": "मीटिंग", "demo": "डेमो"}}
_DETAIL = {
    "en": {
        "address": "address",
        "turnover": "turnover",
        "current_system": "current system",
        "challenges": "challenges",
        "industry": "industry",
        "team_size": "team size",
    },
    "hi": {
        "address": "पता",
        "turnover": "टर्नओवर",
        "current_system": "अभी का सिस्टम",
        "challenges": "चुनौतियाँ",
        "industry": "उद्योग",
        "team_size": "टीम का आकार",
    },
}

TEXTS: dict[str, dict[str, str]] = {
    # finding records
    "lead_gone": {"en": "I can't find that lead any more.", "hi": "वह लीड अब नहीं मिल रही।"},
    "which_lead": {
        "en": "Which lead? Please name the company, e.g. _Status of Acme Pvt Ltd_.",
        "hi": "कौन सी लीड? कंपनी का नाम लिखिए, जैसे _Acme Pvt Ltd का स्टेटस_।",
    },
    "lead_not_found": {
        "en": "I couldn't find a lead called *{company}*. Send _show my leads_ to see yours.",
        "hi": "*{company}* नाम की कोई लीड नहीं मिली। अपनी लीड देखने के लिए _मेरी लीड दिखाओ_ भेजिए।",
    },
    "lead_not_found_suggest": {
        "en": "I couldn't find *{company}*. Did you mean *{suggestion}*?",
        "hi": "*{company}* नहीं मिली। क्या आपका मतलब *{suggestion}* है?",
    },
    "choose_lead": {
        "en": "Several leads match *{company}*:\n{options}\nReply with the number (1–{n}).",
        "hi": "*{company}* से कई लीड मिलती हैं:\n{options}\nनंबर भेजिए (1–{n})।",
    },
    "choose_out_of_range": {
        "en": "Please reply with a number from 1 to {n}, or send a new command.",
        "hi": "कृपया 1 से {n} तक का नंबर भेजिए, या नया कमांड भेजिए।",
    },
    "assignee_outside_team": {
        "en": "*{name}* is not in your team, so I can't give them this. Nothing was changed.",
        "hi": "*{name}* आपकी टीम में नहीं हैं, इसलिए यह उन्हें नहीं दे सकते। कुछ नहीं बदला गया।",
    },
    "user_not_found": {
        "en": "I don't know a team member called *{name}*. Nothing was changed.",
        "hi": "*{name}* नाम का कोई टीम सदस्य नहीं मिला। कुछ नहीं बदला गया।",
    },
    "user_ambiguous": {
        "en": "*{name}* could be: {names}. Please use the username. Nothing was changed.",
        "hi": "*{name}* कई लोग हो सकते हैं: {names}। कृपया यूज़रनेम लिखिए। कुछ नहीं बदला गया।",
    },
    # new lead
    "new_lead_need_company": {
        "en": "What's the company name? e.g. _New lead: Acme Pvt Ltd, Rohit, 98765 01234, IndiaMART_",
        "hi": "कंपनी का नाम क्या है? जैसे _नई लीड: Acme Pvt Ltd, Rohit, 98765 01234, IndiaMART_",
    },
    "duplicate_found": {
        "en": "⚠️ *{company}* already exists ({why}), owner {owner}, status {status}.\n"
        "Reply *yes* to create a new lead anyway, or *no* to cancel.",
        "hi": "⚠️ *{company}* पहले से मौजूद है ({why}), मालिक {owner}, स्टेटस {status}।\n"
        "फिर भी नई लीड बनानी है तो *हाँ* भेजिए, नहीं तो *नहीं*।",
    },
    # A duplicate the sender may not see: these sentences are the whole reply, and name nothing (crm_core.access).
    "duplicate_elsewhere_phone": {
        "en": "A lead with this phone already exists — {ask}.",
        "hi": "इस फ़ोन नंबर की लीड पहले से मौजूद है — {ask}।",
    },
    "duplicate_elsewhere_company": {
        "en": "A lead with this company name already exists — {ask}.",
        "hi": "इस कंपनी के नाम की लीड पहले से मौजूद है — {ask}।",
    },
    "ask_your_leader": {"en": "ask your leader", "hi": "अपने लीडर से पूछिए"},
    "ask_an_admin": {"en": "ask an admin", "hi": "एडमिन से पूछिए"},
    "dup_same_phone": {"en": "same phone", "hi": "वही फ़ोन"},
    "dup_same_company": {"en": "same company", "hi": "वही कंपनी"},
    "duplicate_dropped": {
        "en": "OK, no new lead created for *{company}*.",
        "hi": "ठीक है, *{company}* की नई लीड नहीं बनाई गई।",
    },
    "confirm_reprompt": {
        "en": "Create the new lead *{company}* anyway? Reply *yes* or *no*.",
        "hi": "फिर भी नई लीड *{company}* बनाएँ? *हाँ* या *नहीं* भेजिए।",
    },
    "lead_created": {
        "en": "✅ New lead *{company}* created.\n{details}\nOwner: *{owner}*",
        "hi": "✅ नई लीड *{company}* बन गई।\n{details}\nमालिक: *{owner}*",
    },
    "lead_assigned_notify": {
        "en": "📌 New lead for you from {sender}: *{company}*\n{details}",
        "hi": "📌 {sender} ने आपको नई लीड दी: *{company}*\n{details}",
    },
    # qualification
    "qualified_ask": {
        "en": "✅ *{company}* is qualified.\nPlease send the {missing}, e.g.\n_{example}_",
        "hi": "✅ *{company}* क्वालिफ़ाइड है।\nकृपया {missing} भेजिए, जैसे\n_{example}_",
    },
    "qualified_done": {
        "en": "✅ *{company}* is qualified. All details are on file.",
        "hi": "✅ *{company}* क्वालिफ़ाइड है। सारी जानकारी दर्ज है।",
    },
    "details_saved_ask": {
        "en": "📝 Saved for *{company}*: {saved}.\nStill needed: {missing}.",
        "hi": "📝 *{company}* के लिए सेव किया: {saved}।\nअभी चाहिए: {missing}।",
    },
    "details_saved_all": {
        "en": "📝 Saved for *{company}*: {saved}. All details are on file.",
        "hi": "📝 *{company}* के लिए सेव किया: {saved}। सारी जानकारी दर्ज है।",
    },
    "details_saved": {"en": "📝 Saved for *{company}*: {saved}.", "hi": "📝 *{company}* के लिए सेव किया: {saved}।"},
    "details_which_lead": {
        "en": "Which lead are these details for? Send e.g. _Details for Acme Pvt Ltd: Address …, Turnover …_",
        "hi": "ये जानकारी किस लीड की है? जैसे भेजिए _Acme Pvt Ltd की जानकारी: पता …, टर्नओवर …_",
    },
    "details_empty": {
        "en": "I didn't find any details for *{company}*. Send e.g. _Address: …, Turnover: …_",
        "hi": "*{company}* के लिए कोई जानकारी नहीं मिली। जैसे भेजिए _पता: …, टर्नओवर: …_",
    },
    # events
    "past_time": {
        "en": "⛔ {when} is in the past, so nothing was scheduled for *{company}*. Please send a future date and time.",
        "hi": "⛔ {when} बीत चुका है, इसलिए *{company}* के लिए कुछ तय नहीं हुआ। कृपया आने वाली तारीख और समय भेजिए।",
    },
    "event_scheduled": {
        "en": "📅 {kind} with *{company}* on *{when}*{with_who}.",
        "hi": "📅 *{company}* के साथ {kind} *{when}* को तय{with_who}।",
    },
    "event_rescheduled": {
        "en": "🔁 {kind} with *{company}* moved to *{when}*{with_who} (was {before}).",
        "hi": "🔁 *{company}* के साथ {kind} अब *{when}* को{with_who} (पहले {before})।",
    },
    "reschedule_none": {
        "en": "(No {kind} was scheduled, so I created one.)",
        "hi": "(कोई {kind} तय नहीं था, इसलिए नया बना दिया।)",
    },
    "with_who": {"en": " with {name}", "hi": " — {name}"},
    "default_time_note": {
        "en": "No time was given, so I set {time}. Send a reschedule to change it.",
        "hi": "समय नहीं बताया था, इसलिए {time} रखा। बदलना हो तो reschedule भेजिए।",
    },
    "already_scheduled_note": {
        "en": "Note: another {kind} is already scheduled on {when}.",
        "hi": "ध्यान दें: एक और {kind} {when} को पहले से तय है।",
    },
    "clash_warning": {
        "en": "⚠️ {name} already has a {kind} with *{company}* at {when}.",
        "hi": "⚠️ {name} की {when} पर *{company}* के साथ {kind} पहले से है।",
    },
    "clash_warning_hidden": {  # the clashing event is on a lead the sender may not see: no company named
        "en": "⚠️ {name} already has another {kind} at {when}.",
        "hi": "⚠️ {name} की {when} पर एक और {kind} पहले से है।",
    },
    "event_notify": {
        "en": "📅 {kind} with *{company}* on *{when}* (set by {sender}).\n{details}",
        "hi": "📅 *{company}* के साथ {kind} *{when}* को ({sender} ने तय किया)।\n{details}",
    },
    "event_moved_notify": {
        "en": "🔁 {kind} with *{company}* moved to *{when}* (by {sender}).",
        "hi": "🔁 *{company}* के साथ {kind} अब *{when}* को ({sender} ने बदला)।",
    },
    "event_taken_notify": {
        "en": "ℹ️ The {kind} with *{company}* on {when} is now with {name} (changed by {sender}).",
        "hi": "ℹ️ *{company}* के साथ {when} की {kind} अब {name} के पास है ({sender} ने बदला)।",
    },
    "event_done": {
        "en": "✅ {kind} done for *{company}*. Status: {status}.{outcome}",
        "hi": "✅ *{company}* की {kind} हो गई। स्टेटस: {status}।{outcome}",
    },
    "outcome_line": {"en": "\nNoted: _{note}_", "hi": "\nदर्ज किया: _{note}_"},
    "nurture_started": {
        "en": "📨 Follow-up messages are scheduled for {owner}.",
        "hi": "📨 {owner} के लिए फ़ॉलो-अप मैसेज तय कर दिए गए हैं।",
    },
    # activities
    "activity_need_note": {
        "en": "What should I note for *{company}*? e.g. _Add activity for {company}, called the client_",
        "hi": "*{company}* के लिए क्या लिखूँ? जैसे _{company} के लिए activity: क्लाइंट को कॉल किया_",
    },
    "activity_added": {"en": "📝 Noted for *{company}*: _{note}_", "hi": "📝 *{company}* के लिए दर्ज किया: _{note}_"},
    # reassign
    "reassign_need_user": {
        "en": "Reassign *{company}* to whom? e.g. _Reassign {company} to Amit_",
        "hi": "*{company}* किसे सौंपें? जैसे _{company} Amit को सौंपो_",
    },
    "reassign_same": {"en": "*{company}* is already with {name}.", "hi": "*{company}* पहले से {name} के पास है।"},
    "reassigned": {
        "en": "🔄 *{company}* is now with *{new}* (was {old}).{moved}",
        "hi": "🔄 *{company}* अब *{new}* के पास है (पहले {old})।{moved}",
    },
    "reassign_moved": {"en": "\nMoved with it: {what}.", "hi": "\nसाथ में गए: {what}।"},
    "moved_events": {"en": "{n} upcoming event(s)", "hi": "{n} आने वाले इवेंट"},
    "moved_followups": {"en": "{n} follow-up(s)", "hi": "{n} फ़ॉलो-अप"},
    "reassign_notify_new": {
        "en": "📌 {sender} gave you the lead *{company}*.\n{details}",
        "hi": "📌 {sender} ने आपको लीड *{company}* सौंपी।\n{details}",
    },
    "reassign_notify_old": {
        "en": "ℹ️ {sender} moved *{company}* to {new}.",
        "hi": "ℹ️ {sender} ने *{company}* {new} को सौंप दी।",
    },
    # won / lost
    "marked_won": {
        "en": "🎉 *{company}* marked *won*. Congratulations!{cancelled}",
        "hi": "🎉 *{company}* जीत ली! बधाई हो!{cancelled}",
    },
    "marked_lost": {
        "en": "❌ *{company}* marked *lost*.{reason}{cancelled}",
        "hi": "❌ *{company}* हारी हुई मार्क की।{reason}{cancelled}",
    },
    "lost_reason": {"en": "\nReason: _{reason}_", "hi": "\nकारण: _{reason}_"},
    "followups_cancelled": {"en": "\n{n} pending follow-up(s) cancelled.", "hi": "\n{n} बाकी फ़ॉलो-अप रद्द किए।"},
    "already_closed": {
        "en": "*{company}* is already marked {status}.",
        "hi": "*{company}* पहले से {status} मार्क है।",
    },
    "owner_notify_closed": {
        "en": "ℹ️ {sender} marked *{company}* as {status}.",
        "hi": "ℹ️ {sender} ने *{company}* को {status} मार्क किया।",
    },
    # queries
    "tasks_header": {"en": "🗓️ *Your tasks for {day}*", "hi": "🗓️ *{day} के आपके काम*"},
    "tasks_none": {"en": "🗓️ Nothing scheduled for you on {day}.", "hi": "🗓️ {day} को आपके लिए कुछ तय नहीं है।"},
    "tasks_followups": {"en": "*Follow-ups*", "hi": "*फ़ॉलो-अप*"},
    "tasks_events": {"en": "*Meetings & demos*", "hi": "*मीटिंग और डेमो*"},
    "leads_header": {"en": "📋 *Your open leads* ({n})", "hi": "📋 *आपकी खुली लीड* ({n})"},
    "leads_none": {"en": "You have no open leads.", "hi": "आपकी कोई खुली लीड नहीं है।"},
    "leads_more": {"en": "…and {n} more.", "hi": "…और {n}।"},
    "info_contact": {"en": "\nContact: {contact}", "hi": "\nसंपर्क: {contact}"},
    "info_none": {"en": "nothing scheduled", "hi": "कुछ तय नहीं"},
    # asking instead of guessing (handlers.confirm): the echo of what was understood, then one question
    "ask_confirm": {
        "en": "🤔 I read: {summary}. {go} (*yes* / *no*, or send it corrected)",
        "hi": "🤔 मैंने समझा: {summary}। {go} (*हाँ* / *नहीं*, या सुधार कर भेजिए)",
    },
    "ask_doubt": {"en": "🤔 {summary} — {question}\n{hint}", "hi": "🤔 {summary} — {question}\n{hint}"},
    "ask_go": {"en": "Shall I go ahead?", "hi": "कर दूँ?"},
    "ask_go_new_lead": {"en": "Shall I create it?", "hi": "बना दूँ?"},
    "ask_go_schedule": {"en": "Shall I book it?", "hi": "तय कर दूँ?"},
    "ask_dropped": {"en": "OK, dropped — nothing was saved.", "hi": "ठीक है, छोड़ दिया — कुछ सेव नहीं हुआ।"},
    "q_phone_digits": {
        "en": "the phone {phone} has {n} digits; send it again?",
        "hi": "फ़ोन {phone} में {n} अंक हैं; सही नंबर फिर से भेजेंगे?",
    },
    "q_phone_invalid": {
        "en": "the phone {phone} doesn't look right; send it again?",
        "hi": "फ़ोन {phone} सही नहीं लगता; सही नंबर फिर से भेजेंगे?",
    },
    "q_phone": {
        "en": "the phone number doesn't look right; send it again?",
        "hi": "फ़ोन नंबर सही नहीं लगता; सही नंबर फिर से भेजेंगे?",
    },
    "q_owner_unknown": {
        "en": "*{name}* is not on your team; who should own it?",
        "hi": "*{name}* आपकी टीम में नहीं है; यह लीड किसे दें?",
    },
    "q_attendee_unknown": {
        "en": "*{name}* is not on your team; who should go?",
        "hi": "*{name}* आपकी टीम में नहीं है; कौन जाएगा?",
    },
    "q_reassign_whom": {"en": "who should get it?", "hi": "यह किसे सौंपें?"},
    "q_company": {"en": "which company is it?", "hi": "कौन सी कंपनी है?"},
    "q_company_rejected": {
        "en": "“{value}” doesn't look like a company name; which company is it?",
        "hi": "“{value}” कंपनी का नाम नहीं लगता; कौन सी कंपनी है?",
    },
    "q_when": {"en": "when should the {kind} be?", "hi": "{kind} कब रखें?"},
    "q_when_year": {
        "en": "{written} has already passed this year; when should the {kind} be (a date with the year is fine)?",
        "hi": "{written} इस साल बीत चुका है; {kind} कब रखें (साल के साथ तारीख भी चलेगी)?",
    },
    "q_when_past": {
        "en": "{when} is already past; when should the {kind} be?",
        "hi": "{when} बीत चुका है; {kind} कब रखें?",
    },
    "hint_phone": {
        "en": "Send the right number, *yes* to go ahead without it, or *no* to cancel.",
        "hi": "सही नंबर भेजिए; उसके बिना आगे बढ़ना हो तो *हाँ*, रद्द करना हो तो *नहीं*।",
    },
    "hint_owner": {
        "en": "Send a team member's name, *yes* to keep it yourself, or *no* to cancel.",
        "hi": "टीम के किसी सदस्य का नाम भेजिए; ख़ुद रखनी हो तो *हाँ*, रद्द करना हो तो *नहीं*।",
    },
    "hint_attendee": {
        "en": "Send a team member's name, *yes* to leave it with the lead's owner, or *no* to cancel.",
        "hi": "टीम के किसी सदस्य का नाम भेजिए; लीड के मालिक पर छोड़ना हो तो *हाँ*, रद्द करना हो तो *नहीं*।",
    },
    "hint_member": {
        "en": "Send a team member's name, or *no* to cancel.",
        "hi": "टीम के किसी सदस्य का नाम भेजिए, या रद्द करने के लिए *नहीं*।",
    },
    "hint_required": {"en": "Send it, or *no* to cancel.", "hi": "भेजिए, या रद्द करने के लिए *नहीं*।"},
    # the echo: one short phrase per command
    "echo_lead": {"en": "the lead", "hi": "लीड"},
    "echo_new_lead": {"en": "new lead {company}", "hi": "नई लीड {company}"},
    "echo_new_lead_bare": {"en": "a new lead", "hi": "नई लीड"},
    "echo_contact": {"en": "contact {name}", "hi": "संपर्क {name}"},
    "echo_source": {"en": "from {source}", "hi": "स्रोत {source}"},
    "echo_owner": {"en": "owner {name}", "hi": "मालिक {name}"},
    "echo_qualify": {"en": "{company} qualified", "hi": "{company} क्वालिफ़ाइड"},
    "echo_details": {"en": "details for {company}: {details}", "hi": "{company} की जानकारी: {details}"},
    "echo_schedule": {"en": "{kind} with {company}{when}{who}", "hi": "{company} के साथ {kind}{when}{who}"},
    "echo_reschedule": {
        "en": "move the {kind} with {company}{when}{who}",
        "hi": "{company} के साथ {kind}{when} शिफ्ट{who}",
    },
    "echo_on": {"en": " on {when}", "hi": " {when} को"},
    "echo_to": {"en": " to {when}", "hi": " {when} पर"},
    "echo_attendee": {"en": ", {name} to go", "hi": ", {name} जाएँगे"},
    "echo_done": {"en": "{kind} done for {company}{note}", "hi": "{company} की {kind} हो गई{note}"},
    "echo_note": {"en": ": _{note}_", "hi": ": _{note}_"},
    "echo_activity": {"en": "note for {company}: _{note}_", "hi": "{company} के लिए नोट: _{note}_"},
    "echo_reassign": {"en": "reassign {company}{to}", "hi": "{company}{to} सौंपना"},
    "echo_to_name": {"en": " to {name}", "hi": " {name} को"},
    "echo_won": {"en": "{company} won", "hi": "{company} जीती"},
    "echo_lost": {"en": "{company} lost{note}", "hi": "{company} हारी{note}"},
    "echo_then": {"en": "; then ", "hi": "; फिर "},
    # several commands in one message (handlers.run_all)
    "also_not_applied": {
        "en": "⚠️ Not done, because the first part didn't go through: {rest}.",
        "hi": "⚠️ पहला हिस्सा नहीं हुआ, इसलिए यह भी नहीं किया: {rest}।",
    },
    "also_pending": {
        "en": "The rest ({rest}) will follow once you answer.",
        "hi": "बाकी ({rest}) आपके जवाब के बाद होगा।",
    },
    # help / unknown
    "help": {
        "en": "🤖 *What I can do* — write naturally, English or Hinglish:\n"
        "• _New lead: Acme Pvt Ltd, Rohit, 98765 01234, IndiaMART, Priya_\n"
        "• _Lead qualified for Acme_\n"
        "• _Schedule demo for Acme kal 4 baje_\n"
        "• _Reschedule meeting for Acme on {example_day} 4pm_\n"
        "• _Meeting done for Acme, very interested_\n"
        "• _Add activity for Acme, called the client_\n"
        "• _Reassign Acme to Amit_\n"
        "• _Deal closed for Acme_ / _Acme lost - went with a competitor_\n"
        "• _Aaj ke tasks batao_ · _Mere leads dikhao_ · _Status of Acme?_",
        "hi": "🤖 *मैं क्या कर सकता हूँ* — आराम से लिखिए:\n"
        "• _नई लीड: Acme Pvt Ltd, Rohit, 98765 01234, IndiaMART, प्रिया_\n"
        "• _Acme लीड क्वालिफ़ाइड है_\n"
        "• _Acme का डेमो कल 4 बजे रखो_\n"
        "• _Acme की मीटिंग {example_day} 4 बजे शिफ्ट करो_\n"
        "• _Acme की मीटिंग हो गई, बहुत इंटरेस्टेड_\n"
        "• _Acme Amit को सौंपो_\n"
        "• _Acme डील पक्की_ / _Acme हार गए_\n"
        "• _आज के काम बताओ_ · _मेरी लीड दिखाओ_ · _Acme का स्टेटस?_",
    },
    "unknown": {
        "en": "🙂 I didn't catch a command there. Send *help* to see what I can do.",
        "hi": "🙂 मैं समझ नहीं पाया। मैं क्या कर सकता हूँ, यह देखने के लिए *help* भेजिए।",
    },
}


from crm_core.handlers.texts_convo import CONVO_TEXTS  # noqa: E402  (the conversational commands' texts)

TEXTS.update(CONVO_TEXTS)


class _HasLang(Protocol):
    lang: str


def lang_of(ctx_or_lang: _HasLang | str) -> str:
    """The reply language: 'hi' or 'en'."""
    lang = ctx_or_lang if isinstance(ctx_or_lang, str) else ctx_or_lang.lang
    return "hi" if lang == "hi" else "en"


def t(ctx_or_lang: _HasLang | str, key: str, **values: Any) -> str:
    """A reply text in the context's language with its placeholders filled."""
    return TEXTS[key][lang_of(ctx_or_lang)].format(**values)


def status_label(lang: str, status: str) -> str:
    """A lead status in words."""
    return _STATUS[lang_of(lang)].get(status, status)


def kind_label(lang: str, kind: str) -> str:
    """'Meeting' or 'Demo' in the language."""
    return _KIND[lang_of(lang)].get(kind, kind)


def detail_label(lang: str, name: str) -> str:
    """A qualification detail's name in the language."""
    return _DETAIL[lang_of(lang)].get(name, name.replace("_", " "))
