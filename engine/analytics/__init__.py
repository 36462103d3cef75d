"""Leaders' figures: the dashboard's counts and rates for a scope (unit, field, procedure,
period), the dossiers behind each figure, trends, the citizen-service index of Decision
766/QĐ-TTg as far as the platform's own data can feed it; bottlenecks on the diagram (heat map,
before/after by version, simplification hints) and the what-if simulation of a draft. Reads only
(plain SQL over dossier, task and event); timeliness comes from engine.rules.timeliness, working
time from the calendar.

May import: engine.queries and everything below it.
"""
