"""The dashboard in a real browser (Debian's Chromium, driven by Playwright) against the local host: log in, the board
with a lead created on WhatsApp, its history, the chat panel, a board move through the command path, the Message
Master editor as an admin, a member's view, tasks and charts, the phone layout with Devanagari, logout; axe-core on
every page (no serious or critical violation) and a screenshot of each page kept as a test artefact."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.web.conftest import PASSWORD, Site, axe_violations, login, new_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


@pytest.fixture(autouse=True)
def _the_site_is_the_process_container(site: Site) -> None:
    """The shared autouse fixture resets the process container before each test: the host's one comes back."""
    from crm_core.composition import set_container

    set_container(site.container)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    p = new_page(browser)
    yield p
    assert not p.js_errors, p.js_errors
    p.context.close()


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


def column(page: Any, status: str) -> Any:
    return page.locator(f"#col-{status}")


def test_a_leader_logs_in_and_sees_a_lead_created_on_whatsapp(site: Site, page: Any) -> None:
    site.webhook("amit", "New lead: Sharma Traders, Rakesh Sharma, 9876543210, IndiaMART")
    login(page, site, "priya")
    card = column(page, "new").locator(".lead-card", has_text="Sharma Traders")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Amit Verma (demo)")  # a leader sees who owns it
    expect(card).to_contain_text("IndiaMART")
    expect(page.get_by_role("heading", name=re.compile(r"^New\s*\d+"))).to_be_visible()
    assert page.evaluate("() => Object.keys(sessionStorage).includes('crm.session')")
    assert page.evaluate("() => localStorage.length") == 0  # the token is kept only for the session
    screenshot(page, "board")
    assert_accessible(page)

    # Filters: search, source, owner
    page.get_by_label("Search").fill("sharma")
    expect(page.locator(".lead-card")).to_have_count(1)
    page.get_by_label("Search").fill("no such company")
    expect(page.locator(".lead-card")).to_have_count(0)
    page.get_by_role("button", name="Clear filters").click()
    page.get_by_label("Source").select_option("IndiaMART")
    expect(column(page, "new").locator(".lead-card", has_text="Sharma Traders")).to_be_visible()


def test_a_leads_page_tells_its_whole_story(site: Site, page: Any) -> None:
    site.webhook("amit", "New lead: Desai Pharma, Hetal Desai, 9824055667, JustDial")
    site.webhook("amit", "Add note for Desai Pharma: sent the brochure")
    login(page, site, "priya")
    page.locator(".lead-card", has_text="Desai Pharma").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Desai Pharma")
    history = page.locator(".timeline[data-ready]")
    expect(history).to_contain_text("New lead: Desai Pharma, Hetal Desai, 9824055667, JustDial")  # message in
    expect(history).to_contain_text("Amit Verma (demo) wrote on WhatsApp")
    expect(history).to_contain_text("Lead created by Amit Verma (demo)")
    expect(history).to_contain_text("sent the brochure")
    expect(history.locator(".tl-message_out").first).to_be_visible()  # the bot's messages out
    call = page.get_by_role("link", name=re.compile(r"^Call \+91 98240 55667"))
    assert call.get_attribute("href") == "tel:+919824055667"
    assert page.get_by_role("link", name=re.compile("^WhatsApp")).get_attribute("href") == "https://wa.me/919824055667"
    # Newest first: the note comes before the creation
    page.get_by_label("Order").select_option("desc")
    first = page.locator(".timeline[data-ready] .tl-item").first
    expect(first).not_to_contain_text("New lead: Desai Pharma")
    screenshot(page, "lead")
    assert_accessible(page)


def test_history_pages_through_a_long_story(site: Site, page: Any) -> None:
    site.webhook("neha", "New lead: Long Story Ltd, Kavita Rao, 9811111111, Website")
    for i in range(30):
        site.webhook("neha", f"Add note for Long Story Ltd: call number {i + 1}", drain=False)
    assert site.host.drain(60)
    login(page, site, "neha")
    page.locator(".lead-card", has_text="Long Story Ltd").get_by_role("link").click()
    items = page.locator(".timeline[data-ready] .tl-item")
    expect(items).to_have_count(50)  # one page
    page.get_by_role("button", name="Show later entries").click()
    expect(page.locator(".timeline[data-ready]")).to_contain_text("call number 30")
    assert items.count() > 50


def test_the_chat_panel_sends_a_command_and_shows_the_bots_reply(site: Site, page: Any) -> None:
    site.webhook("amit", "New lead: Kumar Steels, Vijay Kumar, 9812345678, Referral")
    login(page, site, "amit")
    page.get_by_role("button", name="Chat").click()
    panel = page.get_by_role("complementary", name="Chat with the bot")
    expect(panel).to_be_visible()
    panel.get_by_label("Message to the bot").fill("Lead qualified for Kumar Steels")
    panel.get_by_role("button", name="Send", exact=True).click()
    log = panel.get_by_role("log")
    expect(log.locator(".msg.me").last).to_contain_text("Lead qualified for Kumar Steels")
    expect(log.locator(".msg.bot", has_text="Kumar Steels").last).to_be_visible(timeout=20_000)
    # The board follows: the lead is now qualified
    expect(column(page, "qualified").locator(".lead-card", has_text="Kumar Steels")).to_be_visible(timeout=20_000)
    screenshot(page, "chat")
    assert_accessible(page)
    # The bot's replies come from GET /api/app/messages: the same ones the API gives
    inbox = site.api("amit", "/app/messages")
    assert any("Kumar Steels" in m["body"] for m in inbox["items"])


def test_moving_a_card_sends_the_whatsapp_command(site: Site, page: Any) -> None:
    site.webhook("rahul", "New lead: Patel Foods, Kiran Patel, 9898989898, Website")
    login(page, site, "rahul")
    card = column(page, "new").locator(".lead-card", has_text="Patel Foods")
    card.get_by_label("Move Patel Foods to").select_option("lost")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Mark lost: Patel Foods")
    dialog.get_by_label("Reason it was lost").fill("price too high")
    expect(dialog.locator("code")).to_have_text("Patel Foods lost - price too high")
    dialog.get_by_role("button", name="Send").click()
    expect(column(page, "lost").locator(".lead-card", has_text="Patel Foods")).to_be_visible(timeout=20_000)
    expect(column(page, "lost")).to_contain_text("Lost: price too high")
    # The same path as WhatsApp: the command is in the lead's history as a message from the dashboard
    lead_id = next(
        lead["id"]
        for lead in site.api("rahul", "/leads/" + str(_user_id(site, "rahul")))["items"]
        if lead["company"] == "Patel Foods"
    )
    history = site.api("rahul", f"/history/{lead_id}")["items"]
    assert any(
        e["kind"] == "message_in"
        and e["text"] == "Patel Foods lost - price too high"
        and e["data"]["provider"] == "app"
        for e in history
    )
    assert any(e["kind"] == "activity" and e["subkind"] == "lost" for e in history)  # logged by the handler


def test_an_admin_edits_a_message_master_step_with_a_live_preview(site: Site, page: Any) -> None:
    login(page, site, "admin")
    page.get_by_role("link", name="Message Master").click()
    org = page.get_by_role("region", name="Organisation's sequence")
    org.get_by_role("button", name=re.compile(r"^Edit step 1")).click()
    editor = page.get_by_role("region", name=re.compile("Edit step"))
    text = editor.get_by_label("Message text")
    text.fill("Namaste {contact_name} ji, thank you for your time with the {company} team. — {assignee}")
    preview = editor.locator(".phone-frame")
    expect(preview).to_contain_text("Namaste Rakesh Sharma ji, thank you for your time with the Sharma Traders team.")
    expect(preview).to_contain_text("Follow-up 1/3 for Sharma Traders")
    text.fill("Hello {client}")
    expect(editor.get_by_role("alert")).to_contain_text("Unknown placeholder {client}")
    text.fill("Namaste {contact_name} ji, thank you for your time with the {company} team. — {assignee}")
    editor.get_by_label("Day after the demo").fill("2")
    editor.get_by_label("Time").fill("11:30")
    screenshot(page, "message-master")
    assert_accessible(page)
    editor.get_by_role("button", name="Save step").click()
    expect(page.get_by_role("status").filter(has_text="Step saved.")).to_be_visible()
    steps = site.api("admin", "/message-master")["items"]
    first = min((s for s in steps if s["team_leader_id"] is None), key=lambda s: s["step"])
    assert first["text"].startswith("Namaste {contact_name} ji, thank you for your time with the {company} team.")
    assert (first["day"], first["time"]) == (2, "11:30")


def test_a_leader_reads_the_organisations_steps_but_edits_only_her_teams(site: Site, page: Any) -> None:
    login(page, site, "priya")
    page.get_by_role("link", name="Message Master").click()
    org = page.get_by_role("region", name="Organisation's sequence")
    expect(org).to_contain_text("Only admins change this sequence.")
    expect(org.get_by_role("button", name=re.compile("^Edit"))).to_have_count(0)
    mine = page.get_by_role("region", name="Your team's sequence")
    mine.get_by_role("button", name="Add a step").click()
    editor = page.get_by_role("region", name="New step")
    editor.get_by_label("Message text").fill("Hi {contact_name}, any update from {company}?")
    editor.get_by_role("button", name="Add step").click()
    expect(mine.locator(".step")).to_have_count(1)
    assert_accessible(page)


def test_a_member_does_not_see_another_members_leads(site: Site, page: Any) -> None:
    site.webhook("neha", "New lead: Reddy Textiles, Srinivas Reddy, 9845012345, JustDial")
    site.webhook("amit", "New lead: Gupta Electricals, Sanjay Gupta, 9811122233, IndiaMART")
    login(page, site, "amit")
    board = page.locator(".board")
    expect(board.locator(".lead-card", has_text="Gupta Electricals")).to_be_visible()
    expect(board).not_to_contain_text("Reddy Textiles")
    expect(page.get_by_role("link", name="Message Master")).to_have_count(0)  # members do not edit it
    screenshot(page, "member-board")
    assert_accessible(page)
    # Not by a direct link either: the API answers 404 and the page says so
    reddy = next(
        lead["id"]
        for lead in site.api("neha", f"/leads/{_user_id(site, 'neha')}")["items"]
        if lead["company"] == "Reddy Textiles"
    )
    page.goto(f"{site.url}/#/lead/{reddy}")
    expect(page.get_by_role("alert")).to_contain_text("not yours to see")


def test_tasks_and_insights(site: Site, page: Any) -> None:
    site.webhook("neha", "New lead: Acme Pvt Ltd, Rohit Mehra, 9876501234, Website")
    site.webhook("neha", "Schedule demo for Acme Pvt Ltd tomorrow at 4 pm")
    login(page, site, "priya")
    page.get_by_role("link", name="Tasks").click()
    page.get_by_text("This week").click()
    page.get_by_label("Whose").select_option("team")
    tasks = page.locator(".task-groups[data-ready]")
    expect(tasks).to_contain_text("Acme Pvt Ltd")
    expect(tasks).to_contain_text("4:00 pm")
    expect(tasks).to_contain_text("Neha Gupta (demo)")
    screenshot(page, "tasks")
    assert_accessible(page)
    page.get_by_role("link", name="Insights").click()
    charts = page.locator(".charts[data-ready]")
    expect(charts.locator("svg")).to_have_count(3)
    expect(charts.get_by_role("img", name=re.compile("Leads by source"))).to_be_visible()
    expect(charts).to_contain_text("Website")
    screenshot(page, "insights")
    assert_accessible(page)


def test_on_a_phone_with_devanagari(site: Site, browser: Any) -> None:
    site.webhook("amit", "नया लीड: लोटस इंटीरियर्स, संपर्क पूजा शर्मा, 9811098110, असाइन अमित")
    page = new_page(browser, mobile=True)
    try:
        login(page, site, "amit")
        card = page.locator(".lead-card", has_text="लोटस इंटीरियर्स")
        expect(card).to_be_visible()
        assert card.locator("[lang=hi]").first.inner_text() == "लोटस इंटीरियर्स"
        # Shaped, not boxes: the conjunct in "इंटीरियर्स" is narrower than its letters side by side
        widths = page.evaluate(
            """() => { const c = document.createElement('canvas').getContext('2d');
                      c.font = '16px "Noto Sans Devanagari", sans-serif';
                      return [c.measureText('र्स').width, c.measureText('र').width + c.measureText('्').width + c.measureText('स').width]; }"""
        )
        assert widths[0] < widths[1]
        # The page fits the phone's width: only the board scrolls sideways
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
        nav = page.get_by_role("navigation", name="Main")
        box = nav.bounding_box()
        assert box is not None and box["y"] > 700  # the tab bar sits at the bottom of the screen
        screenshot(page, "board-mobile")
        assert_accessible(page)
        card.get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("लोटस इंटीरियर्स")
        screenshot(page, "lead-mobile")
        assert not page.js_errors, page.js_errors
    finally:
        page.context.close()


def test_login_errors_and_logout(site: Site, page: Any) -> None:
    page.goto(f"{site.url}/")
    screenshot(page, "login")
    assert_accessible(page)
    page.get_by_label("Username or phone number").fill("priya")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile("invalid|wrong|password", re.I))
    # A phone number in any written form logs in too
    page.get_by_label("Username or phone number").fill("+91 98000 00001")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector(".board[data-ready]")
    token = page.evaluate("() => JSON.parse(sessionStorage.getItem('crm.session')).token")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Username or phone number")).to_be_visible()
    assert page.evaluate("() => sessionStorage.length") == 0
    # POST /api/logout revoked it: the old token no longer works
    res = requests.get(f"{site.url}/api/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert res.status_code == 401
    page.reload()
    expect(page.get_by_label("Username or phone number")).to_be_visible()


def _user_id(site: Site, who: str) -> int:
    res = requests.get(
        f"{site.url}/api/users/me", headers={"Authorization": f"Bearer {site.token(who)}"}, timeout=10
    ).json()
    return int(res["id"])
