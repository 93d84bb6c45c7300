"""The audit trail as a feed of changed tickets: delivered once, in order, never lost."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from bot.rules.lifecycle import Outcome
from bot.storage.engine import make_engine, session_factory
from bot.tickets.feed import Delivery, TicketFeed
from bot.tickets.service import NewRequest, RequestService


class Recorder:
    def __init__(self, fail_on: str | None = None) -> None:
        self.seen: list[tuple[str, tuple[str, ...], str | None]] = []
        self.fail_on = fail_on

    def __call__(self, delivery: Delivery) -> None:
        if delivery.reference == self.fail_on:
            raise ConnectionError("platform down")
        self.seen.append(
            (delivery.reference, delivery.actions, delivery.post and delivery.post.message_id)
        )
        if delivery.post is None:
            delivery.record("C1", f"msg-{delivery.reference}", {"n": 1})


def test_each_change_is_delivered_once_with_where_it_was_posted(
    engine: Engine, service: RequestService, new_request: Callable[..., NewRequest]
) -> None:
    feed = TicketFeed(session_factory(engine), "slack")
    feed.start()
    deliver = Recorder()
    ticket = service.log(new_request(), actor="office")
    service.get(ticket.reference, actor="office")  # reading changes nothing shown
    assert feed.run_once(deliver) == 1
    assert feed.run_once(deliver) == 0
    service.assign(ticket.reference, "Sam", actor="office")
    assert feed.run_once(deliver) == 1
    assert deliver.seen == [
        (ticket.reference, ("logged",), None),
        (ticket.reference, ("assigned",), f"msg-{ticket.reference}"),
    ]


def test_a_failed_delivery_is_tried_again_and_nothing_after_it_is_lost(
    engine: Engine, service: RequestService, new_request: Callable[..., NewRequest]
) -> None:
    feed = TicketFeed(session_factory(engine), "slack")
    feed.start()
    first = service.log(new_request(), actor="office")
    second = service.log(new_request(requester_name="Tom Lee"), actor="office")
    third = service.log(new_request(requester_name="Ann Fox"), actor="office")
    with pytest.raises(ConnectionError):
        feed.run_once(Recorder(fail_on=second.reference))
    deliver = Recorder()
    assert feed.run_once(deliver) == 2
    assert [seen[0] for seen in deliver.seen] == [second.reference, third.reference]
    # The first was posted before the failure, and is remembered.
    service.close(first.reference, Outcome.WITHDRAWN, actor="office")
    feed.run_once(deliver)
    assert deliver.seen[-1] == (first.reference, ("closed",), f"msg-{first.reference}")


def test_platforms_keep_their_own_cursors(
    engine: Engine, service: RequestService, new_request: Callable[..., NewRequest]
) -> None:
    sessions = session_factory(engine)
    slack, teams = TicketFeed(sessions, "slack"), TicketFeed(sessions, "teams")
    slack.start()
    teams.start()
    service.log(new_request(), actor="office")
    assert slack.run_once(Recorder()) == 1
    assert teams.run_once(Recorder()) == 1
    assert slack.run_once(Recorder()) == 0


def test_several_workers_deliver_each_change_once(
    database_url: str,
    service: RequestService,
    new_request: Callable[..., NewRequest],
) -> None:
    TicketFeed(service.sessions, "slack").start()
    for number in range(5):
        service.log(new_request(requester_name=f"Parent {number}"), actor="office")
    engines = [make_engine(database_url) for _ in range(4)]
    posts: list[str] = []
    lock = threading.Lock()

    def deliver(delivery: Delivery) -> None:
        if delivery.post is None:  # a ticket split across batches comes again, as an update
            with lock:
                posts.append(delivery.reference)
            delivery.record("C1", "ts")

    def worker(engine: Engine) -> None:
        feed = TicketFeed(session_factory(engine), "slack")
        for _ in range(3):
            feed.run_once(deliver, limit=3)

    threads = [threading.Thread(target=worker, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    # A worker that finds the batch taken skips it (SKIP LOCKED), so finish what is left.
    rest = TicketFeed(service.sessions, "slack")
    while rest.run_once(deliver, limit=3):
        pass
    assert sorted(posts) == sorted(set(posts))
    assert len(posts) == 5


def test_a_new_platform_starts_at_the_present_and_posts_open_tickets_only_when_asked(
    engine: Engine, service: RequestService, new_request: Callable[..., NewRequest]
) -> None:
    """Turning a platform on over years of tickets must not replay them into its channel."""
    old = service.log(new_request(), actor="office")
    done = service.log(new_request(requester_name="Tom Lee"), actor="office")
    service.close(done.reference, Outcome.WITHDRAWN, actor="office")
    feed = TicketFeed(session_factory(engine), "teams")
    deliver = Recorder()
    assert feed.run_once(deliver) == 0
    assert deliver.seen == []
    # The school asks for the open ones: each is posted once, the closed one never.
    assert feed.post_open(deliver) == 1
    assert feed.post_open(deliver) == 0
    assert deliver.seen == [(old.reference, (), None)]
    # From then on its message is updated in place, like any other.
    service.assign(old.reference, "Sam", actor="office")
    assert feed.run_once(deliver) == 1
    assert deliver.seen[-1] == (old.reference, ("assigned",), f"msg-{old.reference}")
