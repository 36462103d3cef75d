"""The one door to SpiffWorkflow: hardened XML parsing, validation and compiling of diagrams,
the compiled-spec cache of published versions, the runtime (start, complete, cancel, fire
timers), the saved state's serializer, the sandbox for designers' scripts and the service
tasks' connectors. Nothing outside this package imports SpiffWorkflow.

May import: engine.access, engine.models, engine.rules, engine.store, engine.errors."""
