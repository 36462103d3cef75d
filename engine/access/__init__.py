"""Who may do what where: actors and their role grants, accounts' identities, the role list,
the unit tree, dossier visibility, the dossier gate (`locked_dossier`, `require_may`), the
assignment rule (who are a step's candidates) and the limits on repeated failed attempts.

May import: engine.models, engine.rules, engine.store, engine.errors, engine.views.
"""
