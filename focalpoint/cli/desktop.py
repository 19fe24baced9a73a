"""``focalpoint desktop-entry install|remove``: FocalPoint in the Linux applications menu."""

from __future__ import annotations

import argparse

from focalpoint.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("desktop-entry", help=_("add FocalPoint to the applications menu of this computer "
                                               "(Linux, for you only), or take it away"))
    p.add_argument("action", choices=("install", "remove"))
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from focalpoint import desktop_entry
    from focalpoint.cli import CliError

    if args.action == "remove":
        removed = desktop_entry.remove()
        if removed:
            print(_("FocalPoint was taken out of the applications menu."))
        else:
            print(_("FocalPoint was not in the applications menu; nothing to do."))
        return 0
    command = desktop_entry.launch_command()
    try:
        target = desktop_entry.install(command=command)
    except OSError as exc:
        raise CliError(_("Cannot add FocalPoint to the applications menu: {detail}").format(
            detail=exc.strerror or exc)) from exc
    print(_("FocalPoint is now in the applications menu ({path}); it starts {command}.").format(
        path=target.entry, command=desktop_entry.describe(command)))
    return 0
