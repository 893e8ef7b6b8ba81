"""Command line, shell completion: ids of the project's audiences, places and other content,
with their titles as help (zsh and fish show them), read from the project a person is in."""

from __future__ import annotations

from pathlib import Path

import click


def project_dir(ctx: click.Context) -> Path:
    """The -C folder during shell completion, when the group's callback has not run."""
    return Path(ctx.find_root().params.get("project_dir") or ".")


def completer(kind: str):
    """Complete ids of one kind from the project's content, with titles as help (zsh, fish)."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str):
        from click.shell_completion import CompletionItem

        from makecase.cli.catalogue import ids_for_completion

        return [CompletionItem(i, help=title)
                for i, title in ids_for_completion(project_dir(ctx), kind, incomplete)]

    return complete


def complete_listed_id(ctx: click.Context, param: click.Parameter, incomplete: str):
    """Complete the ids after `makecase list KIND`: the kind's ids (audiences when none is given)."""
    kind = ctx.params.get("kind") or "audiences"
    return completer(kind)(ctx, param, incomplete)
