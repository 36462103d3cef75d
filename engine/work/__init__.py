"""Working a task: claim, complete, release, reassign; incidents left by a failing designer's
script or timer, and their retry; moving a running dossier onto a newer version.

May import: engine.dossiers, engine.catalogue and everything below them.
"""
