"""The architecture views (C4 context, container, component) drawn from what the code declares.

:func:`system_facts` reads the deployment: the domains under ``domains/``, the event registry's
topics, the consumer groups ``orderflow run`` deploys, the periodic jobs, the database schemas
the migrations manage and the partners the settings point at. :func:`render_architecture` turns
them into ``docs/architecture.md`` (Mermaid C4 diagrams and tables), which
``orderflow docs architecture`` writes and a test keeps equal to the code.
"""

from orderflow.architecture.document import ARCHITECTURE_PATH, render_architecture
from orderflow.architecture.facts import Group, SystemFacts, Topic, system_facts

__all__ = [
    "ARCHITECTURE_PATH",
    "Group",
    "SystemFacts",
    "Topic",
    "render_architecture",
    "system_facts",
]
