from tests.diary.test_insights_jobs import queue_messages  # noqa: F401  (the real broker's queue)
