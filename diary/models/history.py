import pghistory
import pgtrigger


def tracked(exclude: list[str] | None = None):  # type: ignore[no-untyped-def]
    """Database-level history (triggers on PostgreSQL): every insert, update and delete,
    whatever code path made it, with the request's user and URL as context.

    `exclude` names bookkeeping columns that are neither copied nor worth an event.
    """
    exclude = exclude or []
    update = (
        pghistory.UpdateEvent(condition=pgtrigger.AnyChange(exclude=exclude)) if exclude else pghistory.UpdateEvent()
    )
    return pghistory.track(pghistory.InsertEvent(), update, pghistory.DeleteEvent(), exclude=exclude)
