"""The headline goals a planner pins at the top of the overview (issue 12, last paragraph).

The client named these goals first: the 1+33 platform network, 500 provincial demonstration
platforms, 90 % service-centre coverage by 2018, 10万 then 30万 enterprise-visits a year, and
5,000 then 1万 service providers.  They lead the pinned group, in this order; the catalogue's
other ``headline: true`` goals follow in catalogue order.  An id the catalogue no longer has is
skipped, so the list never breaks the page.
"""

from __future__ import annotations

from model.catalogue import Catalogue

CLIENT_FIRST: tuple[str, ...] = (
    "gd624-national-platform-hub-2015",
    "gd624-national-platform-windows-2015",
    "gd624-demo-platforms-provincial-2015",
    "gdcentre-coverage-2018",
    "gdcentre-enterprise-visits-2018",
    "gdcentre-enterprise-visits-2020",
    "gdcentre-providers-2018",
    "gdcentre-providers-2020",
)


def pinned_goals(catalogue: Catalogue) -> list[str]:
    """The pinned group's ids in order: the client's goals first, then the other headline goals."""
    known = {t.id for t in catalogue.targets}
    first = [i for i in CLIENT_FIRST if i in known]
    rest = [t.id for t in catalogue.targets if t.headline and t.id not in first]
    return first + rest


def stage_chain(catalogue: Catalogue, target_id: str) -> list[str]:
    """The earlier stages of a goal by its ``follows`` links, nearest first (none: [])."""
    chain: list[str] = []
    follows = catalogue.target(target_id).follows
    while follows is not None and follows not in chain and follows != target_id:
        chain.append(follows)
        follows = catalogue.target(follows).follows
    return chain
