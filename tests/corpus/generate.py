"""Write the labelled synthetic corpus: `python tests/corpus/generate.py [--out DIR] [--seed N]`.

Everything is fictional: names from Faker (several locales), identifiers made
valid with python-stdnum. Labels follow ../shared/samples/README.md: one JSON
line per message with has_pii, category and every PII value with where it is.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import unicodedata
import zipfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import docx
import openpyxl
from faker import Faker
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from stdnum.gb import nhs, upn

DOMAIN = "halton.gov.uk"
TOWNS = [("Runcorn", "WA7"), ("Widnes", "WA8"), ("Warrington", "WA1"), ("Frodsham", "WA6"), ("Liverpool", "L24")]
STREETS = ["Road", "Lane", "Street", "Close", "Avenue", "Drive", "Way", "Crescent", "Grove", "Court", "Gardens", "Terrace"]
WELSH_FIRST = ["Dafydd", "Cerys", "Bethan", "Llinos", "Emyr", "Angharad", "Eleri", "Gethin", "Ffion", "Iwan"]
WELSH_LAST = ["Pritchard", "Llewellyn", "Griffiths", "Price", "Prosser", "Vaughan", "Bowen", "Powell"]
LOCALES = ["en_GB"] * 5 + ["en_IE", "ga_IE", "pl_PL", "yo_NG", "tw_GH", "en_PK", "ro_RO"]
ROLES = ["Social Worker", "Team Manager", "Family Support Worker", "Senior Practitioner", "Business Support Officer"]
PRO_ROLES = [("Health Visitor", "nhs.net"), ("School Nurse", "nhs.net"), ("DSL", "school.sch.uk"), ("Cheshire Police", "cheshire.police.uk")]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


@dataclass
class Msg:
    category: str
    has_pii: bool
    subject: str = ""
    body: str = ""
    html: bool = False
    pii: list[dict[str, str]] = field(default_factory=list)
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    notes: str = "-"


class Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.fakers = {loc: Faker(loc) for loc in sorted(set(LOCALES))}
        for i, f in enumerate(self.fakers.values()):
            f.seed_instance(seed + i)
        self.gb = self.fakers["en_GB"]
        self.staff = [self._staff() for _ in range(40)]

    # -- people and identifiers --------------------------------------------
    def first_last(self) -> tuple[str, str]:
        if self.r.random() < 0.08:
            return self.r.choice(WELSH_FIRST), self.r.choice(WELSH_LAST)
        f = self.fakers[self.r.choice(LOCALES)]
        first, last = f.first_name(), f.last_name()
        if not first.replace("-", "").replace("'", "").isalpha() or not last.replace("-", "").replace("'", "").replace(" ", "").isalpha():
            return self.gb.first_name(), self.gb.last_name()
        return first, last

    def _staff(self) -> dict[str, str]:
        first, last = self.first_last()
        # Mailbox names are ASCII even when the person's name is not (Michał -> michal).
        local = unicodedata.normalize("NFKD", f"{first}.{last}".lower()).encode("ascii", "ignore").decode()
        local = local.replace(" ", "").replace("'", "")
        return {"first": first, "last": last, "email": f"{local}@{DOMAIN}", "role": self.r.choice(ROLES),
                "tel": f"0151 {self.r.choice(['511', '907', '471'])} {self.r.randint(1000, 9999)}",
                "mobile": f"07{self.r.randint(700, 899)} {self.r.randint(100000, 999999)}"}

    def styled(self, first: str, last: str) -> str:
        style = self.r.random()
        if style < 0.12:
            return f"{first} {last}".lower()
        if style < 0.22:
            return f"{first} {last}".upper()
        if style < 0.3:
            return f"{first} {last.upper()}"
        return f"{first} {last}"

    def nhs_number(self) -> str:
        while True:
            base = str(self.r.randint(400000000, 799999999))
            for check in "0123456789":
                if nhs.is_valid(base + check):
                    d = base + check
                    return self.r.choice([f"{d[:3]} {d[3:6]} {d[6:]}", d, f"{d[:3]}-{d[3:6]}-{d[6:]}", f"{d[:3]} {d[3:7]} {d[7:]}"])

    def valid_nhs_plain(self) -> str:
        while True:
            d = str(self.r.randint(1000000000, 9999999999))
            if nhs.is_valid(d):
                return d

    def invalid_ten_digits(self) -> str:
        while True:
            d = str(self.r.randint(1000000000, 9999999999))
            if not nhs.is_valid(d):
                return d

    def nino(self) -> str:
        first = self.r.choice("ABCEGHJKLMNPRSTWXYZ")
        second = self.r.choice("ABCEGHJKLMNPRSTWXYZ")
        if first + second in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
            return self.nino()
        d = f"{self.r.randint(0, 999999):06d}"
        return self.r.choice([f"{first}{second}{d}{self.r.choice('ABCD')}", f"{first}{second} {d[:2]} {d[2:4]} {d[4:]} {self.r.choice('ABCD')}"])

    def upn(self) -> str:
        digits = f"{self.r.randint(0, 10**12 - 1):012d}"
        for letter in "ABCDEFGHJKLMNPQRTUVWXYZ":
            if upn.is_valid(letter + digits):
                return letter + digits
        return self.upn()

    def postcode(self, area: str) -> str:
        pc = f"{area} {self.r.randint(1, 9)}{self.r.choice('ABDEFGHJLNPQRSTUWXYZ')}{self.r.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        return pc.replace(" ", "") if self.r.random() < 0.1 else pc

    def address(self) -> tuple[str, str, str]:
        town, area = self.r.choice(TOWNS)
        num = str(self.r.randint(1, 220)) + (self.r.choice(["a", "b"]) if self.r.random() < 0.1 else "")
        street = f"{num} {self.gb.last_name()} {self.r.choice(STREETS)}"
        return street, town, self.postcode(area)

    def mobile(self) -> str:
        d = f"07{self.r.randint(400, 599)}{self.r.randint(100000, 999999)}"
        return self.r.choice([f"{d[:5]} {d[5:]}", f"{d[:5]} {d[5:8]} {d[8:]}", f"({d[:5]}) {d[5:]}", d])

    def date(self, start_year: int, end_year: int) -> dt.date:
        return dt.date(self.r.randint(start_year, end_year), self.r.randint(1, 12), self.r.randint(1, 28))

    def dob_text(self, d: dt.date) -> str:
        return self.r.choice([
            d.strftime("%d/%m/%Y"), d.strftime("%d.%m.%Y"), d.strftime("%d/%m/%y"), d.isoformat(),
            f"{d.day} {MONTHS[d.month - 1]} {d.year}", f"{d.day}{'th' if d.day > 3 else ['st', 'nd', 'rd'][d.day - 1]} {MONTHS[d.month - 1]} {d.year}",
        ])

    def case_ref(self) -> tuple[str, str]:
        n = str(self.r.randint(100000, 9999999))
        form = self.r.choice(["LCS-{n}", "LCS ID {n}", "Child ID {n}", "LCS {n}"])
        text = form.format(n=n)
        value = text if text.startswith("LCS-") else n
        return text, value

    def signature(self, s: dict[str, str]) -> str:
        lines = [self.r.choice(["Kind regards,", "Many thanks,", "Best wishes,", "Regards,", "Thanks,"]), "", f"{s['first']} {s['last']}", s["role"]]
        if self.r.random() < 0.7:
            lines += ["Children's Services | Halton Borough Council", "Rutland House, Halton Lea, Runcorn, WA7 2GW"]
        lines.append(f"Tel: {s['tel']}" + (f" | Mobile: {s['mobile']}" if self.r.random() < 0.5 else ""))
        if self.r.random() < 0.5:
            lines.append(f"Email: {s['email']}")
        return "\n".join(lines)

    def professional(self) -> tuple[str, str, str]:
        first, last = self.first_last()
        role, domain = self.r.choice(PRO_ROLES)
        local = unicodedata.normalize("NFKD", f"{first}.{last}".lower()).encode("ascii", "ignore").decode().replace(" ", "").replace("'", "")
        return f"{first} {last}", role, f"{local}@{domain}"


# -- PII-bearing messages -----------------------------------------------------

def pii_message(g: Gen, kind: str) -> Msg:
    r = g.r
    cf, cl = g.first_last()
    child = g.styled(cf, cl)
    mf = g.first_last()[0]
    mother = g.styled(mf, cl)
    dob = g.dob_text(g.date(2008, 2024))
    street, town, pc = g.address()
    m = Msg(category=kind, has_pii=True)
    add = lambda t, v, w="body": m.pii.append({"type": t, "value": v, "where": w})  # noqa: E731

    if kind == "referral":
        pro, role, _ = g.professional()
        phone = g.mobile()
        opener = r.choice(["Referral received from", "Contact in from", "We have had a referral from"])
        m.subject = r.choice([f"Referral - {child}", "New referral", f"iCART contact re {child}"])
        if child in m.subject:
            add("PERSON", child, "subject")
        kin = r.choice(["mum", "Mum", "mother"])
        m.body = (f"{opener} {pro} ({role}) regarding {child} (DOB {dob}).\n\n"
                  f"{child.split()[0]} lives with {kin} {mother} at {street}, {town} {pc}.\n\n"
                  f"{r.choice(['Mum', 'Mum', 'Her mum'])}'s mobile is {phone}. Concerns are around neglect and missed health appointments.\n")
        for t, v in [("PERSON", child), ("DATE_OF_BIRTH", dob), ("PERSON", mother), ("ADDRESS", street), ("UK_POSTCODE", pc), ("PHONE", phone), ("PERSON", child.split()[0])]:
            add(t, v)
    elif kind == "s47":
        ff, fl = g.first_last()
        father = g.styled(ff, fl)
        fdob = g.dob_text(g.date(1975, 2000))
        m.subject = r.choice([f"S47 - {child} - outcome", f"Strategy discussion - {cl} family", "Section 47 update"])
        if child in m.subject:
            add("PERSON", child, "subject")
        elif cl in m.subject:
            add("PERSON", cl, "subject")
        m.body = (f"Strategy discussion held today. Agreed threshold met for a Section 47 enquiry in respect of {child}, {dob}.\n\n"
                  f"Joint visit completed to {street}, {town} {pc}. Mum {mother} was cooperative. "
                  f"{father} (DOB {fdob}) was not present and has agreed to stay away from the home.\n\n"
                  f"ICPC to be requested within 15 working days.\n")
        for t, v in [("PERSON", child), ("DATE_OF_BIRTH", dob), ("ADDRESS", street), ("UK_POSTCODE", pc), ("PERSON", mother), ("PERSON", father), ("DATE_OF_BIRTH", fdob)]:
            add(t, v)
    elif kind == "placement":
        c1f, c1l = g.first_last()
        c2f = g.first_last()[0]
        carer1, carer2 = f"{c1f} {c1l}", f"{c2f} {c1l}"
        ref_text, ref = g.case_ref()
        number = g.nhs_number()
        phone = g.mobile()
        m.subject = f"Placement move - {child}"
        add("PERSON", child, "subject")
        m.body = (f"Just to let you know that {child} ({ref_text}) moved to foster carers {carer1} and {carer2} on Friday.\n"
                  f"The placement address is {street}, {town}, {pc}.\n\nCarers' contact number: {phone}.\n"
                  f"Health: initial health assessment requested, NHS no. {number}.\n")
        for t, v in [("PERSON", child), ("CASE_REFERENCE", ref), ("PERSON", carer1), ("PERSON", carer2), ("ADDRESS", street), ("UK_POSTCODE", pc), ("PHONE", phone), ("NHS_NUMBER", number)]:
            add(t, v)
    elif kind == "health":
        number = g.nhs_number()
        mnum = g.nhs_number()
        phone = g.mobile()
        m.subject = f"Baby {child} - joint visit"
        add("PERSON", child, "subject")
        m.body = (f"Summary of our discussion about {child} ({dob}, NHS {number}):\n\n"
                  f"* Mum {mother}, NHS {mnum}, mobile {phone}\n* Address: {street}, {town}, {pc}\n* Safe sleep advice given again\n")
        for t, v in [("PERSON", child), ("DATE_OF_BIRTH", dob), ("NHS_NUMBER", number), ("PERSON", mother), ("NHS_NUMBER", mnum), ("PHONE", phone), ("ADDRESS", street), ("UK_POSTCODE", pc)]:
            add(t, v)
    elif kind == "school":
        pupil = g.upn()
        m.subject = "Attendance concern"
        m.body = (f"Pupil {child} (UPN {pupil}, DOB {dob}) has attendance of 71% this term.\n"
                  f"{r.choice(['Dad', 'Mum', 'Nan'])} {mother} has not responded to letters. The school DSL would like a Child in Need review.\n")
        for t, v in [("PERSON", child), ("UPN", pupil), ("DATE_OF_BIRTH", dob), ("PERSON", mother)]:
            add(t, v)
    elif kind == "payments":
        sort = f"{r.randint(10, 99)}-{r.randint(10, 99)}-{r.randint(10, 99)}"
        acc = f"{r.randint(10000000, 99999999)}"
        bank = f"{sort} {acc}"
        caps = f"{cl.upper()}, {cf}"
        m.subject = f"Direct payments set-up - {caps}"
        add("PERSON", caps, "subject")
        m.body = (f"Direct payments have been agreed at panel for {child} (DOB {dob}).\n\n"
                  f"Payments to be made to her mum, {mother}. Bank details: {bank}.\n")
        for t, v in [("PERSON", child), ("DATE_OF_BIRTH", dob), ("PERSON", mother), ("BANK_ACCOUNT", bank)]:
            add(t, v)
    elif kind == "subject-only":
        ref_text, ref = g.case_ref()
        caps = f"{cl.upper()}, {cf}"
        m.subject = f"FW: {caps} - {ref_text}"
        add("PERSON", caps, "subject")
        add("CASE_REFERENCE", ref, "subject")
        m.body = "Can we have 10 mins about this one later?\n"
    elif kind == "reply-chain":
        pro, role, pro_email = g.professional()
        phone = g.mobile()
        quoted = (f"Hello,\n\nI'm following up my call about {child} (DOB {dob}). "
                  f"Mum is {mother}, mobile {phone}; they live at {street}, {town}, {pc}.\n\nMany thanks,\n{pro}\n{role}\n")
        m.subject = "RE: FW: Call earlier"
        m.body = ("Ok, leave with me.\n\nThanks,\n\n________________________________\n"
                  f"On Mon, 12 Aug 2024 at 11:12, {pro} <{pro_email}> wrote:\n" + "".join(f"> {line}\n" for line in quoted.splitlines()))
        for t, v in [("PERSON", child), ("DATE_OF_BIRTH", dob), ("PERSON", mother), ("PHONE", phone), ("ADDRESS", street), ("UK_POSTCODE", pc)]:
            add(t, v)
    elif kind == "visit-prose":
        sib = g.styled(g.first_last()[0], cl)
        m.subject = r.choice(["Home visit today", "Visit notes", "Welfare check"])
        m.body = (f"I visited {child} and {r.choice(['his', 'her'])} {r.choice(['sister', 'brother'])} {sib} at home this afternoon. "
                  f"{child.split()[0]} told me that things have been difficult since the last review and showed me a bruise on {r.choice(['his', 'her'])} arm.\n\n"
                  f"I will discuss with my manager whether this needs a strategy discussion.\n")
        for t, v in [("PERSON", child), ("PERSON", sib), ("PERSON", child.split()[0])]:
            add(t, v)
    elif kind == "html-table":
        number = g.nhs_number()
        m.html = True
        m.subject = "Core group attendance"
        m.body = (f"Core group held today for the children below.\n\nName: {child}\nDate of birth: {dob}\nNHS: {number}\n"
                  f"Parent: {mother}\nAddress: Flat {r.randint(1, 30)}, {street}, {town}\n")
        for t, v in [("PERSON", child), ("DATE_OF_BIRTH", dob), ("NHS_NUMBER", number), ("PERSON", mother), ("ADDRESS", street)]:
            add(t, v)
    elif kind == "forwarded":
        pro, role, pro_email = g.professional()
        inner = EmailMessage()
        inner["From"] = f"{pro} <{pro_email}>"
        inner["To"] = "duty@halton.gov.uk"
        inner["Subject"] = "Concern"
        phone = "+44 " + g.mobile().replace("(", "").replace(")", "").lstrip("0")
        inner.set_content(f"Good morning,\n\nI am worried about {child}, DOB {dob}. Mum {mother} can be reached on {phone}.\n\nKind regards,\n{pro}\n{role}\n")
        m.subject = "FW: Concern"
        m.body = "Forwarding for the duty worker - please log as a contact.\n"
        m.attachments.append(("forwarded.eml", inner.as_bytes(), "message/rfc822"))
        for t, v in [("PERSON", child), ("DATE_OF_BIRTH", dob), ("PERSON", mother), ("PHONE", phone)]:
            add(t, v, "attachment:forwarded.eml")
    elif kind in ("docx-assessment", "pdf-report", "xlsx-list", "csv-zip"):
        m.subject = r.choice(["As discussed", "Documents attached", "For the meeting", "See attached"])
        m.body = "See attached, thanks.\n"
        if kind == "docx-assessment":
            name = "Assessment.docx"
            ref_text, ref = g.case_ref()
            doc = docx.Document()
            doc.add_heading("Child and Family Assessment", 1)
            doc.add_paragraph(f"Mum {mother} has not responded to three attendance letters.")
            table = doc.add_table(rows=0, cols=2)
            for k, v in [("Child", child), ("DOB", dob), ("LCS ID", ref), ("Address", f"{street}, {town}, {pc}")]:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = k, v
            buf = io.BytesIO()
            doc.save(buf)
            m.attachments.append((name, buf.getvalue(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
            for t, v in [("PERSON", mother), ("PERSON", child), ("DATE_OF_BIRTH", dob), ("CASE_REFERENCE", ref), ("ADDRESS", street), ("UK_POSTCODE", pc)]:
                add(t, v, f"attachment:{name}")
        elif kind == "pdf-report":
            name = "Conference minutes.pdf"
            # The PDF's standard fonts are Latin-1: keep the names in it drawable.
            while not (child + mother).isascii():
                cf, cl = g.first_last()
                child, mother = g.styled(cf, cl), g.styled(g.first_last()[0], cl)
            ni = g.nino()
            buf = io.BytesIO()
            c = canvas.Canvas(buf, pagesize=A4)
            lines = ["Initial Child Protection Conference", f"Child: {child}", f"Date of birth: {dob}", f"Father: {mother}", f"NI number: {ni}", "Decision: child protection plan under neglect."]
            for i, line in enumerate(lines):
                c.drawString(72, 780 - 18 * i, line)
            c.save()
            m.attachments.append((name, buf.getvalue(), "application/pdf"))
            for t, v in [("PERSON", child), ("DATE_OF_BIRTH", dob), ("PERSON", mother), ("NI_NUMBER", ni)]:
                add(t, v, f"attachment:{name}")
        else:
            rows = [["Name", "DOB", "NHS Number", "Postcode", "Allocated worker"]]
            for _ in range(r.randint(2, 5)):
                f2, l2 = g.first_last()
                s = r.choice(g.staff)
                d2 = g.date(2008, 2024).strftime("%d/%m/%Y")
                n2 = g.valid_nhs_plain()
                p2 = g.postcode(r.choice(TOWNS)[1])
                rows.append([f"{f2} {l2}", d2, n2, p2, f"{s['first']} {s['last']}"])
            if kind == "xlsx-list":
                name = "LAC list.xlsx"
                wb = openpyxl.Workbook()
                ws = wb.active
                for row in rows:
                    ws.append(row)
                buf = io.BytesIO()
                wb.save(buf)
                m.attachments.append((name, buf.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
                where = f"attachment:{name}"
            else:
                inner = io.StringIO()
                csv.writer(inner).writerows(rows)
                buf = io.BytesIO()
                with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                    z.writestr("children.csv", inner.getvalue())
                name = "export.zip"
                m.attachments.append((name, buf.getvalue(), "application/zip"))
                where = f"attachment:{name}/children.csv"
            for row in rows[1:]:
                for t, v in zip(["PERSON", "DATE_OF_BIRTH", "NHS_NUMBER", "UK_POSTCODE"], row[:4], strict=True):
                    add(t, v, where)
    return m


# -- benign messages ------------------------------------------------------------

def benign_message(g: Gen, kind: str) -> Msg:
    r = g.r
    s = r.choice(g.staff)
    m = Msg(category=kind, has_pii=False)
    if kind == "meeting":
        room = f"Room {r.randint(1, 3)}.{r.randint(10, 40)}"
        place = r.choice(["Municipal Building, Kingsway, Widnes, WA8 7QF", "Runcorn Town Hall, Heath Road, Runcorn, WA7 5TD", "Castlefields Family Hub, Chester Close, Runcorn, WA7 2HY"])
        m.subject = r.choice(["Team meeting", "Room booking confirmed", "Core group training"])
        m.body = f"Hi everyone,\n\n{room} at {place} is booked for Wednesday 24th September, 2pm-4pm.\n\nPlease bring your laptops.\n"
    elif kind == "policy":
        m.subject = r.choice(["Section 47 practice guidance", "Reminder: safeguarding procedures", "LADO referrals"])
        m.body = (f"Morning all,\n\nA reminder that any Section 47 enquiry must start with a strategy discussion, and that child protection "
                  f"conferences must be held within 15 working days. Looked after children reviews follow the IRO timetable.\n\n"
                  f"Questions to {s['first']} {s['last']} please.\n")
    elif kind == "statistics":
        m.subject = "Q2 performance headlines"
        m.body = (f"Headlines:\n\n{r.randint(100, 300)} Section 47 enquiries in Q2\n{r.randint(150, 300)} children in care (rate {r.randint(80, 120)}.{r.randint(0, 9)} per 10,000)\n"
                  f"{r.randint(100, 250)} children subject to a child protection plan\nre-referrals within 12 months: {r.randint(10, 25)}.{r.randint(0, 9)}%\n")
    elif kind == "finance":
        po = g.valid_nhs_plain() if r.random() < 0.5 else g.invalid_ten_digits()
        inv = g.valid_nhs_plain() if r.random() < 0.5 else g.invalid_ten_digits()
        m.subject = f"PO {po} raised"
        m.body = f"PO {po} has been raised for Safe Hands Transport Ltd.\n\nValue £{r.randint(1000, 9999)}. Invoice number {inv} is now paid. Order reference {g.invalid_ten_digits()}.\n"
    elif kind == "newsletter":
        cllr = " ".join(g.first_last())
        m.subject = "Children's Services newsletter"
        m.body = (f"Cllr {cllr} opened the new family hub at Castlefields this week. Councillor {cllr} said the hub will support early help for families.\n\n"
                  f"Our fostering recruitment campaign continues - please share.\n")
    elif kind == "it-notice":
        m.subject = "ICT Notice: planned outage"
        m.html = True
        m.body = f"Dear colleague,\n\nLiquidlogic will be unavailable on Saturday from 8am to 12pm. Reference INC{r.randint(1000000, 9999999)}.\n"
    elif kind == "hr":
        other = r.choice(g.staff)
        m.subject = f"Payroll query - employee {r.randint(100000, 999999)}"
        m.body = f"Hello,\n\n{other['first']} {other['last']}'s mileage claim was rejected because the cost centre was missing.\n\nEmployee number {r.randint(100000, 999999)}, position number {r.randint(10000, 99999)}.\n"
    elif kind == "contacts":
        m.subject = "Out of hours contacts"
        m.body = ("Useful numbers for duty this week:\n\n* Health Visiting hub: 0151 495 5700\n* National Domestic Abuse Helpline: 0808 2000 247\n"
                  "* Emergency Duty Team (out of hours): 0345 050 0148\n\nWidnes Police Station, Kingsway, Widnes, WA8 7QB.\n")
    elif kind == "initials":
        m.subject = "Supervision"
        m.body = f"Can we talk about child {r.choice('ABCDEFGHJKLMNPRST')}.{r.choice('ABCDEFGHJKLMNPRST')}. in supervision? The strategy discussion agreed to step down to Early Help.\n"
    elif kind == "staff-thread":
        a, b = r.sample(g.staff, 2)
        m.subject = "RE: Office move"
        m.body = (f"Perfect, thanks.\n\nRegards,\n{s['first']}\n\n________________________________\nFrom: {a['first']} {a['last']} <{a['email']}>\n"
                  f"Sent: 27 September 2024 07:44\nTo: {s['first']} {s['last']}\nSubject: Office move\n\nI can take 2 people.\n\n{g.signature(a)}\n\n"
                  f"________________________________\nFrom: {b['first']} {b['last']} <{b['email']}>\nSent: 26 September 2024 13:44\nSubject: Office move\n\n"
                  f"Can anyone swap duty with me on Friday? I'm in court.\n\n{g.signature(b)}\n")
    elif kind == "birthday":
        other = r.choice(g.staff)
        m.subject = "Cake in the kitchen!"
        m.html = True
        m.body = f"Morning all,\n\nIt's {other['first']}'s birthday on {r.randint(1, 28)}th April - cake in the kitchen at 11.\n"
    elif kind == "rota":
        rows = [["Name", "Email", "Duty day"]] + [[f"{x['first']} {x['last']}", x["email"], r.choice(["Mon", "Tue", "Wed", "Thu", "Fri"])] for x in r.sample(g.staff, 6)]
        inner = io.StringIO()
        csv.writer(inner).writerows(rows)
        m.subject = "Duty rota"
        m.body = "Rota attached.\n"
        m.attachments.append(("rota.csv", inner.getvalue().encode(), "text/csv"))
    elif kind == "budget":
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["Cost centre", "Budget", "Forecast"])
        for _ in range(6):
            ws.append([f"CC{r.randint(10000, 99999)}", r.randint(10000, 900000), r.randint(10000, 900000)])
        buf = io.BytesIO()
        wb.save(buf)
        m.subject = "Month end figures"
        m.body = "Attached is the month 5 forecast. The overspend on residential placements is now £4.2m.\n"
        m.attachments.append(("budget.xlsx", buf.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    elif kind == "training-external":
        trainer = " ".join(g.first_last())
        m.subject = "Training: Graded Care Profile 2"
        m.body = (f"Hi all,\n\nPlaces are available on neglect and safeguarding training delivered by {trainer} from the NSPCC.\n\n"
                  f"Session: {r.randint(1, 28)}/0{r.randint(1, 9)}/2025, 10am-1pm, Castlefields Family Hub, Chester Close, Runcorn, WA7 2HY.\n")
    elif kind == "vacancy":
        m.subject = "Vacancy: Senior Social Worker"
        m.body = (f"We are recruiting a Senior Social Worker in the Children in Care team. Closing date {r.randint(1, 28)}/11/2025.\n\n"
                  f"For an informal chat call the recruitment line on 0151 511 {r.randint(1000, 9999)} or email recruitment@halton.gov.uk.\n")
    elif kind == "research":
        author = " ".join(g.first_last())
        m.subject = "Reading for practice week"
        m.body = (f"Recommended reading for practice week: the Munro review of child protection and a new paper by Professor {author} on "
                  f"contact arrangements for looked after children. Data as at 31/03/2024.\n")
    elif kind == "invite":
        others = r.sample(g.staff, 3)
        m.subject = "Invitation: Team development day"
        m.body = (f"When: Thursday {r.randint(1, 28)} May 2025 09:30-15:00\nWhere: Runcorn Town Hall, Heath Road, Runcorn WA7 5TD\n"
                  f"Attendees: {', '.join(o['first'] + ' ' + o['last'] for o in others)}\n\nPlease bring ideas about reducing re-referrals.\n")
    if not kind == "staff-thread":
        m.body += "\n" + g.signature(s) + "\n"
    m.sender = s  # type: ignore[attr-defined]
    return m


PII_KINDS = ["referral", "s47", "placement", "health", "school", "payments", "subject-only", "reply-chain", "docx-assessment",
             "pdf-report", "xlsx-list", "csv-zip", "visit-prose", "html-table", "forwarded"]
BENIGN_KINDS = ["meeting", "policy", "statistics", "finance", "newsletter", "it-notice", "hr", "contacts", "initials",
                "staff-thread", "birthday", "rota", "budget", "training-external", "vacancy", "research", "invite"]


def to_email(g: Gen, m: Msg, index: int) -> bytes:
    r = g.r
    sender = getattr(m, "sender", None) or r.choice(g.staff)
    recipients = r.sample(g.staff, r.randint(1, 3))
    msg = EmailMessage()
    msg["From"] = f"{sender['first']} {sender['last']} <{sender['email']}>" if r.random() < 0.6 else f'"{sender["last"]}, {sender["first"]}" <{sender["email"]}>'
    msg["To"] = ", ".join(f"{x['first']} {x['last']} <{x['email']}>" for x in recipients)
    msg["Subject"] = m.subject
    msg["Date"] = format_datetime(dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC) + dt.timedelta(hours=index * 7))
    msg["Message-ID"] = f"<corpus.{index:04d}@mail.halton.gov.uk>"
    charset = r.choice(["utf-8", "utf-8", "iso-8859-1"]) if all(ord(c) < 256 for c in m.body) else "utf-8"
    cte = r.choice(["quoted-printable", "base64", "8bit"])
    if m.html:
        html = "<html><body>" + "".join(f"<p>{line or '&nbsp;'}</p>" for line in m.body.splitlines()) + "</body></html>"
        msg.set_content(html, subtype="html", charset=charset, cte=cte)
    else:
        msg.set_content(m.body, charset=charset, cte=cte)
        if r.random() < 0.4:
            html = "<html><body>" + "".join(f"<p>{line or '&nbsp;'}</p>" for line in m.body.splitlines()) + "</body></html>"
            msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    for name, data, ctype in m.attachments:
        main, sub = ctype.split("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return msg.as_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    here = Path(__file__).parent
    parser.add_argument("--out", default=str(here / "messages"))
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--per-kind", type=int, default=30)
    args = parser.parse_args()
    g = Gen(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    labels = []
    index = 0
    for kinds, make in ((PII_KINDS, pii_message), (BENIGN_KINDS, benign_message)):
        for kind in kinds:
            for _ in range(args.per_kind):
                index += 1
                m = make(g, kind)
                name = f"c{index:04d}.eml"
                (out / name).write_bytes(to_email(g, m, index))
                labels.append({"file": name, "has_pii": m.has_pii, "pii": m.pii, "category": m.category, "notes": m.notes})
    with open(out / "labels.jsonl", "w", encoding="utf-8") as fh:
        for label in labels:
            fh.write(json.dumps(label, ensure_ascii=False) + "\n")
    (out / "staff.txt").write_text("".join(f"{s['first']} {s['last']}\n" for s in g.staff), encoding="utf-8")
    print(f"wrote {index} messages to {out}")


if __name__ == "__main__":
    main()
