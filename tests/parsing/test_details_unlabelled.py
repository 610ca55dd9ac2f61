"""Qualification details found with or without labels, in English, Hinglish and Hindi (`detail_spans`).

Each positive case lists every detail the message gives: the fields must be exactly these, and each value must be
the one written.  Each negative case must give no details at all: a wrong detail is worse than a missing one.
"""

from __future__ import annotations

import itertools

import pytest

from crm_core.parsing.details import FIELDS, DetailSpan, detail_spans, find_details

POSITIVE: list[tuple[str, dict[str, str]]] = [
    # English
    (
        "Rao Ceramics - turnover about 18 cr, 65 employees, they use Busy, main issue is breakage tracking",
        {
            "turnover": "about 18 cr",
            "team_size": "65 employees",
            "current_system": "Busy",
            "challenges": "breakage tracking",
        },
    ),
    (
        "they're into auto components manufacturing, 150 workers, running on SAP",
        {"industry": "auto components manufacturing", "team_size": "150 workers", "current_system": "SAP"},
    ),
    (
        "they do around 12-15 cr a year, team of 45, still on excel",
        {"turnover": "around 12-15 cr", "team_size": "45", "current_system": "excel"},
    ),
    (
        "Desai Foods update: turnover ~8 cr, 35 people, using Tally Prime + Google Sheets, issue: no stock visibility",
        {
            "turnover": "8 cr",
            "team_size": "35 people",
            "current_system": "Tally Prime + Google Sheets",
            "challenges": "no stock visibility",
        },
    ),
    (
        "biggest pain point is that reps don't update the CRM",
        {"challenges": "reps don't update the CRM"},
    ),
    (
        "they are struggling with GST reconciliation, 30 staff, tally prime",
        {"challenges": "GST reconciliation", "team_size": "30 staff", "current_system": "tally prime"},
    ),
    (
        "Rathi Pipes details: sector - PVC pipes manufacturing, TO ~ 45 Cr, headcount 220, current ERP Oracle",
        {
            "industry": "PVC pipes manufacturing",
            "turnover": "45 Cr",
            "team_size": "220",
            "current_system": "Oracle",
        },
    ),
    (
        "details for Lakshmi Jewellers - Shop 4, Zaveri Bazaar, Mumbai, 22 staff, turnover 60 cr",
        {"address": "Shop 4, Zaveri Bazaar, Mumbai", "team_size": "22 staff", "turnover": "60 cr"},
    ),
    (
        "Address: Plot 9, Sector 24, Faridabad; team of 70; revenue ~ 35 Cr",
        {"address": "Plot 9, Sector 24, Faridabad", "team_size": "70", "turnover": "35 Cr"},
    ),
    (
        "Sunrise Foods details:\n- Turnover: 40 Cr\n- Team: 120\n- System: Tally Prime\n- Pain: stock ageing",
        {"turnover": "40 Cr", "team_size": "120", "current_system": "Tally Prime", "challenges": "stock ageing"},
    ),
    # the label's value stops at the next detail, labelled or not
    (
        "Mehra Prints details - industry: offset printing, turnover 9 cr, team 40+, current system busy software",
        {
            "industry": "offset printing",
            "turnover": "9 cr",
            "team_size": "40+",
            "current_system": "busy software",
        },
    ),
    (
        "factory address - Survey No 12, Chakan MIDC, Pune. 90 employees. SAP B1 use karte hain",
        {"address": "Survey No 12, Chakan MIDC, Pune", "team_size": "90 employees", "current_system": "SAP B1"},
    ),
    # Hinglish
    (
        "turnover 60 cr, marg erp use karte hain, 30 log",
        {"turnover": "60 cr", "current_system": "marg erp", "team_size": "30 log"},
    ),
    (
        "kapde ka wholesale hai, 8 log, 4 cr turnover",
        {"industry": "kapde ka wholesale", "team_size": "8 log", "turnover": "4 cr"},
    ),
    (
        "turnover 11 cr hai approx, busy pe chalte hai, 25 log ka staff",
        {"turnover": "11 cr", "current_system": "busy", "team_size": "25 log"},
    ),
    (
        "unka problem ye hai ki dealers ka stock pata nahi chalta aur orders late process hote hain",
        {"challenges": "dealers ka stock pata nahi chalta aur orders late process hote hain"},
    ),
    (
        "Mehta Plastics - plastic moulding ka kaam hai, 80 workers, sab kuch register me likhte hain",
        {"industry": "plastic moulding", "team_size": "80 workers", "current_system": "register"},
    ),
    (
        "Gupta ji ka furniture ka business hai, 10-12 log kaam karte hain, koi software nahi, sab manual hota hai",
        {"industry": "furniture", "team_size": "10-12 log", "current_system": "manual"},
    ),
    (
        "Vinayak Traders: kapde ki dukaan hai, 6 log, khata book me hisaab",
        {"industry": "kapde ki dukaan", "team_size": "6 log", "current_system": "khata book"},
    ),
    (
        "Bharat Forge Parts - 100 cr ki company hai, 400+ employees, SAP hai already",
        {"turnover": "100 cr", "team_size": "400+ employees", "current_system": "SAP"},
    ),
    (
        "details - steel trading, 7-9 cr ka turnover, excel + whatsapp se chalta hai, dispatch late hota hai",
        {
            "industry": "steel trading",
            "turnover": "7-9 cr",
            "current_system": "excel + whatsapp",
            "challenges": "dispatch late hota hai",
        },
    ),
    (
        "Kumar Pharma - pharma distributor hain, 35 cr TO, 45 staff, Marg use karte hain but bahut slow hai",
        {
            "industry": "pharma distributor",
            "turnover": "35 cr",
            "team_size": "45 staff",
            "current_system": "Marg",
            "challenges": "bahut slow hai",
        },
    ),
    # chat spellings (`h` for `hai`, `rha`, `lgbhg`) and a city standing alone
    (
        "Chauhan Seeds, Hisar - beej ka kaam h, turnover lgbhg 9 cr, 14 log, tally pe h",
        {
            "address": "Hisar",
            "industry": "beej",
            "turnover": "lgbhg 9 cr",
            "team_size": "14 log",
            "current_system": "tally",
        },
    ),
    (
        "Orbit Dental details - 12 staff, abhi Dentee use karte hain, appointment reminders is a big problem for them",
        {
            "team_size": "12 staff",
            "current_system": "Dentee",
            "challenges": "appointment reminders is a big problem for them",
        },
    ),
    (
        "enquiry from Kaveri Cottons, Erode. They have about 90 workers and are facing issues with yarn stock reconciliation",
        {
            "address": "Erode",
            "team_size": "about 90 workers",
            "challenges": "issues with yarn stock reconciliation",
        },
    ),
    # Hindi
    (
        "टर्नओवर 8 करोड़, टैली चलाते हैं, 20 लोग",
        {"turnover": "8 करोड़", "current_system": "टैली", "team_size": "20 लोग"},
    ),
    (
        "शर्मा फूड्स - दिक्कत ये है कि स्टॉक का हिसाब नहीं मिलता, टीम 35 लोगों की",
        {"challenges": "स्टॉक का हिसाब नहीं मिलता", "team_size": "35 लोगों"},
    ),
    (
        "उनका कपड़े का काम है, 30 कर्मचारी, टर्नओवर करीब 10 करोड़",
        {"industry": "कपड़े", "team_size": "30 कर्मचारी", "turnover": "करीब 10 करोड़"},
    ),
    (
        "क्लाइंट की डिटेल्स - टर्नओवर 15 करोड़, 50 कर्मचारी, एक्सेल और व्हाट्सएप से काम चलता है, समस्या: कलेक्शन में देरी",
        {
            "turnover": "15 करोड़",
            "team_size": "50 कर्मचारी",
            "current_system": "एक्सेल और व्हाट्सएप",
            "challenges": "कलेक्शन में देरी",
        },
    ),
    (
        "ये लोग मसाले का काम करते हैं, 10 करोड़ का टर्नओवर, 30 लोगों की टीम",
        {"industry": "मसाले", "turnover": "10 करोड़", "team_size": "30 लोगों"},
    ),
]

NEGATIVE = [
    # amounts that are deals, not turnover
    "sent the quotation of 9 lakh to Bhatia Motors",
    "PO aa gaya 14 lakh ka, Kapoor Steels se",
    "deal size around 40 lakh, closing next week",
    "5 crore ka order mil gaya 🎉",
    "Sharma Paints - 12 percent discount manga",
    # numbers that are times, dates and phones
    "meeting kal 4 baje",
    "team 5 baje pahunchegi site pe",
    "meeting on 12/12 at 10:30 with 4 members of their team",
    "Called 9876543210 twice, no answer",
    # people who came to a meeting, not the team
    "5 log aaye the demo me, sab ko pasand aaya",
    "demo for 20 staff on friday 3pm",
    "10 लोग आएंगे डेमो में",
    # system names that are no current system
    "Sundaram Motors lost - went with Zoho, price was the issue",
    "unhone busy software le liya, lost kar do",
    "brochure bhej diya whatsapp pe",
    "Rahul busy hai aaj, kal call karega",
    "they want to move from Tally to cloud, demo kal 11 baje",
    "excel file bhej di rates ki",
    # problems that are follow-up notes, not the lead's challenges
    "problem ye hai ki phone nahi utha rahe",
    "koi problem nahi hai, kal demo rakho",
    "unka problem solve ho gaya, ab order denge",
    "facing issues with the demo login, pls reset password",
    # label words used in requests and ordinary sentences
    "address bhej do Sharma ji ka",
    "pls share current system details of Mehta",
    "पता नहीं कब मिलेंगे",
    "ye Priya ka kaam hai, usko de do",
    "they are in Pune this week, meeting on monday",
    # a first name is no city, a visit is no address
    "new lead: Ravi Traders, Anand, 9876543210",
    "visited their office in Andheri today, positive",
    # company names made of business words
    "new lead - Sharma Traders hai, Ramesh 9876543210, indiamart",
    "new lead: Chennai Silks Retail, Meenakshi, 044-24341234",
]


def _as_dict(spans: list[DetailSpan]) -> dict[str, str]:
    return {s.field: s.value for s in spans}


@pytest.mark.parametrize(("text", "expect"), POSITIVE)
def test_details_with_and_without_labels(text: str, expect: dict[str, str]) -> None:
    assert _as_dict(detail_spans(text)) == expect


@pytest.mark.parametrize("text", NEGATIVE)
def test_no_details_in_other_messages(text: str) -> None:
    assert detail_spans(text) == []


@pytest.mark.parametrize(("text", "_"), POSITIVE)
def test_spans_are_ordered_cover_their_values_and_do_not_overlap(text: str, _: dict[str, str]) -> None:
    spans = detail_spans(text)
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    for s in spans:
        assert s.field in FIELDS
        assert s.value and s.value in text[s.start : s.end]
    for a, b in itertools.pairwise(spans):
        assert a.end <= b.start


def test_labelled_flag_and_mask_span() -> None:
    text = "Annai Knits: 40 employees, current system Tally"
    team, system = detail_spans(text)
    assert (team.field, team.labelled, text[team.start : team.end]) == ("team_size", False, "40 employees")
    assert (system.field, system.labelled, text[system.start : system.end]) == (
        "current_system",
        True,
        "current system Tally",
    )


def test_first_detail_of_a_field_wins() -> None:
    assert _as_dict(detail_spans("Annai Knits - 20 log, turnover 5 cr, staff 25")) == {
        "team_size": "20 log",
        "turnover": "5 cr",
    }


def test_find_details_is_a_thin_wrapper() -> None:
    text = "Kohli Auto - 250 employees, turnover 80 cr"
    details, first = find_details(text)
    assert details == {"team_size": "250 employees", "turnover": "80 cr"}
    assert first == text.index("250")
    assert find_details("meeting kal 4 baje") == ({}, -1)


@pytest.mark.parametrize("text", ["", "   ", "?", "cr", "log", "turnover", "Address:", "problem hai ki"])
def test_fragments_give_nothing(text: str) -> None:
    assert detail_spans(text) == []
