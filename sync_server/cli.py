"""``python -m sync_server``: serve, migrate, create-user, set-communities, set-role,
deactivate-user, revoke-device, list-devices, seed-demo, export, calendar.

Settings come from ``PORUCH_*`` environment variables (docs/server.md).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from fastapi import FastAPI
from pydantic import ValidationError

from shared_models.communities import CommunityCode
from shared_models.enums import Role
from shared_models.supervision import ExportFormat, ExportTable, RevokedDevice
from sync_server import accounts
from sync_server.audit import AuditEvent, write_events
from sync_server.db import make_engine, read_tx, write_tx
from sync_server.migrate import upgrade
from sync_server.settings import Settings, load_calendar

log = logging.getLogger("sync_server")


def app_from_env() -> FastAPI:
    """App factory for uvicorn (``--factory``): settings from the environment."""
    from sync_server.app import create_app  # noqa: PLC0415  (keeps CLI start-up light)

    return create_app(Settings())


def _cli_actor() -> str:
    # Audit rows of CLI actions name the operating-system account that ran them.
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):
        return "cli"


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Apply migrations, then run uvicorn."""
    import uvicorn  # noqa: PLC0415

    upgrade(settings.database_url)
    uvicorn.run("sync_server.cli:app_from_env", factory=True,
                host=args.host or settings.host, port=args.port or settings.port,
                workers=args.workers, log_level=settings.log_level, proxy_headers=False)
    return 0


def cmd_migrate(_args: argparse.Namespace, settings: Settings) -> int:
    """Apply migrations only."""
    upgrade(settings.database_url)
    print("database is at the latest schema revision")
    return 0


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    """Create an account; the password is read from standard input."""
    if not args.password_stdin:
        print("refusing to read a password from the command line: use --password-stdin",
              file=sys.stderr)
        return 2
    password = sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        print("password must have at least 8 characters", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    upgrade(settings.database_url)
    with write_tx(engine) as conn:
        accounts.create_user(conn, username=args.username, role=Role(args.role),
                             communities=[CommunityCode(c) for c in args.community],
                             password=password, settings=settings)
        write_events(conn, [AuditEvent("create_user", "ok", actor=_cli_actor(),
                                       detail=f"{args.username} role={args.role}")])
    print(f"created {args.role} {args.username}")
    return 0


def cmd_set_communities(args: argparse.Namespace, settings: Settings) -> int:
    """Replace a user's communities (their devices are told to purge the others)."""
    engine = make_engine(settings.database_url)
    with write_tx(engine) as conn:
        uid = accounts.user_id_of(conn, args.username)
        accounts.set_communities(conn, user_id=uid,
                                 communities=[CommunityCode(c) for c in args.community])
        write_events(conn, [AuditEvent("set_communities", "ok", actor=_cli_actor(),
                                       detail=f"{args.username}: {','.join(args.community)}")])
    print(f"{args.username}: {', '.join(args.community) or '(none)'}")
    return 0


def cmd_set_role(args: argparse.Namespace, settings: Settings) -> int:
    """Change a user's role (their devices re-read what the new role sees differently)."""
    engine = make_engine(settings.database_url)
    with write_tx(engine) as conn:
        uid = accounts.user_id_of(conn, args.username)
        accounts.set_role(conn, user_id=uid, role=Role(args.role))
        write_events(conn, [AuditEvent("set_role", "ok", actor=_cli_actor(),
                                       detail=f"{args.username} role={args.role}")])
    print(f"{args.username}: {args.role}")
    return 0


def cmd_deactivate_user(args: argparse.Namespace, settings: Settings) -> int:
    """Disable an account: its devices get ``device_revoked`` and wipe their data."""
    engine = make_engine(settings.database_url)
    with write_tx(engine) as conn:
        uid = accounts.user_id_of(conn, args.username)
        accounts.set_active(conn, user_id=uid, active=False)
        write_events(conn, [AuditEvent("deactivate_user", "ok", actor=_cli_actor(),
                                       detail=args.username)])
    print(f"deactivated {args.username}")
    return 0


def cmd_revoke_device(args: argparse.Namespace, settings: Settings) -> int:
    """Revoke one device by id."""
    engine = make_engine(settings.database_url)
    with write_tx(engine) as conn:
        if not accounts.revoke_device(conn, device_id=args.device_id):
            print(f"no such device: {args.device_id}", file=sys.stderr)
            return 1
        write_events(conn, [AuditEvent("revoke_device", "ok", actor=_cli_actor(),
                                       record_ids=(str(args.device_id),))])
    print(f"revoked {args.device_id}")
    return 0


def _lost_text(device: RevokedDevice) -> str:
    """What a revoked device reported it lost, in one line."""
    if device.lost is None or device.lost_reported_at is None:
        return "lost work: not reported"
    lost = device.lost
    kinds = ", ".join(f"{k.value} {n}" for k, n in sorted(lost.outbox.items()) if n)
    return (f"lost work reported {device.lost_reported_at:%Y-%m-%d %H:%M}Z: "
            f"{lost.changes} unsent changes{f' ({kinds})' if kinds else ''}, "
            f"{lost.drafts} drafts")


def cmd_list_devices(args: argparse.Namespace, settings: Settings) -> int:
    """List devices: active ones with their last contact, revoked ones with what they lost."""
    from sync_server.activity import device_activity, revoked_devices  # noqa: PLC0415

    engine = make_engine(settings.database_url)
    with read_tx(engine) as conn:
        active = [] if args.revoked else device_activity(conn, communities=None)
        revoked = revoked_devices(conn, communities=None)
    engine.dispose()
    for a in active:
        seen = f"{a.last_seen_at:%Y-%m-%d %H:%M}Z" if a.last_seen_at else "never"
        print(f"{a.device_id}  {a.user:32} {a.name[:24]:24} active   last seen {seen}")
    for r in revoked:
        state = (f"revoked {r.revoked_at:%Y-%m-%d %H:%M}Z" if r.revoked_at
                 else "account deactivated")
        print(f"{r.device_id}  {r.user:32} {r.name[:24]:24} {state}; {_lost_text(r)}")
    if not active and not revoked:
        print("no devices")
    return 0


def cmd_seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Create demo accounts and sample families; print the passwords once."""
    from sync_server.seed import seed_demo  # noqa: PLC0415

    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        made = seed_demo(engine, settings=settings, password=args.password,
                         families_per_community=args.families)
    except accounts.AccountError as exc:
        print(str(exc))
        return 0 if args.if_empty else 1
    print("Демо-облікові записи (паролі показано лише один раз) / demo accounts:")
    for acc in made:
        where = ",".join(c.value for c in acc.communities) or "усі громади"
        print(f"  {acc.username:32} {acc.role.value:14} {where:14} {acc.password}")
    return 0


def _export_targets(out: Path, fmt: ExportFormat, names: list[str]) -> list[Path]:
    """Where each exported file goes: ``--out`` names a file, or a folder for them all."""
    suffix = f".{fmt.value}"
    if out.suffix.lower() != suffix:
        out.mkdir(parents=True, exist_ok=True)
        return [out / n for n in names]
    out.parent.mkdir(parents=True, exist_ok=True)
    # A CSV export is three files: the visits take the given name, the services and the
    # cases a suffix.
    return [out if i == 0 else out.with_name(f"{out.stem}-{n.rsplit('-', 1)[-1]}")
            for i, n in enumerate(names)]


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write the visits, services and cases of communities and a period as XLSX or CSV
    files."""
    from sync_server.export_run import period_problem, run_export  # noqa: PLC0415

    codes = (list(CommunityCode) if "all" in args.community
             else [CommunityCode(c) for c in args.community])
    try:
        start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    except ValueError:
        print("dates must be YYYY-MM-DD", file=sys.stderr)
        return 2
    problem = period_problem(start, end)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    fmt = ExportFormat(args.format)
    engine = make_engine(settings.database_url)
    with write_tx(engine) as conn:
        files = run_export(conn, codes=codes, start=start, end=end, fmt=fmt,
                           tables=list(ExportTable), actor=_cli_actor(),
                           calendar=settings.calendar)
        for file, path in zip(files, _export_targets(Path(args.out), fmt,
                                                     [f.filename for f in files]), strict=True):
            path.write_bytes(file.content)
            print(f"{path}: {file.rows} rows")
    engine.dispose()
    return 0


def cmd_calendar(args: argparse.Namespace, settings: Settings) -> int:
    """Check a calendar file (or the configured calendar) and list its days off that are not
    weekends, and its working weekends, in a year: what the devices will count by."""
    try:
        cal = load_calendar(Path(args.file)) if args.file else settings.calendar
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    year = args.year or date.today().year
    days = [date(year, 1, 1) + timedelta(days=n) for n in range(366)]
    days = [d for d in days if d.year == year]
    off = [d for d in days if d.weekday() < 5 and not cal.is_working_day(d)]
    worked = [d for d in days if d.weekday() >= 5 and cal.is_working_day(d)]
    print(f"version {cal.version}")
    for first, last in cal.holidays_off:
        print(f"public holidays are days off: {first} .. {last or 'open'}")
    print(f"{year}: weekdays off: {', '.join(map(str, off)) or 'none'}")
    print(f"{year}: working weekend days: {', '.join(map(str, worked)) or 'none'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    p = argparse.ArgumentParser(prog="python -m sync_server", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="apply migrations and serve the API")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.add_argument("--workers", type=int, default=1)
    s.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="apply migrations").set_defaults(func=cmd_migrate)
    communities = [c.value for c in CommunityCode]
    c = sub.add_parser("create-user", help="create an account (password on stdin)")
    c.add_argument("username")
    c.add_argument("--role", required=True, choices=[r.value for r in Role])
    c.add_argument("--community", nargs="*", default=[], choices=communities)
    c.add_argument("--password-stdin", action="store_true")
    c.set_defaults(func=cmd_create_user)
    sc = sub.add_parser("set-communities", help="replace the communities of a user")
    sc.add_argument("username")
    sc.add_argument("--community", nargs="*", default=[], choices=communities)
    sc.set_defaults(func=cmd_set_communities)
    sr = sub.add_parser("set-role", help="change the role of a user")
    sr.add_argument("username")
    sr.add_argument("--role", required=True, choices=[r.value for r in Role])
    sr.set_defaults(func=cmd_set_role)
    du = sub.add_parser("deactivate-user", help="disable an account (its devices wipe)")
    du.add_argument("username")
    du.set_defaults(func=cmd_deactivate_user)
    r = sub.add_parser("revoke-device", help="revoke a device (it wipes at next contact)")
    r.add_argument("device_id", type=uuid.UUID)
    r.set_defaults(func=cmd_revoke_device)
    ld = sub.add_parser("list-devices", help="devices; revoked ones with the work they lost")
    ld.add_argument("--revoked", action="store_true",
                    help="only revoked devices (and those of deactivated accounts)")
    ld.set_defaults(func=cmd_list_devices)
    d = sub.add_parser("seed-demo", help="demo accounts and sample families")
    d.add_argument("--password", help="one password for every demo account (default: random)")
    d.add_argument("--families", type=int, default=4, help="families per community")
    d.add_argument("--if-empty", action="store_true",
                   help="succeed without changes when users already exist")
    d.set_defaults(func=cmd_seed_demo)
    e = sub.add_parser("export", help="visits, services and cases of a period as XLSX or CSV")
    e.add_argument("--format", choices=[f.value for f in ExportFormat], default="csv",
                   help="xlsx: one workbook; csv: a visits file and a services file")
    e.add_argument("--community", required=True, nargs="+", choices=[*communities, "all"],
                   help="one or more community codes, or all")
    e.add_argument("--start", "--from", dest="start", required=True, help="YYYY-MM-DD")
    e.add_argument("--end", "--to", dest="end", required=True, help="YYYY-MM-DD (included)")
    e.add_argument("--out", default=".",
                   help="file (.xlsx, or .csv for the visits; services beside it) or folder")
    e.set_defaults(func=cmd_export)
    cal = sub.add_parser("calendar", help="check a work calendar file and list its days off")
    cal.add_argument("file", nargs="?", help="a JSON calendar (default: PORUCH_WORK_CALENDAR)")
    cal.add_argument("--year", type=int, help="the year to list (default: this year)")
    cal.set_defaults(func=cmd_calendar)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run a subcommand; returns the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings()
    except ValidationError as exc:
        # A refused setting (a placeholder secret in production...) is a message, not a trace.
        for err in exc.errors():
            print(f"configuration error: {err['msg']}", file=sys.stderr)
        return 2
    try:
        return int(args.func(args, settings))
    except accounts.AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 1
