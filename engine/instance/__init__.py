"""The one step sequence every command that moves a workflow goes through (lock, load, act,
sync task rows, save state, timers, status), and what it writes: task rows, events, status
changes with their notices and webhook deliveries, waiting timer rows.

May import: engine.bpmn, engine.access, engine.models, engine.rules, engine.store, engine.errors,
engine.views.
"""
