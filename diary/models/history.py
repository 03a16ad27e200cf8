import pghistory


def tracked():  # type: ignore[no-untyped-def]
    """Database-level history (triggers on PostgreSQL): every insert, update and delete,
    whatever code path made it, with the request's user and URL as context."""
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
