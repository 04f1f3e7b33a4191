#!/usr/bin/env node
// Regenerates the demo's binary sample documents (the committed PDF and DOCX). Run from the repo root:
// `node examples/demo/scripts/make-samples.mjs`. Text samples (Markdown, HTML) are written by hand.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Document, HeadingLevel, Packer, Paragraph } from "docx";
import { PDFDocument, StandardFonts } from "pdf-lib";

const samples = join(import.meta.dirname, "..", "samples");

const handbook = [
  [
    "Acme Employee Handbook",
    "Welcome to Acme Corporation. This handbook explains how we work together, what you can expect from Acme and what Acme expects from you. It applies to every employee in every office, including contractors where their contract says so.",
    "Acme builds industrial anvils and rocket skates. We value safety, honesty and punctual delivery. Every new employee completes the safety induction in their first week.",
    "Questions about this handbook go to the People team at people@acme.example. The handbook is reviewed every January; changes are announced on the intranet.",
  ],
  [
    "Working hours",
    "Core hours are 10:00 to 16:00 local time. Outside core hours you may arrange your day freely with your manager, as long as your team knows when you are reachable.",
    "Overtime must be approved in advance by your manager and is compensated with time off at 1.5 hours per hour worked. Overtime on public holidays is compensated at 2 hours per hour worked.",
    "Part-time contracts follow the same core hours, reduced in proportion to the contract. Time is recorded weekly in the Acme time portal.",
  ],
  [
    "Leave policy",
    "Full-time employees receive 28 days of paid annual leave per calendar year, plus public holidays. Part-time employees receive leave in proportion to their working days.",
    "Up to 5 unused leave days may be carried over into the first quarter of the next year; days not taken by 31 March expire. Leave requests of more than ten consecutive days need four weeks' notice.",
    "Sick leave requires a doctor's note after three consecutive days. Parental leave is 20 weeks at full pay for every parent, regardless of gender.",
  ],
  [
    "Expenses and travel",
    "Travel must be booked through the Acme travel portal. Economy class is standard for flights under six hours; business class needs a director's approval.",
    "Meals during business travel are reimbursed up to 60 euros per day. Submit receipts within 30 days of the trip in the expenses app; late claims are not reimbursed.",
    "Hotels are booked up to 150 euros per night in most cities and 220 euros per night in London, Paris, New York and Tokyo.",
  ],
  [
    "Security",
    "Badges must be worn visibly at all times on Acme premises. Report lost badges to security within one hour by calling extension 4444.",
    "Laptops must use full-disk encryption and lock after five minutes of inactivity. Passwords are rotated every 90 days and must be at least 14 characters long.",
    "Never share confidential drawings of anvil designs outside Acme. Suspicious emails are reported with the Report Phish button in the mail client.",
  ],
];

async function makePdf() {
  const pdf = await PDFDocument.create();
  pdf.setTitle("Acme Employee Handbook");
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  for (const [title, ...paragraphs] of handbook) {
    const page = pdf.addPage([595, 842]);
    let y = 780;
    page.drawText(title, { x: 60, y, size: 20, font: bold });
    y -= 40;
    for (const text of paragraphs) {
      // Greedy line wrapping at ~80 characters.
      const words = text.split(" ");
      let line = "";
      for (const word of words) {
        if ((line + word).length > 80) {
          page.drawText(line.trim(), { x: 60, y, size: 11, font });
          y -= 16;
          line = "";
        }
        line += `${word} `;
      }
      page.drawText(line.trim(), { x: 60, y, size: 11, font });
      y -= 28;
    }
  }
  writeFileSync(join(samples, "acme", "employee-handbook.pdf"), await pdf.save());
}

async function makeDocx() {
  const faq = [
    [
      "What is Globex Hyperion?",
      "Hyperion is Globex's smart thermostat for offices. It learns occupancy patterns and saves up to 23 percent of heating energy.",
    ],
    [
      "What does the warranty cover?",
      "Hyperion has a three-year limited warranty covering defects in materials and workmanship. Damage from water or improper installation is not covered.",
    ],
    [
      "How do I reset the device?",
      "Hold the dial for ten seconds until the ring blinks orange. The device restarts with factory settings; schedules are restored from the cloud.",
    ],
    [
      "Which protocols are supported?",
      "Hyperion speaks Matter, Zigbee 3.0 and BACnet/IP. A REST API is available for building management systems.",
    ],
  ];
  const doc = new Document({
    title: "Globex Hyperion FAQ",
    sections: [
      {
        children: [
          new Paragraph({ text: "Globex Hyperion FAQ", heading: HeadingLevel.TITLE }),
          ...faq.flatMap(([q, a]) => [
            new Paragraph({ text: q, heading: HeadingLevel.HEADING_1 }),
            new Paragraph({ text: a }),
          ]),
        ],
      },
    ],
  });
  writeFileSync(join(samples, "globex", "hyperion-faq.docx"), await Packer.toBuffer(doc));
}

await makePdf();
await makeDocx();
console.log("samples written");
