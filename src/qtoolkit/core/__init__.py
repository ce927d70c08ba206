"""The data model shared by every scheduler: jobs, states, resources and results."""
