"""The `privacybot` command."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, ClassVar

import typer
from rich.console import Console
from rich.text import Text

from bot.cli.common import Cli, fail, settings_or_exit
from bot.cli.lazy import LazyGroup
from bot.config import ConfigError
from bot.content.embedding import TABLE_PATH
from bot.content.errors import ContentError
from bot.content.evaluation import EvaluationReport, evaluate, read_labelled
from bot.content.explain import explain
from bot.content.intents import load_intents
from bot.conversation.assembly import build_conversation, build_matcher
from bot.conversation.handler import Conversation, check_text
from bot.storage.errors import StorageUnavailable
from bot.types import Audience, Channel, Message, Reply


class Commands(LazyGroup):
    """`ask`, `classify`, `chat`, `eval` and `content` are defined here; the rest are imported
    when run, so answering a question never loads the database, the web server or a chat SDK."""

    lazy: ClassVar[dict[str, str]] = {
        "serve": "bot.cli.serve:serve",
        "slack-socket": "bot.slack.socket:slack_socket",
        "deadline": "bot.cli.deadline:deadline",
        "purge": "bot.cli.purge:purge",
        "reminders": "bot.cli.staff:reminders",
        "tickets": "bot.cli.tickets:tickets_app",
        "db": "bot.cli.db:db_app",
        "teams": "bot.teams.cli:teams_app",
        "staff": "bot.cli.staff:staff_app",
        "letters": "bot.cli.letters:letters_app",
        "triage": "bot.cli.triage:triage_app",
    }
    order: ClassVar[tuple[str, ...]] = (
        *("serve", "slack-socket", "deadline", "purge", "reminders"),
        *("ask", "classify", "chat", "eval", "content"),
        *("tickets", "db", "teams", "staff", "letters", "triage"),
    )


app = typer.Typer(
    cls=Commands, help="A helpdesk bot for a school's pupil privacy notice.", no_args_is_help=True
)
content_app = typer.Typer(help="Check the intents and answers folders.", no_args_is_help=True)
app.add_typer(content_app, name="content")

console = Console()
errors = Console(stderr=True)

AudienceOption = Annotated[
    Audience, typer.Option("--audience", help="Who is asking: public (parents) or staff.")
]


def conversation() -> Conversation:
    """The handler without a database, for `ask` and `classify`."""
    try:
        return build_conversation(settings_or_exit(), with_database=False)
    except (ContentError, ConfigError) as error:  # the school's facts are config to the service
        raise _content_failure(error) from error


def conversation_with_database(cli: Cli) -> Conversation:
    """The handler for `chat`, which keeps its intake in the database."""
    try:
        return build_conversation(cli.settings, with_database=True)
    except (ContentError, ConfigError) as error:  # the school's facts are config to the service
        raise _content_failure(error) from error
    except StorageUnavailable as error:
        raise cli.refuse("chat.no_database", error=error) from error


def _content_failure(error: ContentError | ConfigError) -> typer.Exit:
    return fail(f"{error}\nRun `privacybot content check` for every problem.", 2)


def read_stdin_lines() -> Iterator[str]:
    """Standard input line by line; bytes that are not UTF-8 become U+FFFD, never a traceback."""
    for raw in sys.stdin.buffer:
        yield raw.decode("utf-8", errors="replace").rstrip("\r\n")


def message(text: str, conversation_id: str, audience: Audience) -> Message:
    return Message(
        channel=Channel.TERMINAL,
        conversation_id=conversation_id,
        text=text,
        received_at=datetime.now(UTC),
        audience=audience,
    )


def show(reply: Reply, *, plain: bool) -> None:
    if plain:
        print(reply.text)
    else:
        from rich.markdown import Markdown  # a terminal's only: piped output skips the parser

        console.print(Markdown(reply.text))
    for number, choice in enumerate(reply.choices, start=1):
        print(f"  {number}. {choice.label}")


@app.command()
def ask(
    question: str,
    audience: AudienceOption = Audience.PUBLIC,
    as_json: Annotated[
        bool, typer.Option("--json", help="Include the intent, score and matched example.")
    ] = False,
) -> None:
    """Print the answer the bot would give to QUESTION."""
    bot = conversation()
    reply = bot.handle(message(question, "ask", audience))
    if as_json:
        match = reply.match
        row: dict[str, object] = {
            "answer": reply.text,
            "intent": match.intent if match else None,
            "score": match.score if match else 0.0,
            "example": match.example if match else None,
            "outcome": match.outcome if match else "bad_input",
            "choices": [{"label": c.label, "value": c.value} for c in reply.choices],
        }
        if match is not None:
            row.update(explain(bot.matcher.decide(check_text(question, bot.max_message_chars))))
        print(json.dumps(row, ensure_ascii=False))
    else:
        show(reply, plain=not sys.stdout.isatty())


@app.command()
def classify(audience: AudienceOption = Audience.PUBLIC) -> None:
    """Read questions on stdin, one per line; write one JSON object per line (intent, score)."""
    bot = conversation()
    for line in read_stdin_lines():
        reply = bot.handle(message(line, "classify", audience))
        match = reply.match
        row: dict[str, object] = {
            "intent": match.intent if match else None,
            "score": match.score if match else 0.0,
            "outcome": match.outcome if match else "bad_input",
            "example": match.example if match else None,
        }
        if match is not None:
            row.update(explain(bot.matcher.decide(check_text(line, bot.max_message_chars))))
        print(json.dumps(row, ensure_ascii=False), flush=False)
    sys.stdout.flush()


@app.command()
def chat(audience: AudienceOption = Audience.PUBLIC) -> None:
    """Talk to the bot in the terminal (or pipe questions in, one per line)."""
    cli = Cli.start()
    bot = conversation_with_database(cli)
    interactive = sys.stdin.isatty()
    conversation_id = uuid.uuid4().hex
    if interactive:
        console.print(Text.assemble(("privacybot", "bold"), ": ", cli.text("chat.welcome")))
    lines = read_stdin_lines() if not interactive else _prompted_lines(cli.text("chat.you"))
    choices: tuple[str, ...] = ()
    for line in lines:
        # A number picks one of the buttons the last reply offered.
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(choices):
            text = choices[int(text) - 1]
        reply = bot.handle(message(text, conversation_id, audience))
        choices = tuple(c.value for c in reply.choices)
        show(reply, plain=not interactive)
        if not interactive:
            print()


def _prompted_lines(you: str) -> Iterator[str]:
    prompt = Text.assemble((f"{you}>", "bold cyan"), " ")
    while True:
        try:
            yield console.input(prompt)
        except (EOFError, KeyboardInterrupt):
            console.print()
            return


@content_app.command("check")
def content_check() -> None:
    """Validate intents and answers; each problem names its file."""
    # Imported here: checking the letters templates loads the ticket code.
    from bot.conversation.content_check import check_content

    config = settings_or_exit()
    problems = check_content(config.intents_dir, config.answers_dir)
    for problem in problems:
        errors.print(f"[red]problem:[/red] {problem}", highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)
    console.print(f"content ok: {config.intents_dir} and {config.answers_dir}", highlight=False)


@content_app.command("build-embeddings")
def build_embeddings(
    output: Annotated[Path, typer.Option(help="Where to write the table.")] = TABLE_PATH,
) -> None:
    """Rebuild the static embedding table (needs the embeddings-build extra)."""
    from bot.content.embedding_build import build_table

    config = settings_or_exit()
    intent_set = load_intents(config.intents_dir)
    texts = [e for i in intent_set.intents for e in (*i.examples, *i.request_examples)]
    try:
        console.print(build_table(output, texts), highlight=False, soft_wrap=True)
    except RuntimeError as error:
        raise fail(str(error), 2) from error


@app.command("eval")
def evaluate_command(
    file: Annotated[
        Path,
        typer.Argument(help="JSON lines: {'text', 'intent': id or null} or {'text', 'intents'}"),
    ],
    split: Annotated[
        str | None, typer.Option("--split", help="Only the lines of this split (tune or test).")
    ] = None,
) -> None:
    """Print top-1, shown, top-3, out-of-scope refusal and the confusions on a labelled set."""
    try:
        questions = read_labelled(file, split)
        report = evaluate(build_matcher(settings_or_exit()), questions)
    except ContentError as error:
        raise fail(str(error), 2) from error
    if not questions:
        raise fail(f"{file}: no questions" + (f" in split {split!r}" if split else ""), 2)
    _print_report(report)


def _print_report(report: EvaluationReport) -> None:
    total = report.in_scope_total
    rows = [
        ("top-1 (acted on first)", report.top1, total),
        ("answered outright", report.answered, total),
        ("shown (answer or choices)", report.shown, total),
        ("top-3 ranked", report.top3, total),
        ("out-of-scope refused", report.out_of_scope_rejected, report.out_of_scope_total),
    ]
    for label, count, out_of in rows:
        share = count / out_of if out_of else 0.0
        console.print(f"{label:<27}{share:6.1%}  ({count}/{out_of})", highlight=False)
    console.print(f"{'did you mean replies':<27}{report.did_you_mean:>6}", highlight=False)
    if report.pending_total:
        console.print(
            f"{'labels not in this content':<27}{report.pending_total:>6}"
            f"  (not counted above; {report.pending_fallback} got the fallback)",
            highlight=False,
        )
    if report.confusions:
        from rich.table import Table

        table = Table(title="Confusions (expected -> got)")
        table.add_column("expected")
        table.add_column("got")
        table.add_column("count", justify="right")
        for (expected, got), count in report.confusions.most_common():
            table.add_row(expected or "(fallback)", got or "(fallback)", str(count))
        console.print(table)


def main() -> None:
    app()
