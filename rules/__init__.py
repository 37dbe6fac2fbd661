"""The company's policy as pure functions: plain values in, decisions out.

Nothing here imports Flask, SQLAlchemy or does I/O; the models and views call these
functions and pass the policy in (see rules.policy.Policy).
"""
