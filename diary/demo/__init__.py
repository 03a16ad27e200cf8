"""The demo clinic's data (`manage.py seed_demo`), by concern."""
