// Unit tests of the dashboard's pure helpers (Indian formats, WhatsApp commands, Message Master rendering), with
// node's own test runner on an esbuild bundle of the sources: `node web/test/run.mjs`.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as f from "./.bundle/format.mjs";
import * as c from "./.bundle/commands.mjs";
import * as mm from "./.bundle/mm.mjs";

test("amounts in rupees with Indian grouping, lakh and crore", () => {
  assert.equal(f.fmtINR(125000), "₹1,25,000");
  assert.equal(f.fmtINR(30000000), "₹3,00,00,000");
  assert.equal(f.fmtINRWords(30000000), "₹3 crore");
  assert.equal(f.fmtINRWords(1250000), "₹12.5 lakh");
  assert.equal(f.fmtINRWords(45000), "₹45,000");
  assert.equal(f.fmtNumber(1234567), "12,34,567");
});

test("amounts as salespeople write them", () => {
  assert.equal(f.parseAmount("3 crore"), 30000000);
  assert.equal(f.parseAmount("12.5L"), 1250000);
  assert.equal(f.parseAmount("₹ 2,50,000"), 250000);
  assert.equal(f.parseAmount("50k"), 50000);
  assert.equal(f.parseAmount("2.5 करोड़"), 25000000);
  assert.equal(f.parseAmount("Rs. 40 lakhs"), 4000000);
  assert.equal(f.parseAmount("about three crore"), null);
  assert.equal(f.parseAmount(null), null);
});

test("dates and times in the team's zone (Asia/Kolkata)", () => {
  assert.equal(f.TZ, "Asia/Kolkata");
  assert.equal(f.dayKey("2026-11-24T20:00:00Z"), "2026-11-25"); // 1:30 am IST the next day
  assert.equal(f.fmtTime("2026-11-24T10:30:00Z"), "4:00 pm");
  assert.equal(f.fmtDate("2026-11-24T10:30:00Z", true), "24 Nov 2026");
  assert.equal(f.addDays("2026-12-31", 1), "2027-01-01");
  assert.deepEqual(f.monthRange("2026-11-24"), ["2026-11-01", "2026-12-01"]);
  assert.deepEqual(f.monthRange("2026-01-10", -1), ["2025-12-01", "2026-01-01"]);
});

test("phones, links and scripts", () => {
  assert.equal(f.fmtPhone("+919876543210"), "+91 98765 43210");
  assert.equal(f.waLink("+91 98765 43210"), "https://wa.me/919876543210");
  assert.equal(f.telLink("+91 98765 43210"), "tel:+919876543210");
  assert.ok(f.isDevanagari("लोटस इंटीरियर्स"));
  assert.ok(!f.isDevanagari("Lotus Interiors"));
  assert.equal(f.sourceLabel("website"), "Website");
  assert.equal(f.sourceLabel("IndiaMART"), "IndiaMART");
});

test("board moves are the WhatsApp commands", () => {
  const a = c.ACTIONS;
  assert.equal(a.qualify.build("Acme", {}), "Lead qualified for Acme");
  assert.equal(a.won.build("Acme", {}), "Deal closed for Acme");
  assert.equal(a.lost.build("Acme", { reason: "price\ntoo high" }), "Acme lost - price too high");
  assert.equal(a.meeting.build("Acme", { when: "2026-12-03T16:30" }), "Schedule meeting with Acme on 3 Dec 2026 at 4:30 pm");
  assert.equal(a.demo.build("Acme", { when: "2026-12-03T00:05" }), "Schedule demo for Acme on 3 Dec 2026 at 12:05 am");
  assert.equal(a.demo_done.build("Acme", { note: "" }), "Demo done for Acme");
  assert.equal(a.demo_done.build("Acme", { note: "they liked it" }), "Demo done for Acme, they liked it");
  assert.equal(c.actionForStatus("won").id, "won");
  assert.equal(c.actionForStatus("new"), null);
});

test("Message Master text renders like the server's", () => {
  const v = { contact_name: "Rakesh", company: "Sharma Traders", assignee: "Amit" };
  assert.deepEqual(mm.renderTemplate("Hi {contact_name} of {company} — {assignee}", v), { text: "Hi Rakesh of Sharma Traders — Amit" });
  assert.deepEqual(mm.renderTemplate("Use {{braces}}", v), { text: "Use {braces}" });
  assert.match(mm.renderTemplate("Hi {client}", v).error, /Unknown placeholder \{client\}/);
  assert.match(mm.renderTemplate("Hi {company", v).error, /without its/);
  assert.match(mm.renderTemplate("Hi }", v).error, /without its/);
});
