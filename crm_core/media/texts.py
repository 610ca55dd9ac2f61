"""What the bot says about voice notes and photos, English and Hindi side by side (as crm_core.handlers.texts)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "no_ai_voice": {
        "en": "🎤 I can't listen to voice notes yet: that needs the AI service's speech-to-text, which is not set up "
        "— an admin turns it on with OPENAI_API_KEY or Azure OpenAI (and TRANSCRIBE_MODEL). Meanwhile, please type "
        "your message.",
        "hi": "🎤 मैं अभी वॉइस नोट नहीं सुन सकता: इसके लिए AI सेवा का speech-to-text चाहिए, जो अभी चालू नहीं है — "
        "एडमिन इसे OPENAI_API_KEY या Azure OpenAI (और TRANSCRIBE_MODEL) से चालू करें। तब तक कृपया अपना संदेश "
        "टाइप करके भेजें।",
    },
    "no_ai_card": {
        "en": "🪪 I can't read visiting cards yet: that needs the AI service, which is not set up — an admin turns "
        "it on with OPENAI_API_KEY or Azure OpenAI. Meanwhile, type the card's details, e.g. "
        "_New lead: Sharma Traders, Rakesh Sharma, 9876543210, rakesh@sharmatraders.in_",
        "hi": "🪪 मैं अभी विज़िटिंग कार्ड नहीं पढ़ सकता: इसके लिए AI सेवा चाहिए, जो अभी चालू नहीं है — एडमिन इसे "
        "OPENAI_API_KEY या Azure OpenAI से चालू करें। तब तक कार्ड की जानकारी टाइप करें, जैसे "
        "_नया लीड: शर्मा ट्रेडर्स, राकेश शर्मा, 9876543210_",
    },
    "refused": {
        "en": "Sorry, I can't open that {what}: {why}. Please send it again from WhatsApp, or type it.",
        "hi": "माफ़ कीजिए, मैं यह {what} नहीं खोल सकता: {why}। कृपया इसे WhatsApp से दोबारा भेजें या टाइप करें।",
    },
    "gone": {
        "en": "Sorry, I couldn't download that {what} any more (its link has expired). Please send it again.",
        "hi": "माफ़ कीजिए, यह {what} अब डाउनलोड नहीं हो सका (उसका लिंक खत्म हो गया)। कृपया दोबारा भेजें।",
    },
    "unheard": {
        "en": "I couldn't hear that clearly — please send it again or type it.",
        "hi": "मुझे यह साफ़ सुनाई नहीं दिया — कृपया दोबारा भेजें या टाइप करें।",
    },
    "no_card": {
        "en": "🪪 I couldn't find a visiting card in that photo. Send a clear photo of the card (flat, in good "
        "light), or type the details, e.g. _New lead: Sharma Traders, Rakesh Sharma, 9876543210_",
        "hi": "🪪 इस फ़ोटो में मुझे विज़िटिंग कार्ड नहीं मिला। कार्ड की साफ़ फ़ोटो (सीधी, अच्छी रोशनी में) भेजें, या "
        "जानकारी टाइप करें, जैसे _नया लीड: शर्मा ट्रेडर्स, राकेश शर्मा, 9876543210_",
    },
    "apology_voice": {
        "en": "Sorry, I couldn't transcribe your voice note because of a problem on our side. Please send it "
        "again in a few minutes, or type it.",
        "hi": "माफ़ कीजिए, हमारी तरफ़ की एक समस्या के कारण मैं आपका वॉइस नोट नहीं सुन सका। कृपया कुछ मिनट बाद "
        "दोबारा भेजें, या टाइप करें।",
    },
    "apology_image": {
        "en": "Sorry, I couldn't read your photo because of a problem on our side. Please send it again in a few "
        "minutes, or type the details.",
        "hi": "माफ़ कीजिए, हमारी तरफ़ की एक समस्या के कारण मैं आपकी फ़ोटो नहीं पढ़ सका। कृपया कुछ मिनट बाद "
        "दोबारा भेजें, या जानकारी टाइप करें।",
    },
}

WHAT = {
    "voice": {"en": "voice note", "hi": "वॉइस नोट"},
    "image": {"en": "photo", "hi": "फ़ोटो"},
}

# Why a media link was refused, by MediaRefused.code (the rest: "its link is not one I may open").
WHY: dict[str, dict[str, str]] = {
    "too_large": {"en": "it is larger than {size}", "hi": "यह {size} से बड़ा है"},
    "type_voice": {"en": "it is not a voice recording", "hi": "यह कोई आवाज़ की रिकॉर्डिंग नहीं है"},
    "type_image": {"en": "it is not a photo", "hi": "यह कोई फ़ोटो नहीं है"},
    "no_link": {"en": "it arrived without its file", "hi": "यह बिना फ़ाइल के आया"},
    "other": {"en": "its link is not one I may open", "hi": "इसका लिंक खोलने की अनुमति नहीं है"},
}


def text(key: str, lang: str, **values: object) -> str:
    """A media reply in the sender's language ("hi" or "en")."""
    entry = TEXTS[key]
    return entry.get(lang, entry["en"]).format(**values)


def refused(kind: str, code: str, lang: str, max_bytes: int) -> str:
    """Why a voice note or photo could not be opened, and what to do."""
    what = WHAT.get(kind, WHAT["image"]).get(lang, WHAT["image"]["en"])
    key = f"type_{kind}" if code == "type" else code if code in WHY else "other"
    why = WHY[key].get(lang, WHY[key]["en"]).format(size=size_words(max_bytes))
    return text("refused", lang, what=what, why=why)


def size_words(max_bytes: int) -> str:
    """MEDIA_MAX_BYTES as people say it: 16 MB, 2.5 MB, 64 KB."""
    if max_bytes >= 1024 * 1024:
        return f"{round(max_bytes / (1024 * 1024), 1):g} MB"
    return f"{max(1, round(max_bytes / 1024))} KB"


def what(kind: str, lang: str) -> str:
    """ "voice note" or "photo" in the sender's language."""
    return WHAT.get(kind, WHAT["image"]).get(lang, WHAT["image"]["en"])
