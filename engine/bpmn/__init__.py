"""The one seam to SpiffWorkflow: nothing outside this package imports it."""
