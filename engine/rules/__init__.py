"""Pure domain rules: the working-day calendar and deadlines, the status table, timeliness,
fees, forms, the decrees' office rules, retry backoff. No database, no workflow engine, no I/O
beyond reading the calendar's data files: each takes values and returns values, so the same rule
serves commands, reads, the API's validation and the tests.

May import: engine.rules, engine.errors.
"""
