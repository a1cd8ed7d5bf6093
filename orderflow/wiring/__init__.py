"""The composition root's builders: every engine, producer, client and consumer, from the settings.

The one place where settings become objects: the processes (``orderflow.processes``,
``orderflow.periodic``), the HTTP app and the CLI ask here, and nothing in ``consumers`` or
``domains`` picks a default of its own. Three modules, by weight: :mod:`.connections` (the
engine and the producers, all an operator command needs), :mod:`.deployment` (the consumer
groups, their mailer, carrier and reset links, the payment provider, the services and the knobs)
and :mod:`.identity` (signing keys, token rules, password hashing, sessions, rate limits).
"""
