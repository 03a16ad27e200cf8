"""bench/write_path: authenticated patients upserting diary days over HTTP vs. straight psycopg."""
