"""`dlp-gateway quarantine ...` and `dlp-gateway audit ...`: thin front end over gateway.review."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys

from gateway.alerts import escalate_overdue, send_digest
from gateway.config import load_config
from gateway.crypto import KeyError_
from gateway.review import Filters, Review, ReviewError, open_store, summary


def _date(value: str | None, flag: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(0), dt.UTC)
    except ValueError as exc:
        raise ReviewError(f"{flag} must be a date like 2026-11-25") from exc


def run_quarantine(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    try:
        review = Review(config)
        return _dispatch(review, args)
    except (ReviewError, KeyError_) as exc:
        print(f"dlp-gateway: {exc}", file=sys.stderr)
        return 1


def _dispatch(review: Review, args: argparse.Namespace) -> int:
    action = args.action
    if action == "list":
        rows = review.search(Filters(args.status, args.risk, args.sender, args.domain, args.finding_type,
                                   _date(args.since, "--since"), _date(args.until, "--until")))
        items = [summary(r, review.needs_second_approver(r)) for r in rows]
        if args.json:
            print(json.dumps(items, indent=None))
        else:
            print(f"{'ID':<15} {'STATUS':<18} {'RISK':<7} {'URGENT':<6} {'RECEIVED':<17} {'SENDER':<32} TYPES")
            for item in items:
                print(f"{item['id']:<15} {item['status']:<18} {item['risk']:<7} {'yes' if item['urgent'] else '':<6} "
                      f"{item['received_at'][:16]:<17} {item['sender'][:32]:<32} {','.join(item['finding_types'])}")
            print(f"{len(items)} message(s)")
        return 0
    if action == "show":
        if args.reveal and not args.reason:
            raise ReviewError("--reveal needs --reason TEXT: every reveal is written to the audit log")
        data = review.show(args.id, reveal_reason=args.reason if args.reveal else None, actor=args.actor)
        if args.json:
            print(json.dumps(data, ensure_ascii=False))
        else:
            print(f"{data['id']}  {data['status']}  risk {data['risk']}{'  URGENT' if data['urgent'] else ''}"
                  f"{'  (needs a second approver)' if data['four_eyes'] else ''}")
            print(f"From: {data['sender']}\nSubject: {data['subject']}\nReceived: {data['received_at']}")
            for h in data["held_recipients"]:
                print(f"Held for: {h['address']} ({h['transport']}, {h['action']}, rule {h['rule']})")
            if data["release_request"]:
                r = data["release_request"]
                print(f"Release requested by {r['requested_by']}: {r['reason']} (basis: {r['basis']}, via {r['via']})")
            print("Findings:")
            for f in data["findings"]:
                print(f"  {f['type']:<15} [{f['where']}] {f['context']}")
        return 0
    if action == "release":
        print(review.release(args.id, args.reason, actor=args.actor, basis=args.basis, via=args.via))
        return 0
    if action == "approve":
        print(review.approve(args.id, args.reason, actor=args.actor))
        return 0
    if action == "reject":
        print(review.reject(args.id, args.reason, actor=args.actor))
        return 0
    if action == "purge":
        print(f"purged {review.purge(actor=args.actor)} message(s); their audit entries are kept")
        return 0
    if action == "escalate":
        review.identify(args.actor)
        done = asyncio.run(escalate_overdue(review.store, review.next_hop, review.config))
        print(f"escalated {len(done)} urgent hold(s): {' '.join(done)}")
        return 0
    if action == "digest":
        review.identify(args.actor)
        print(f"digest sent: {asyncio.run(send_digest(review.store, review.next_hop, review.config))} waiting")
        return 0
    if action == "rekey":
        print(f"re-encrypted {review.rekey(actor=args.actor)} message(s)")
        return 0
    raise ReviewError(f"unknown action {action}")


def run_audit(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    store = open_store(config)
    if args.action == "verify":
        problems = store.verify_audit()
        count = len(store.audit_entries())
        if problems:
            for p in problems:
                print(f"entry {p.seq}: {p.problem}", file=sys.stderr)
            print(f"audit log BROKEN: {len(problems)} problem(s) in {count} entries", file=sys.stderr)
            return 1
        print(f"audit log OK: {count} entries, hash chain intact")
        return 0
    sys.stdout.write(store.audit_csv())
    return 0
