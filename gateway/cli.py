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

    check = commands.add_parser("check-config", help="validate a configuration and say what is wrong")
    check.add_argument("--config", metavar="FILE", help="configuration file (default: the shipped one)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "hash-password":
            return _hash_password(args)
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
