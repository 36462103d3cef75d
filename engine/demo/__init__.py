"""A realistic demo year (`flask demo-year`): dossiers of the shipped procedures received and
worked through the engine's own commands with a replayed clock, so a fresh install shows leaders'
figures built from exactly what real use writes.

The top room: it drives engine.work and engine.dossiers, and may import every room below them.
"""
