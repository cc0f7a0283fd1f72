"""Limes: the command line. The only place that wires the core, the maps and the window.

limes                      open the window on your own database
limes --demo               open the window on a live demo scenario (throw-away database)
limes --snapshot FILE.png  open, draw, save a PNG of the window and exit
limes import FILE          import incidents from CSV or GeoJSON (all or nothing)
limes export --format csv|geojson [--output FILE]
limes roster import FILE   import officers from CSV (all or nothing)
limes roster export FILE   export the officers as CSV
limes digest               print the picture digest and record counts as JSON
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from app.errors import LimesError


def build_parser() -> argparse.ArgumentParser:
    from app.settings import user_config_file

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help=f"settings file layered over the defaults and {user_config_file()}",
    )
    common.add_argument("--database", metavar="FILE", type=Path, help="override store.path")
    common.add_argument("-v", "--verbose", action="store_true", help="log more")

    parser = argparse.ArgumentParser(
        prog="limes",
        description="Limes: joint border operations command center.",
        parents=[common],
        epilog="Settings: config/defaults.toml, then your file, then --config, then "
        "LIMES_<SECTION>__<KEY> environment variables.",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open a live demo scenario on the Greece-Turkey border (throw-away database)",
    )
    parser.add_argument(
        "--snapshot",
        metavar="FILE.png",
        type=Path,
        help="open the window, wait until it has drawn its data, save a PNG and exit",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    importer = commands.add_parser(
        "import",
        parents=[common],
        help="import incidents from CSV or GeoJSON; all or nothing",
        description="Import incidents. CSV needs the columns id, time, lat, lon, category, "
        "description (title, impact, confidence, status, reported_by optional); IOM Missing "
        "Migrants exports are recognised; GeoJSON needs Point features. A bad row aborts the "
        "import with its row number and nothing is written. Re-importing is safe.",
    )
    importer.add_argument("file", type=Path)
    importer.add_argument("--user", help="who imports (default: node.user)")

    exporter = commands.add_parser("export", parents=[common], help="export incidents")
    exporter.add_argument("--format", choices=["csv", "geojson"], default="csv")
    exporter.add_argument("--output", metavar="FILE", type=Path, help="default: standard output")

    roster = commands.add_parser(
        "roster",
        parents=[common],
        help="import or export the officers of the roster as CSV",
        description="Officers as CSV: id, name, agency, country (ISO alpha-3), rank, languages "
        "(ISO 639-1, ';'-separated), qualifications (';'-separated), available (yes/no). An "
        "import checks every row first; a bad row aborts it with its row number and nothing is "
        "written. Re-importing is safe.",
    )
    roster.add_argument("action", choices=["import", "export"])
    roster.add_argument("file", type=Path, help="the CSV file (export: '-' for standard output)")
    roster.add_argument("--user", help="who imports (default: node.user)")

    digest = commands.add_parser(
        "digest", parents=[common], help="print the picture digest and record counts as JSON"
    )
    digest.add_argument(
        "--partner", metavar="ID", help="only the picture shared with this partner center"
    )
    node = commands.add_parser(
        "node",
        parents=[common],
        help="run this center headless: sync with partners (relay, hub, partner simulator)",
        description="Run the center without a window: listen and dial as [sync] and "
        "[[partners]] say, log link events, stop cleanly on SIGINT or SIGTERM.",
    )
    node.add_argument(
        "--simulate",
        action="store_true",
        help="also act as a simulated partner center: report and update incidents, move "
        "patrols (used by --demo)",
    )
    commands.add_parser(
        "status", parents=[common], help="print the link table of the running center as JSON"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    quiet_level = logging.INFO if args.command == "node" else logging.WARNING
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else quiet_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for chatty in ("alembic", "websockets"):
        logging.getLogger(chatty).setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        return _dispatch(args)
    except LimesError as error:
        print(f"limes: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    from app.settings import load_settings

    overrides = {"store": {"path": str(args.database)}} if args.database else None
    settings = load_settings(args.config, overrides=overrides)
    if args.command == "import":
        return _import(settings, args)
    if args.command == "export":
        return _export(settings, args)
    if args.command == "roster":
        return _roster(settings, args)
    if args.command == "digest":
        return _digest(settings, args.partner)
    if args.command == "node":
        return _node(settings, simulate=args.simulate)
    if args.command == "status":
        return _status(settings)
    from widgets.application import run_window

    return run_window(settings, demo=args.demo, snapshot=args.snapshot)


def _open_store(settings):
    from app.store import open_store

    return open_store(
        settings.database_path,
        settings.node.center_id,
        synchronous=settings.store.synchronous.upper(),
        max_clock_drift_ms=int(settings.store.max_clock_drift_s * 1000),
    )


def _import(settings, args: argparse.Namespace) -> int:
    from app.importing import import_file

    def progress(rows: int, fraction: float) -> None:
        print(
            f"\rimporting {args.file.name}: {rows:,} rows ({fraction:.0%})", end="", file=sys.stderr
        )

    with _open_store(settings) as store:
        report = import_file(
            store,
            args.file,
            user=args.user or settings.user,
            progress=progress,
            release_by_category=settings.releases,
        )
    print(file=sys.stderr)
    print(
        f"imported {args.file}: {report.rows:,} rows, {report.created:,} new, "
        f"{report.updated:,} updated, {report.unchanged:,} unchanged"
    )
    return 0


def _export(settings, args: argparse.Namespace) -> int:
    from app.exporting import export_csv, export_geojson

    export = export_csv if args.format == "csv" else export_geojson
    with _open_store(settings) as store:
        if args.output is None:
            count = export(store, sys.stdout)
        else:
            partial = args.output.with_name(args.output.name + ".partial")
            try:
                with partial.open("w", encoding="utf-8", newline="") as handle:
                    count = export(store, handle)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            partial.replace(args.output)  # never leave a half-written export under the real name
    print(f"exported {count:,} incidents", file=sys.stderr)
    return 0


def _roster(settings, args: argparse.Namespace) -> int:
    from app.roster_csv import export_officers, import_officers

    with _open_store(settings) as store:
        if args.action == "import":
            report = import_officers(store, args.file, user=args.user or settings.user)
            print(
                f"imported {args.file}: {report.rows:,} officers, {report.created:,} new, "
                f"{report.updated:,} updated, {report.unchanged:,} unchanged"
            )
            return 0
        with store.read() as connection:
            if str(args.file) == "-":
                count = export_officers(connection, sys.stdout)
            else:
                partial = args.file.with_name(args.file.name + ".partial")
                try:
                    with partial.open("w", encoding="utf-8", newline="") as handle:
                        count = export_officers(connection, handle)
                except BaseException:
                    partial.unlink(missing_ok=True)
                    raise
                partial.replace(args.file)
    print(f"exported {count:,} officers", file=sys.stderr)
    return 0


def _digest(settings, partner: str | None) -> int:
    from app.store import queries
    from app.store.digest import picture_digest
    from app.sync.digest import shared_digest

    with _open_store(settings) as store, store.read() as connection:
        out = {
            "center": settings.node.center_id,
            "database": str(settings.database_path),
            "digest": picture_digest(connection),
            "counts": queries.counts(connection),
            "version_vector": queries.version_vector(connection),
        }
        if partner is not None:
            known = {p.id: p for p in settings.partners}
            if partner not in known:
                raise LimesError(f"--partner {partner}: not a configured partner")
            digest, records = shared_digest(
                connection, partner, settings.node.center_id, known[partner].relay
            )
            out["partner"] = {"id": partner, "digest": digest, "records": records}
    print(json.dumps(out, indent=2, sort_keys=True))
    return 0


def _node(settings, *, simulate: bool = False) -> int:
    import threading

    from app.sync.node import Node

    if not settings.partners:
        raise LimesError("no [[partners]] configured: a node without partners has nothing to do")
    with _open_store(settings) as store:
        node = Node(store, settings)
        stop = threading.Event()
        if simulate:
            from app.demo_network import simulate_forever

            threading.Thread(
                target=simulate_forever,
                args=(store, settings.node.center_id, stop),
                name="limes-simulation",
                daemon=True,
            ).start()
        print(
            f"limes node {settings.node.center_id}: "
            f"{'listening on ' + settings.sync.listen if settings.sync.listen else 'not listening'}, "
            f"{len(settings.partners)} partner(s); status in {node.status_path}",
            file=sys.stderr,
        )
        try:
            node.run_forever()
        finally:
            stop.set()
    return 0


def _status(settings) -> int:
    import time

    path = Path(str(settings.database_path) + ".status.json")
    try:
        status = json.loads(path.read_text())
    except FileNotFoundError:
        raise LimesError(
            f"no status at {path}: is a node or window running on this database?"
        ) from None
    except (OSError, ValueError) as error:
        raise LimesError(f"{path}: unreadable status ({error})") from None
    age = time.time() - status.get("at", 0)
    status["running"] = age < 5
    status["age_s"] = round(age, 1)
    print(json.dumps(status, indent=2, sort_keys=True))
    return 0 if status["running"] else 1


if __name__ == "__main__":
    sys.exit(main())
