"""Sessions, the unit of work, and every device that saves round trips to the database
(write-behind, libpq batches, statements sent straight to the driver, rows loaded without the
ORM's machinery, small-table caches). Use cases reach them only through the unit of work and the
step sequence (engine.instance.step); import-linter keeps the devices behind that wall.

May import: engine.store, engine.errors.
"""
