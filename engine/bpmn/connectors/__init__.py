"""Service tasks' connectors: a service task names an operator (`http/get`, `http/post`,
`population/lookup`), `registry.OPERATORS` maps each to its class, and the script engine's
`call_service` hook (engine.bpmn.sandbox) runs it inside the step. Settings (allowed hosts,
timeout, retries, the population database's endpoint) come from the application as values
(`registry.configure`); this package reads no environment."""
