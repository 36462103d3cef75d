"""What the tests and the benchmarks share, without the Flask app: the test database (which one,
emptied, prepared as `flask prepare` leaves it, its seeded state given back after each test), the
engine tuned as the app tunes its own, gunicorn as a subprocess, round trips counted.

`bench/` may import this package; nothing here imports `bench/`, `api` or Flask.
"""
