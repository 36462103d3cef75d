"""Domain core of Một Cửa: procedures, dossiers and tasks on SpiffWorkflow and SQLAlchemy.

Rooms, top to bottom (a room imports only rooms below it; import-linter keeps the order, see
pyproject.toml): background | people; work; dossiers | catalogue; queries; instance; bpmn;
access; models; rules | store. `errors`, `views` and `texts` (the N_ marker of translated
words) are words every room shares."""
