"""Phrases that signal an intent without a command keyword ("PO aa gaya", "quotation bhej diya", "X ka kya hua").

Unlike the command words in lexicon.py these are not fillers: they signal an intent and their span is hidden from
the company and the note, but their words may still appear in names elsewhere.
"""

from __future__ import annotations

import re

from crm_core.parsing.lexicon import WL, WR


def phrase_rx(*phrases: str) -> re.Pattern[str]:
    """Whole-phrase matching on the original text, any case, flexible spaces, Devanagari-aware boundaries."""
    alts = sorted({r"\s+".join(re.escape(w) for w in p.split()) for p in phrases}, key=len, reverse=True)
    return re.compile(WL + r"(?:" + "|".join(alts) + r")" + WR, re.I)


WON_CUES = phrase_rx(
    "deal is final", "is final", "order is confirmed", "po आ गया", "पीओ आ गया", "po mil gaya", "wrapped up the deal",
    "po aa gaya", "po aaya", "po aa gya", "po mil gaya", "po mila", "po received",
    "received po", "received the po", "received their po", "got the po", "got po",
    "po issued", "po bhej diya", "po de diya", "signed the order", "signed the contract",
    "signed the deal", "signed up", "order signed", "order confirm", "order confirmed",
    "confirmed the order", "order placed", "placed the order", "placed order",
    "order de diya", "order diya", "order mil gaya", "order mil gya", "order mila",
    "order aa gaya", "order aaya", "order received", "got the order", "won the deal",
    "deal won", "deal final", "deal finalize", "deal finalised", "deal finalized",
    "final ho gaya", "final ho gayi", "deal pakki", "deal pakka", "deal done", "deal closed",
    "closed the deal", "closed won", "deal close", "deal ho gayi", "deal ho gaya",
    "advance aa gaya", "advance mil gaya", "advance received", "advance payment received",
    "payment aa gaya", "payment received", "converted", "haan bol diya", "signed",
    "sanctioned", "disbursed", "booking done", "booking amount", "token amount",
    "token received", "premium received", "ready to buy", "onboard ho gaye", "onboarded",
    "क्लोज़्ड वन", "क्लोज्ड वन", "deal ho gyi", "डील फाइनल", "डील पक्की", "डील हो गई",
    "डील हो गयी", "डील क्लोज", "ऑर्डर मिल गया", "ऑर्डर आ गया", "ऑर्डर मिला", "ऑर्डर कन्फर्म",
    "पीओ आ गया", "पीओ मिल गया", "एडवांस आ गया", "फाइनल हो गया", "फाइनल हो गई",
)  # fmt: skip
LOST_CUES = phrase_rx(
    "बंद कर दो", "ले लिया", "le liya", "went for", "chose", "finalised with another", "finalized with another",
    "not interested", "no longer interested", "interested nahi", "interest nahi",
    "koi interest nahi", "order nahi mila", "nahi mila order", "order nahi diya",
    "did not get the order", "didn't get the order", "went with", "gone with",
    "chose another", "chose a competitor", "competitor", "competition ko", "dusre vendor",
    "doosre vendor", "other vendor", "another vendor", "kisi aur se", "kisi aur ko",
    "budget nahi", "no budget", "drop karo", "drop kar do", "drop it", "dropped", "band karo",
    "close karo", "closed lost", "deal lost", "lost the deal", "mana kar diya", "mana kiya",
    "mana kr diya", "nahi chahiye", "not required", "not needed", "plan cancel",
    "project cancel", "lost", "drop", "haath se gaya", "hath se gaya", "gaya haath se",
    "gaya hath se", "no interest", "interest nhi", "interested nhi", "le liya unhone",
    "bought from", "already have", "हाथ से गया", "हाथ से निकल", "लॉस्ट", "मना कर दिया",
    "नहीं चाहिए", "इंटरेस्ट नहीं", "इंटरेस्टेड नहीं", "ऑर्डर नहीं मिला", "किसी और से",
    "कॉम्पिटिटर", "बजट नहीं", "ड्रॉप",
)  # fmt: skip
# The outcome itself, no reason: left out of a lost deal's note ("not interested, *budget nahi hai*").
LOST_OUTCOME = phrase_rx(
    "not interested", "no longer interested", "interested nahi", "interest nahi",
    "koi interest nahi", "drop karo", "drop kar do", "drop it", "dropped", "band karo",
    "close karo", "closed lost", "deal lost", "lost the deal", "lost", "mark lost",
    "mark as lost", "लॉस्ट", "लॉस्ट कर दो", "ड्रॉप कर दो", "ड्रॉप", "इंटरेस्ट नहीं",
    "इंटरेस्टेड नहीं",
)  # fmt: skip
# A won/lost phrase under these is a plan or a doubt, not the outcome ("PO expected next week", "order kab milega?").
NOT_YET = phrase_rx(
    "expected", "expect", "pending", "awaited", "will", "next week", "next month", "kab",
    "nahi aaya", "nahi mila", "not yet", "abhi nahi", "abhi tak nahi", "hopefully", "soon",
    "likely", "chance", "may", "might", "format", "draft", "waiting", "wait", "baaki", "baki",
    "बाकी", "नहीं आया", "अभी नहीं",
)  # fmt: skip
INFO_CUES = phrase_rx(
    "status", "kya hua", "kya hai update", "kya update", "koi update", "any update",
    "update on", "update of", "updates on", "latest on", "latest with", "what's the latest",
    "whats the latest", "where are we", "kahan tak", "kaha tak", "kya scene", "kya chal raha",
    "kya situation", "full details of", "details of", "details bhejo", "details do",
    "details batao", "detail bhejo", "ki details", "ka details", "ki detail", "history of",
    "tell me about", "info on", "info of", "kya haal", "how is", "last update", "update kya",
    "latest kya", "लेटेस्ट", "ताज़ा", "अपडेट क्या", "kya progress", "progress kya",
    "progress on", "details भेजो", "की details", "का status", "ka scene", "kya scene",
    "स्टेटस", "स्थिति", "क्या हुआ", "कहां तक", "कहाँ तक", "क्या अपडेट", "कोई अपडेट",
    "जानकारी", "डिटेल्स भेजो",
)  # fmt: skip
ACTIVITY_CUES = phrase_rx(
    "called", "call kiya", "call kia", "call kr diya", "call kar diya", "call kiya tha",
    "phone kiya", "spoke", "spoke to", "spoke with", "talked", "talked to", "baat hui",
    "baat ki", "baat kiya", "baat kari", "visited", "visit kiya", "visit kia", "visit ki",
    "went to", "met", "mila", "mile", "mil ke aaya", "milke aaya", "sent", "send kiya",
    "send kar diya", "bheja", "bhej diya", "bhej diye", "bhej diye the", "bheje", "bhej di",
    "bhej dia", "bhejdi", "bhejdiya", "mailed", "mail kiya", "mail kar diya", "mail kr diya",
    "emailed", "whatsapp kiya", "whatsapp kar diya", "shared", "share kiya", "share kar diya",
    "followed up", "follow up kiya", "follow up kia", "followup kiya", "follow-up kiya",
    "reminder diya", "de aaya", "de aayi", "de diya", "le gaye", "le gye", "aaye the",
    "aaye they", "no answer", "no response", "not picking", "not answering", "did not pick",
    "didn't pick", "not reachable", "switched off", "phone nahi utha", "phone nahi uthaya",
    "call nahi utha", "ring gayi", "busy tha", "left a message", "left message", "voicemail",
    "kar diya", "kar di", "kar diye", "kar liya", "kar li", "kar liye", "kr diya", "kr di",
    "kr diye", "kr liya", "kr liye", "किया", "कर दिए", "कर लिया", "कर लिए", "asked for",
    "maanga", "manga", "requested", "demo video", "भेज दी", "भेज दिया", "भेजा", "बात हुई",
    "बात की", "कॉल किया", "फोन किया", "फॉलो अप किया", "फॉलोअप किया", "मिलने गया", "मिलने गई",
    "मिलकर आया", "विज़िट की", "विजिट की", "दे आया", "दे आई", "ऑफिस आए", "मेल किया",
    "व्हाट्सएप किया", "शेयर किया", "फोन नहीं उठाया", "कर दी", "कर दिया", "किया है",
    "विज़िट किया", "विजिट किया", "मेल कर दिया", "व्हाट्सएप कर दी", "भेज दिए", "भेजे", "बताया",
    "बोले", "कहा",
)  # fmt: skip
# Meeting or demo words that are no meeting command ("board meeting", "need another meeting", "demo video").
MEETING_TRAPS = phrase_rx(
    "board meeting", "board meet", "internal meeting", "team meeting", "staff meeting",
    "meeting room", "after the meeting", "meeting ke baad", "meeting ke bad", "demo video",
    "demo link", "demo id", "demo login", "demo account", "demo version", "demo ka video",
    "बोर्ड मीटिंग", "डेमो वीडियो",
)  # fmt: skip
ANOTHER_MEETING = phrase_rx(
    "another meeting", "another demo", "one more meeting", "one more demo", "ek aur meeting",
    "ek aur demo", "ek or meeting", "second meeting", "second demo", "follow up meeting",
    "follow-up meeting", "एक और मीटिंग", "एक और डेमो", "दूसरी मीटिंग",
)  # fmt: skip
DONE_CUES = phrase_rx(
    "went well", "went good", "was good", "was great", "given", "de diya", "diya", "dikhaya",
    "dikha diya", "dikha di", "hui", "hui thi", "ho gayi", "ho gaya", "ho gya", "ho gyi",
    "attended", "had a", "had the", "completed", "done", "finished", "conducted", "happened",
    "over", "khatam", "ho chuki", "ho chuka", "kar liya", "kar li", "kiya", "kia", "liked",
    "loved", "pasand aaya", "pasand aayi", "दिखाया", "दिखा दिया", "दे दिया", "हो गई",
    "हो गया", "हो गयी", "हुई", "हुआ", "पूरी", "खत्म", "अच्छी रही", "अच्छा रहा", "दिया", "दी",
    "दे दी",
)  # fmt: skip
QUESTION = re.compile(r"\?|" + WL + r"(?:kya|क्या|kab|what|when|how|where|did|is|are)\s*\??$", re.I)
# Where a message carries a second command: "…, also demo kal 12 baje", "… aur Y ka demo parso".
ALSO_SPLIT = re.compile(
    r"(?:\s*[,.;!]\s*|\s+)(?:and\s+also|aur\s+also|also|plus|aur\s+saath\s+hi|saath\s+hi|साथ\s+ही|और\s+साथ\s+ही|"
    r"and\s+then|then|phir|fir|फिर)" + WR + r"[\s,:]*"
    r"|\s*[,.;!]\s*(?:and|aur|और)\s+|\s+(?:and|aur|और)\s+(?=[\w\u0900-\u097F&.' ]{2,40}?\s+(?:ka|ki|ke|का|की|के)\s)"
    r"|\s*[,.;!|/]\s*(?=(?:next|agla|agli|agle|अगला|अगली|अगले)?\s*(?:demo|meeting|mtg|डेमो|मीटिंग)" + WR + r")",
    re.I,
)
