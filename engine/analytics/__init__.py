"""Leaders' figures: on-time rates, the citizen-service index, bottlenecks on the diagram and
what-if simulation of drafts, all read from the dossier, task and event tables.

May import: engine.queries, engine.instance, engine.bpmn, engine.access, engine.models,
engine.rules, engine.store."""
