"""Documents on a ticket: encrypted on disk, read back whole, and gone once the ticket is purged."""

from __future__ import annotations

import os
import time
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


def _orphan(folder: Path, name: str, *, age_seconds: float) -> Path:
    """A file with no row, as a crash between writing a file and recording it leaves one."""
    path = folder / f"{name}.bin"
    path.write_bytes(b"encrypted")
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


def test_the_first_sweep_clears_old_leftovers_but_not_a_file_being_uploaded(
    service: RequestService, clock: Clock, tmp_path: Path
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    left_by_a_crash = _orphan(folder, "a" * 32, age_seconds=3600)
    being_uploaded = _orphan(folder, "b" * 32, age_seconds=1)
    files = Files(service.sessions, folder, file_key("k" * 32), now=clock)

    assert files.sweep() == 1

    assert not left_by_a_crash.exists()
    assert being_uploaded.exists()


def test_later_sweeps_delete_what_the_purge_listed_without_reading_the_folder(
    service: RequestService,
    new_request: Callable[..., NewRequest],
    clock: Clock,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "files"
    files = Files(service.sessions, folder, file_key("k" * 32), now=clock)
    gone = [service.log(new_request(source_key=str(n)), actor="office").reference for n in range(3)]
    for reference in gone:
        files.add(reference, "response.pdf", PDF, source="staff", actor="dpo")
        service.close(reference, Outcome.COMPLIED, actor="dpo")
    assert files.sweep() == 0  # the first sweep: nothing to remove yet
    # Not read again: a later round costs what the purge listed, not what the folder holds.
    unread = _orphan(folder, "c" * 32, age_seconds=3600)

    clock.advance(days=500)
    service.purge(actor="dpo", transcript_days=30, closed_ticket_days=420)

    assert files.sweep() == 3
    assert [path.name for path in folder.iterdir()] == [unread.name]
    assert files.sweep() == 0  # each listed file is removed once, and the list is emptied
