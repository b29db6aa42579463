"""Celery tasks published to kombu's in-memory broker instead of run eagerly.

Tests that must see *when* a worker would run a task (an ETA at 8 o'clock, a retry's
back-off) read the published messages: which ids, and their ETA.
"""

from contextlib import contextmanager
from datetime import datetime

from portal.celery import app


def _forget_connections():
    # The app keeps its connection and producer pools: drop them so the next task
    # publishes with the broker URL just set (kombu keeps the pools themselves, per URL).
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def in_memory_broker():
    """Route tasks to an in-memory broker; yield a function draining a queue's messages."""
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url="memory://")
    _forget_connections()

    def drain(queue="alerts"):
        messages = []
        with app.connection_for_read() as connection:
            simple = connection.SimpleQueue(queue)
            while True:
                try:
                    message = simple.get(block=False)
                except simple.Empty:
                    break
                message.ack()
                messages.append(message)
            simple.close()
        return messages

    drain()  # nothing left over from another test
    try:
        yield drain
    finally:
        drain()
        app.conf.update(**saved)
        _forget_connections()


def task_eta(message) -> datetime | None:
    """When a published task is due (None: at once)."""
    eta = message.headers.get("eta")
    return datetime.fromisoformat(eta) if eta else None


def task_ids(messages) -> set[int]:
    """The delivery ids carried by published ``deliveries_send`` tasks."""
    return {pk for message in messages for pk in message.payload[0][0]}
