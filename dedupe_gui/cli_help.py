"""The command line's help, with the default cache and journal paths and the keeper rules
filled in when it is shown rather than when the options are declared.

Finding those paths asks platformdirs, which imports tempfile, shutil, lzma, bz2 and random:
10-15 ms before every command's first line of work, spent on help that is almost never
printed; the keeper rules' words are in core.keeper, which loads the records' models and the
companions. The options' help names them by a mark (``CACHE_DEFAULT``, ``JOURNAL_DEFAULT``,
``KEEPER_RULES``) that ``Parser``'s formatter replaces.
"""

from __future__ import annotations

import argparse
from typing import Any

from dedupe_gui.core.places import default_cache_path, default_journal_path

CACHE_DEFAULT = "<the default cache file>"
JOURNAL_DEFAULT = "<the default journal file>"
KEEPER_RULES = "<the keeper rules>"


def keeper_rules() -> str:
    """The default order of the keeper rules and every rule with what it prefers."""
    from dedupe_gui.core.keeper import DEFAULT_RULES, rules_help

    return f"default {','.join(DEFAULT_RULES)}; known: {rules_help()}"


class HelpFormatter(argparse.HelpFormatter):
    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = super()._get_help_string(action)
        if text is None:
            return None
        for mark, where in (
            (CACHE_DEFAULT, default_cache_path),
            (JOURNAL_DEFAULT, default_journal_path),
            (KEEPER_RULES, keeper_rules),
        ):
            if mark in text:
                # argparse fills in %(default)s and the like after this: a path's own % stays
                text = text.replace(mark, where().replace("%", "%%"))
        return text


class Parser(argparse.ArgumentParser):
    """An argument parser whose help (and its subcommands', which are made of its class)
    fills in the default paths and the keeper rules."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(**kwargs)
