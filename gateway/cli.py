"""The `dlp-gateway` command line (DESIGN.md, "Command line")."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from gateway.config import ConfigError, default_config_path, detector_settings, load_config
from gateway.report import human_line, result_json

EXIT_DELIVERED, EXIT_NOT_DELIVERED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"dlp-gateway: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dlp-gateway", description="Outbound email data-leak-prevention gateway.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    scan = commands.add_parser("scan", help="decide .eml files exactly as the relay would, without sending")
    scan.add_argument("paths", nargs="+", metavar="PATH", help=".eml files or directories of them")
    scan.add_argument("--from", dest="sender", metavar="ADDR", help="envelope sender (default: From header)")
    scan.add_argument("--to", dest="recipients", action="append", default=[], metavar="ADDR", help="envelope recipient; repeat for several (default: To and Cc headers)")
    scan.add_argument("--reveal", action="store_true", help="include the raw matched values (handle the output as PII)")
    scan.add_argument("--json", action="store_true", help="one JSON object per message, one per line")
    scan.add_argument("--config", metavar="FILE", help="configuration file (default: the shipped config/gateway.toml)")

    serve = commands.add_parser("serve", help="run the relay")
    serve.add_argument("--config", metavar="FILE", help="configuration file (default: the shipped one)")

    password = commands.add_parser("hash-password", help="read a password on stdin; print a line for [smtp] auth_users_file")
    password.add_argument("user")

    _add_quarantine(commands)
    _add_audit(commands)

    console = commands.add_parser("console", help="run the review console alone")
    console.add_argument("--config", metavar="FILE")
    users = commands.add_parser("users", help="console accounts")
    user_actions = users.add_subparsers(dest="action", required=True, parser_class=_Parser)
    for name, help_text in (("add", "add a user (password on standard input)"), ("disable", "disable a user"), ("passwd", "set a password (on standard input)")):
        p = user_actions.add_parser(name, help=help_text)
        p.add_argument("name")
        if name == "add":
            p.add_argument("--role", action="append", required=True, choices=["reviewer", "approver", "auditor", "admin"])
        p.add_argument("--config", metavar="FILE")

    tls = commands.add_parser("export-tls-policy", help="write Postfix's smtp_tls_policy_maps file from the secure domains")
    tls.add_argument("--output", metavar="FILE", help="default: standard output")
    tls.add_argument("--config", metavar="FILE")
    domains = commands.add_parser("domains", help="the secure-domain register")
    domain_actions = domains.add_subparsers(dest="action", required=True, parser_class=_Parser)
    imp = domain_actions.add_parser("import", help="merge an accredited-organisations CSV (NHS DCB1596 list) into the register")
    imp.add_argument("file")
    imp.add_argument("--source", default="NHS secure email standard (DCB1596) accredited list")
    imp.add_argument("--date", help="YYYY-MM-DD the list was published (default: today)")
    imp.add_argument("--config", metavar="FILE")
    dlist = domain_actions.add_parser("list", help="each secure domain and why it counts as secure")
    dlist.add_argument("--config", metavar="FILE")
    doctor = commands.add_parser("doctor", help="check the set-up: config, next hop, relay, database, pipeline, certificate")
    doctor.add_argument("--config", metavar="FILE")

    check = commands.add_parser("check-config", help="validate a configuration and say what is wrong")
    check.add_argument("--config", metavar="FILE", help="configuration file (default: the shipped one)")
    return parser


def _add_quarantine(commands: argparse._SubParsersAction[_Parser]) -> None:
    quarantine = commands.add_parser("quarantine", help="review held messages")
    actions = quarantine.add_subparsers(dest="action", required=True, parser_class=_Parser)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = actions.add_parser(name, help=help_text)
        p.add_argument("--config", metavar="FILE")
        p.add_argument("--as", dest="actor", metavar="NAME", help="who is acting (default: the OS user); checked against [review] reviewers")
        return p

    listing = add("list", "list held messages")
    listing.add_argument("--status", choices=["held", "awaiting-approval", "releasing", "released", "rejected"])
    listing.add_argument("--risk", choices=["none", "low", "medium", "high"])
    listing.add_argument("--sender")
    listing.add_argument("--domain", help="a held recipient's domain")
    listing.add_argument("--type", dest="finding_type", help="a finding type, e.g. NHS_NUMBER")
    listing.add_argument("--since", help="YYYY-MM-DD")
    listing.add_argument("--until", help="YYYY-MM-DD (not included)")
    listing.add_argument("--json", action="store_true")
    show = add("show", "show one held message, findings in context (masked)")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    show.add_argument("--reveal", action="store_true", help="show raw values (needs --reason; audited)")
    show.add_argument("--reason")
    release = add("release", "release to the held recipients (high risk: asks for a second approver)")
    release.add_argument("id")
    release.add_argument("--reason", required=True)
    release.add_argument("--basis", help="legal basis, one of [review] legal_bases (a unique prefix is enough)")
    release.add_argument("--via", choices=["next-hop", "encrypt"], default="next-hop")
    approve = add("approve", "second approval of a requested release; delivers it")
    approve.add_argument("id")
    approve.add_argument("--reason", required=True)
    reject = add("reject", "do not send; tell the sender")
    reject.add_argument("id")
    reject.add_argument("--reason", required=True)
    add("purge", "delete decided messages older than [quarantine] retention_days (audit kept)")
    add("escalate", "tell the duty contacts about overdue urgent holds now")
    add("digest", "send the reviewers' digest now")
    add("rekey", "re-encrypt held messages with the first configured key")


def _add_audit(commands: argparse._SubParsersAction[_Parser]) -> None:
    audit = commands.add_parser("audit", help="the tamper-evident audit log")
    actions = audit.add_subparsers(dest="action", required=True, parser_class=_Parser)
    verify = actions.add_parser("verify", help="check the hash chain")
    verify.add_argument("--config", metavar="FILE")
    export = actions.add_parser("export", help="write the log as CSV to standard output")
    export.add_argument("--csv", action="store_true", required=True)
    export.add_argument("--config", metavar="FILE")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "hash-password":
            return _hash_password(args)
        if args.command == "console":
            return _console(args)
        if args.command == "users":
            return _users(args)
        if args.command == "export-tls-policy":
            return _export_tls_policy(args)
        if args.command == "domains":
            return _domains(args)
        if args.command == "doctor":
            return _doctor(args)
        if args.command == "quarantine":
            from gateway.quarantine_cli import run_quarantine

            return run_quarantine(args)
        if args.command == "audit":
            from gateway.quarantine_cli import run_audit

            return run_audit(args)
        return _check_config(args)
    except ConfigError as exc:
        print(f"dlp-gateway: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # e.g. the listen address is in use
        print(f"dlp-gateway: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _serve(args: argparse.Namespace) -> int:
    import asyncio
    import logging

    from gateway.server import run

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # aiosmtpd logs every command with its addresses at INFO: addresses can be personal data.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    config = load_config(args.config)
    asyncio.run(run(config))
    return 0


def _hash_password(args: argparse.Namespace) -> int:
    from gateway.server import hash_password

    password = sys.stdin.readline().rstrip("\n")
    if not password:
        print("dlp-gateway: no password on standard input", file=sys.stderr)
        return EXIT_USAGE
    print(f"{args.user}:{hash_password(password)}")
    return 0


def _console(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.console.app import create_app

    config = load_config(args.config)
    host, _, port = config.console.listen.rpartition(":")
    uvicorn.run(create_app(config), host=host, port=int(port), log_level="warning")
    return 0


def _users(args: argparse.Namespace) -> int:
    import getpass

    from gateway.console.accounts import AccountError, add_user, disable_user, set_password
    from gateway.review import open_store

    store = open_store(load_config(args.config))
    actor = getpass.getuser()
    try:
        if args.action == "disable":
            disable_user(store, args.name, actor)
        else:
            password = sys.stdin.readline().rstrip("\n")
            if args.action == "add":
                add_user(store, args.name, password, args.role, actor)
            else:
                set_password(store, args.name, password, actor)
    except AccountError as exc:
        print(f"dlp-gateway: {exc}", file=sys.stderr)
        return 1
    print(f"{args.name}: done")
    return 0


def _export_tls_policy(args: argparse.Namespace) -> int:
    from gateway.domains import tls_policy_lines

    text = "\n".join(tls_policy_lines(load_config(args.config))) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
        print(f"wrote {args.output}; now run: postmap {args.output} && postfix reload", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _domains(args: argparse.Namespace) -> int:
    import datetime as dt

    from gateway.domains import import_accredited, secure_domains

    config = load_config(args.config)
    if args.action == "list":
        for entry in secure_domains(config):
            print(f"{entry.domain:<40} {entry.why:<11} {entry.detail}")
        return 0
    try:
        published = dt.date.fromisoformat(args.date) if args.date else dt.date.today()
    except ValueError:
        print("dlp-gateway: --date must look like 2026-11-25", file=sys.stderr)
        return EXIT_USAGE
    added, updated, skipped = import_accredited(config, args.file, args.source, published)
    for line in skipped:
        print(f"dlp-gateway: skipped {line}", file=sys.stderr)
    print(f"{added} domain(s) added, {updated} refreshed, {len(skipped)} skipped; register: {config.domains.register_file}")
    try:
        from gateway.review import open_store

        open_store(config).audit("domains-import", "domains-import", None, {"file": args.file, "source": args.source,
                                 "date": published.isoformat(), "added": added, "updated": updated, "skipped": len(skipped)})
    except Exception as exc:  # the register is written; say that the audit entry is missing
        print(f"dlp-gateway: warning: import not written to the audit log ({type(exc).__name__})", file=sys.stderr)
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from gateway.doctor import run_checks

    checks = run_checks(load_config(args.config))
    for check in checks:
        print(f"{'OK     ' if check.ok else 'PROBLEM'} {check.name}: {check.detail}")
    problems = sum(not c.ok for c in checks)
    print("all checks passed" if not problems else f"{problems} problem(s) found")
    return 0 if not problems else 1


def _check_config(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    settings = detector_settings(config)  # reads the staff directory too
    try:
        import spacy

        spacy.util.get_package_path(config.detectors.spacy_pipeline)
    except (ImportError, OSError, ModuleNotFoundError):
        print(
            f"dlp-gateway: configuration error: [detectors.spacy_pipeline] {config.detectors.spacy_pipeline!r} "
            "is not an installed spaCy pipeline (install it with pip; nothing is downloaded at run time)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    print(f"{args.config or default_config_path()}: OK ({len(settings.case_references)} case-reference formats, {len(settings.staff_names)} staff names)")
    return EXIT_DELIVERED


def _scan(args: argparse.Namespace) -> int:
    from gateway.scanning import collect_files, scan_files

    config = load_config(args.config)
    files, missing = collect_files(args.paths)
    for path in missing:
        print(f"dlp-gateway: {path}: no such file or directory", file=sys.stderr)
    if not files and not missing:
        print("dlp-gateway: no .eml files found in the given paths", file=sys.stderr)
        return EXIT_USAGE
    status = EXIT_USAGE if missing else EXIT_DELIVERED
    try:
        for result in scan_files(config, files, args.sender, args.recipients):
            if result.error is not None:
                print(f"dlp-gateway: {result.file}: {result.error}", file=sys.stderr)
                status = EXIT_USAGE
            elif result.analysis is not None:
                for problem in result.analysis.unreadable:
                    print(f"dlp-gateway: {result.file}: warning: {problem.where}: {problem.reason}", file=sys.stderr)
            if args.json:
                print(json.dumps(result_json(result, args.reveal), ensure_ascii=False), flush=True)
            else:
                print(human_line(result, args.reveal), flush=True)
            if status == EXIT_DELIVERED and not result.delivered_everywhere:
                status = EXIT_NOT_DELIVERED
    except OSError as exc:
        print(f"dlp-gateway: cannot load the detectors: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return status


if __name__ == "__main__":
    raise SystemExit(main())
