"""The console's routes. Every page needs a login (except the sender's signed link),
every form carries a CSRF token, every decision goes through gateway.review."""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import secrets
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from gateway.config import Config
from gateway.console.accounts import AccountError, add_user, authenticate, disable_user, list_users
from gateway.console.charts import bar_chart
from gateway.console.links import LinkError, SenderLinks
from gateway.review import Filters, Review, ReviewError, summary
from gateway.store import FalsePositiveReport, HeldMessage, as_utc

HERE = Path(__file__).parent
PAGE_SIZE = 25
MAX_LOGIN_FAILURES_PER_CLIENT = 20
LOGIN_WINDOW_SECONDS = 600
CAN = {
    "view": {"reviewer", "approver", "auditor", "admin"},
    "decide": {"reviewer"},
    "approve": {"approver"},
    "audit": {"auditor", "admin", "reviewer", "approver"},
    "users": {"admin"},
}


class Forbidden(Exception):
    pass


def console_secret(config: Config) -> str:
    c = config.console
    if c.secret_key_file:
        return Path(c.secret_key_file).read_text().strip()
    if c.secret_env and os.environ.get(c.secret_env):
        return os.environ[c.secret_env]
    return secrets.token_hex(32)


def create_app(config: Config, review: Review | None = None, secret: str | None = None) -> Starlette:
    review = review or Review(config)
    secret = secret or console_secret(config)
    links = SenderLinks(secret, config.console.link_max_age_hours * 3600)
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(default=True))
    secure_cookies = config.console.public_url.startswith("https://")

    def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.update(user=request.session.get("user"), roles=request.session.get("roles", []), csrf=_csrf(request),
                       can=lambda what: _allowed(request, what))
        return HTMLResponse(env.get_template(template).render(**context), status_code=status)

    def current_user(request: Request, what: str) -> str:
        header = config.console.trust_proxy_user_header
        if header and request.headers.get(header) and not request.session.get("user"):
            name = request.headers[header]
            user = next((u for u in list_users(review.store) if u.name == name and not u.disabled), None)
            if user:
                request.session.update(user=user.name, roles=user.roles.split(","))
        if not request.session.get("user"):
            raise PermissionError
        if not _allowed(request, what):
            raise Forbidden
        return str(request.session["user"])

    async def form(request: Request) -> dict[str, str]:
        data = await request.form()
        token = data.get("csrf")
        if not isinstance(token, str) or not secrets.compare_digest(token, request.session.get("csrf", "")):
            raise Forbidden
        return {k: v for k, v in data.items() if isinstance(v, str)}

    # -- login ---------------------------------------------------------------------
    failures_by_client: dict[str, list[float]] = {}

    async def login(request: Request) -> Response:
        if request.method == "GET":
            return render(request, "login.html")
        data = await form(request)
        # Rate limit per client address too, so guessing across many account names is slowed.
        client = request.client.host if request.client else "?"
        now = time.monotonic()
        recent = [t for t in failures_by_client.get(client, []) if now - t < LOGIN_WINDOW_SECONDS]
        failures_by_client[client] = recent
        if len(recent) >= MAX_LOGIN_FAILURES_PER_CLIENT:
            return render(request, "login.html", status=429, error="too many failed logins from this address: wait a few minutes")
        try:
            user = await run_in_threadpool(authenticate, review.store, data.get("name", ""), data.get("password", ""))
        except AccountError as exc:
            recent.append(now)
            review.store.audit(data.get("name", "")[:100] or "?", "login-failed", None, {})
            return render(request, "login.html", status=401, error=str(exc))
        request.session.clear()
        request.session.update(user=user.name, roles=user.roles.split(","), csrf=secrets.token_urlsafe(32))
        review.store.audit(user.name, "login", None, {})
        return RedirectResponse("/", status_code=303)

    async def logout(request: Request) -> Response:
        await form(request)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    # -- queue ---------------------------------------------------------------------
    async def queue(request: Request) -> Response:
        current_user(request, "view")
        q = request.query_params
        filters = Filters(status=q.get("status") or None, risk=q.get("risk") or None, sender=q.get("sender") or None,
                          domain=q.get("domain") or None, finding_type=q.get("type") or None)
        rows = review.search(filters)
        sort = q.get("sort", "urgent")
        if sort == "age":
            rows.sort(key=lambda r: r.received_at)
        elif sort == "risk":
            rows.sort(key=lambda r: ["high", "medium", "low", "none"].index(r.risk))
        page = max(int(q.get("page", "1") or 1), 1)
        total = len(rows)
        rows = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        with review.store.session() as session:
            counts = dict(session.execute(select(HeldMessage.status, func.count()).group_by(HeldMessage.status)).all())
        now = dt.datetime.now(dt.UTC)
        items = [{**summary(r, review.needs_second_approver(r)), "age": _age(now, r.received_at)} for r in rows]
        return render(request, "queue.html", items=items, counts=counts, total=total, page=page,
                      pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), q=dict(q))

    # -- one message ---------------------------------------------------------------
    async def message(request: Request) -> Response:
        current_user(request, "view")
        ref = request.path_params["ref"]
        try:
            row = review.get(ref)
        except ReviewError as exc:
            return render(request, "error.html", status=404, error=str(exc))
        texts = await run_in_threadpool(review.highlighted, ref)
        revealed = request.session.pop("revealed", None)
        history = [e for e in review.store.audit_entries() if e.reference == ref]
        return render(request, "message.html", m=summary(row, review.needs_second_approver(row)), row=row, texts=texts,
                      history=history, revealed=revealed if revealed and revealed.get("ref") == ref else None,
                      bases=config.review.legal_bases, encrypt=review.encryption_relay is not None,
                      notice=request.session.pop("notice", None))

    async def act(request: Request) -> Response:
        ref, action = request.path_params["ref"], request.path_params["action"]
        need = {"approve": "approve", "reveal": "view"}.get(action, "decide")
        user = current_user(request, need)
        data = await form(request)
        try:
            # Review methods deliver mail and run the detectors: off the event loop.
            if action == "reveal":
                shown = await run_in_threadpool(review.show, ref, reveal_reason=data.get("reason", ""), actor=user)
                request.session["revealed"] = {"ref": ref, "items": [(f["type"], f["where"], f.get("text", "")) for f in shown["findings"]]}
                notice = "Values revealed; this was written to the audit log."
            elif action == "release":
                notice = await run_in_threadpool(review.release, ref, data.get("reason", ""), actor=user,
                                                 basis=data.get("basis"), via=data.get("via", "next-hop"))
            elif action == "approve":
                notice = await run_in_threadpool(review.approve, ref, data.get("reason", ""), actor=user)
            elif action == "reject":
                notice = await run_in_threadpool(review.reject, ref, data.get("reason", ""), actor=user)
            else:
                return PlainTextResponse("unknown action", status_code=404)
        except ReviewError as exc:
            notice = f"Not done: {exc}"
        request.session["notice"] = notice
        return RedirectResponse(f"/m/{ref}", status_code=303)

    # -- audit ---------------------------------------------------------------------
    async def audit(request: Request) -> Response:
        current_user(request, "audit")
        q = request.query_params
        entries = review.store.audit_entries()
        if q.get("action"):
            entries = [e for e in entries if e.action == q["action"]]
        if q.get("ref"):
            entries = [e for e in entries if e.reference == q["ref"]]
        problems = review.store.verify_audit()
        return render(request, "audit.html", entries=list(reversed(entries))[:500], problems=problems, q=dict(q))

    async def audit_csv(request: Request) -> Response:
        current_user(request, "audit")
        return Response(review.store.audit_csv(), media_type="text/csv", headers={"Content-Disposition": "attachment; filename=audit.csv"})

    # -- dashboard -------------------------------------------------------------------
    async def dashboard(request: Request) -> Response:
        current_user(request, "view")
        with review.store.session() as session:
            rows = list(session.scalars(select(HeldMessage)))
            reports = Counter(d for (d,) in session.execute(select(FalsePositiveReport.detector)).all())
        today = dt.datetime.now(dt.UTC).date()
        days = [today - dt.timedelta(days=i) for i in range(13, -1, -1)]
        held = Counter(_utc(r.received_at).date() for r in rows)
        released = Counter(_utc(r.decided_at).date() for r in rows if r.status == "released" and r.decided_at)
        rejected = Counter(_utc(r.decided_at).date() for r in rows if r.status == "rejected" and r.decided_at)
        per_day = bar_chart("Held, released and rejected per day (last 14 days)", [d.strftime("%d %b") for d in days],
                            {"held": [held[d] for d in days], "released": [released[d] for d in days], "rejected": [rejected[d] for d in days]})
        types = Counter(t for r in rows for t in r.finding_types.split(",") if t)
        by_type = bar_chart("Held messages by finding type", list(types), {"messages": list(types.values())})
        teams = Counter(_team(r.sender, config.console.teams) for r in rows).most_common(8)
        by_team = bar_chart("Top sending teams", [t for t, _ in teams], {"held": [n for _, n in teams]})
        waits = [(_utc(r.decided_at) - _utc(r.received_at)).total_seconds() / 60 for r in rows if r.decided_at]
        fp = bar_chart("False positives reported by senders, per detector", list(reports), {"reports": list(reports.values())})
        return render(request, "dashboard.html", per_day=per_day, by_type=by_type, by_team=by_team, fp=fp, fp_total=sum(reports.values()),
                      median=f"{statistics.median(waits):.0f} minutes" if waits else "no decisions yet", total=len(rows))

    # -- users ---------------------------------------------------------------------
    async def users(request: Request) -> Response:
        user = current_user(request, "users")
        error = None
        if request.method == "POST":
            data = await form(request)
            try:
                if data.get("do") == "disable":
                    disable_user(review.store, data.get("name", ""), actor=user)
                else:
                    add_user(review.store, data.get("name", "").strip(), data.get("password", ""), [r for r in ("reviewer", "approver", "auditor", "admin") if data.get(f"role_{r}")], actor=user)
            except AccountError as exc:
                error = str(exc)
        return render(request, "users.html", users=list_users(review.store), error=error)

    # -- sender self-service (no account: the signed link is the key) ---------------------
    async def sender_page(request: Request) -> Response:
        token = request.path_params["token"]
        try:
            data = links.read(token)
            row = review.get(data["ref"])
        except (LinkError, ReviewError) as exc:
            return render(request, "error.html", status=403, error=str(exc))
        return render(request, "sender.html", m=summary(row), token=token, texts=await run_in_threadpool(review.highlighted, data["ref"]),
                      bases=config.review.legal_bases, encrypt=review.encryption_relay is not None, done=None)

    async def sender_act(request: Request) -> Response:
        token, action = request.path_params["token"], request.path_params["action"]
        data_form = await request.form()
        try:
            data = links.use(review.store, token, action)
            if action == "secure":
                done = await run_in_threadpool(review.sender_reroute_encrypted, data["ref"], data["sender"])
                done = "Sent through the encrypted email service. " + done.split(";")[0].replace(data["ref"] + ":", "").strip().capitalize() + "."
            elif action == "request":
                await run_in_threadpool(review.sender_asks_release, data["ref"], data["sender"],
                                        str(data_form.get("justification", "")), str(data_form.get("basis", "")))
                done = "Your request has gone to the reviewers. You will be told in writing what they decide."
            else:
                await run_in_threadpool(review.sender_reports_false_positive, data["ref"], data["sender"])
                done = "Thank you: the report is counted and the reviewers will see it."
        except (LinkError, ReviewError) as exc:
            return render(request, "error.html", status=403, error=str(exc))
        return render(request, "sender.html", m=None, token=None, texts=[], bases=[], encrypt=False, done=done)

    async def handle_permission(request: Request, exc: Exception) -> Response:
        return RedirectResponse("/login", status_code=303)

    async def handle_forbidden(request: Request, exc: Exception) -> Response:
        return render(request, "error.html", status=403, error="You are not allowed to do that (role or form check).")

    app = Starlette(
        routes=[
            Route("/login", login, methods=["GET", "POST"]),
            Route("/logout", logout, methods=["POST"]),
            Route("/", queue),
            Route("/m/{ref}", message),
            Route("/m/{ref}/{action}", act, methods=["POST"]),
            Route("/audit", audit),
            Route("/audit.csv", audit_csv),
            Route("/dashboard", dashboard),
            Route("/users", users, methods=["GET", "POST"]),
            Route("/s/{token}", sender_page),
            Route("/s/{token}/{action}", sender_act, methods=["POST"]),
            Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
        ],
        middleware=[Middleware(SessionMiddleware, secret_key=secret, https_only=secure_cookies, same_site="strict",
                               session_cookie="dlp_console", max_age=8 * 3600)],
        exception_handlers={PermissionError: handle_permission, Forbidden: handle_forbidden},
    )
    app.state.links = links
    app.state.review = review
    return app


def _csrf(request: Request) -> str:
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(32)
    return str(request.session["csrf"])


def _allowed(request: Request, what: str) -> bool:
    return bool(set(request.session.get("roles", [])) & CAN[what])


def _utc(value: dt.datetime | None) -> dt.datetime:
    assert value is not None
    return as_utc(value)


def _age(now: dt.datetime, then: dt.datetime) -> str:
    minutes = int((now - _utc(then)).total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h" if minutes < 48 * 60 else f"{minutes // 1440} days"


def _team(sender: str, teams: dict[str, list[str]]) -> str:
    for team, patterns in teams.items():
        if any(fnmatch.fnmatch(sender, p.lower()) for p in patterns):
            return team
    return "other"
