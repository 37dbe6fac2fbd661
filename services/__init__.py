"""The operations every entry point calls (admin screens, actions, CLI, the demo): a ticket's
workflow step, a supervisor's month run, confirming and reopening an assessment, putting a
steward on duty.

Each gathers its inputs with `models.queries`, lets `rules/` decide, and writes the result
to the session; the caller commits. `models.guards` checks the same rules again at flush, so
a path that skips these functions still cannot break the policy.
"""
