"""The dossier lifecycle's commands: receive (and import from another portal), request and
receive a supplement, refuse, withdraw, stop, apologise with a new date, fees, hand over the
result, the citizen's lookup key. Which move each status allows is one table, engine.rules.status.

May import: engine.queries and everything below it.
"""
