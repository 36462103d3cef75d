"""Every read behind a list, a page, a slip or a figure: plain tables only, never a deserialized
workflow (principle 3). Commands above may call them to build their answers.

May import: engine.instance, engine.bpmn, engine.access, engine.models, engine.rules,
engine.store, engine.errors, engine.views.
"""
