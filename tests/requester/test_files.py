"""Documents on a ticket: encrypted on disk, read back whole, and gone once the ticket is purged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.rules.lifecycle import Outcome
from bot.tickets.files import Files, file_key
from bot.tickets.service import NewRequest, RequestService
from tests.conftest import Clock

PDF = b"%PDF-1.4\nthe response\n%%EOF\n"


def test_a_purged_tickets_files_are_swept_from_the_disk(
    service: RequestService,
    new_request: Callable[..., NewRequest],
    clock: Clock,
    tmp_path: Path,
) -> None:
    files = Files(service.sessions, tmp_path / "files", file_key("k" * 32), now=clock)
    gone = service.log(new_request(), actor="office").reference
    kept = service.log(new_request(source_key="kept"), actor="office").reference
    stored = files.add(gone, "response.pdf", PDF, source="staff", actor="dpo")
    files.add(kept, "other.pdf", PDF, source="staff", actor="dpo")
    assert all(PDF not in path.read_bytes() for path in (tmp_path / "files").iterdir())
    assert files.read(gone, stored.id)[1] == PDF

    service.close(gone, Outcome.COMPLIED, actor="dpo")
    clock.advance(days=500)
    service.purge(actor="dpo", transcript_days=30, closed_ticket_days=420)
    removed = files.sweep()

    assert removed == 1
    assert len(list((tmp_path / "files").iterdir())) == 1
    assert [f.name for f in files.of_ticket(kept)] == ["other.pdf"]
