"""``focalpoint review`` (list, approve, reject) and ``focalpoint records submit|cancel|history``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from focalpoint.i18n import _, format_datetime, localize
from focalpoint.models import RecordStatus

if TYPE_CHECKING:
    from collections.abc import Callable

    from focalpoint.db import Database


def _records_subparsers(sub: argparse._SubParsersAction) -> argparse._SubParsersAction | None:
    records = sub.choices.get("records")
    if records is None:
        return None
    for action in records._actions:  # the records command's own subcommands
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def register(sub: argparse._SubParsersAction) -> None:
    review = sub.add_parser("review", help=_("publication requests waiting for review: list, approve, reject"))
    rsub = review.add_subparsers(dest="review_command", metavar=_("ACTION"), required=True)
    lst = rsub.add_parser("list", help=_("pending publication requests (overdue ones marked)"))
    lst.add_argument("--json", action="store_true", help=_("print JSON"))
    lst.add_argument("--overdue", action="store_true", help=_("only requests older than 12 weeks"))
    lst.set_defaults(func=_list)
    app = rsub.add_parser("approve", help=_("approve the revision you reviewed"))
    app.add_argument("uid", help=_("the record's identifier (or the workflow's)"))
    app.add_argument("--checklist", metavar="FILE", help=_("the QA checklist you filled in (JSON)"))
    app.add_argument("--revision", type=int, help=_("the revision you reviewed (default: the one requested)"))
    app.add_argument("--edited", metavar="FILE",
                     help=_("your corrected version of the record (JSON): saved, then approved"))
    app.set_defaults(func=_approve)
    rej = rsub.add_parser("reject", help=_("reject a request, saying why"))
    rej.add_argument("uid", help=_("the record's identifier (or the workflow's)"))
    rej.add_argument("--reason", required=True, help=_("why: the author sees this"))
    rej.add_argument("--checklist", metavar="FILE", help=_("the QA checklist you filled in (JSON)"))
    rej.set_defaults(func=_reject)

    records = _records_subparsers(sub)
    if records is not None:
        submit = records.add_parser("submit", help=_("ask for publication of a record"))
        submit.add_argument("uid")
        submit.set_defaults(func=_submit)
        remove = records.add_parser("request-removal", help=_("ask for a published record to be removed from "
                                                              "the clearing-house (a focal point approves)"))
        remove.add_argument("uid")
        remove.set_defaults(func=_request_removal)
        cancel = records.add_parser("cancel-request", help=_("withdraw a publication or removal request"))
        cancel.add_argument("uid")
        cancel.set_defaults(func=_cancel)
        hist = records.add_parser("history", help=_("who did what to a record, when, on which revision"))
        hist.add_argument("uid")
        hist.add_argument("--format", choices=["text", "json", "csv"], default="text")
        hist.set_defaults(func=_history)


_P = ParamSpec("_P")
_T = TypeVar("_T")


def _actor(db: Database) -> str | None:
    from focalpoint.review import current_account

    with db.session() as session:
        account = current_account(session) or {}
    return account.get("email")


def _read_checklist(path: str | None) -> dict | None:
    from focalpoint.cli import CliError

    if not path:
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CliError(_("Cannot read the checklist {path}: {detail}").format(path=path, detail=exc)) from exc
    if not isinstance(data, dict):
        raise CliError(_("The checklist {path} must be one JSON document.").format(path=path))
    return data


def _read_document(path: str) -> dict:
    from focalpoint.cli import CliError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CliError(_("Cannot read {path}: {detail}").format(path=path, detail=exc)) from exc
    if not isinstance(data, dict):
        raise CliError(_("Cannot read {path}: {detail}").format(path=path, detail="JSON object expected"))
    return data


def _call(fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    from focalpoint.cli import CliError
    from focalpoint.records import RecordError

    try:
        return fn(*args, **kwargs)
    except RecordError as exc:
        raise CliError(str(exc), exit_code=1) from exc


def _list(args: argparse.Namespace) -> int:
    from focalpoint.cli import open_db
    from focalpoint.review import review_queue

    db = open_db(args)
    items = review_queue(db, overdue_only=args.overdue)
    if args.json:
        json.dump([{"workflow": i.workflow_id, "identifier": i.identifier, "schema": i.schema,
                    "title": i.title, "author": i.author, "government": i.government,
                    "requested": i.requested_at.isoformat(timespec="seconds"), "revision": i.revision,
                    "age_days": i.age.days, "overdue": i.overdue, "decision": i.decision,
                    "kind": "removal" if i.removal else "publication"}
                   for i in items], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    if not items:
        print(_("No publication request is waiting for review. Sync to fetch new ones."))
        return 0
    for i in items:
        flag = _("OVERDUE") if i.overdue else ""
        kind = _("removal") if i.removal else _("publication")
        print("\t".join([i.identifier, i.schema, kind, localize(i.title), i.author or "", i.government or "",
                         format_datetime(i.requested_at), flag]))
    return 0


def _approve(args: argparse.Namespace) -> int:
    from focalpoint.cli import open_db
    from focalpoint.review import approve

    db = open_db(args)
    if args.edited:
        from focalpoint.review import save_review_edit

        _call(save_review_edit, db, args.uid, _read_document(args.edited), actor=_actor(db))
    item = _call(approve, db, args.uid, actor=_actor(db), revision=args.revision,
                 checklist=_read_checklist(args.checklist))
    print(_("Approval of revision {revision} queued; it reaches the hub at the next sync.").format(
        revision=item.revision))
    return 0


def _reject(args: argparse.Namespace) -> int:
    from focalpoint.cli import open_db
    from focalpoint.review import reject

    db = open_db(args)
    _call(reject, db, args.uid, args.reason, actor=_actor(db), checklist=_read_checklist(args.checklist))
    print(_("Rejection queued; it reaches the hub at the next sync."))
    return 0


def _submit(args: argparse.Namespace) -> int:
    from focalpoint.cli import open_db
    from focalpoint.review import request_publication

    db = open_db(args)
    _call(request_publication, db, args.uid, actor=_actor(db))
    print(_("Publication requested; the request reaches the hub at the next sync."))
    return 0


def _request_removal(args: argparse.Namespace) -> int:
    from focalpoint.cli import open_db
    from focalpoint.review import request_deletion

    db = open_db(args)
    _call(request_deletion, db, args.uid, actor=_actor(db))
    print(_("Removal from the clearing-house requested; the request reaches the hub at the next sync. The "
            "record stays published until a publishing authority approves."))
    return 0


def _cancel(args: argparse.Namespace) -> int:
    from focalpoint.cli import open_db
    from focalpoint.review import cancel_request

    db = open_db(args)
    view = _call(cancel_request, db, args.uid, actor=_actor(db))
    if view is not None and view.status == RecordStatus.PUBLISHED:
        print(_("Removal request withdrawn; the record stays published."))
    else:
        print(_("Publication request withdrawn; you can edit the record again."))
    return 0


def _history(args: argparse.Namespace) -> int:
    from focalpoint.cli import CliError, open_db
    from focalpoint.records import RecordStore
    from focalpoint.review import audit_action_label, history, history_csv

    db = open_db(args)
    events = history(db, args.uid)
    if not events and RecordStore(db).get(args.uid) is None:
        raise CliError(_("There is no record {identifier}.").format(identifier=args.uid), exit_code=1)
    if args.format == "json":
        json.dump(events, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif args.format == "csv":
        sys.stdout.write(history_csv(events))
    else:
        for e in events:
            rev = _("revision {n}").format(n=e["revision"]) if e["revision"] is not None else ""
            print("\t".join([e["at"], audit_action_label(e["action"]), e["actor"] or "", rev, e["origin"]]))
    return 0
