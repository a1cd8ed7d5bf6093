"""Domain events of the catalog → the integration events other teams subscribe to."""

from __future__ import annotations

from domains.catalog import model, stock
from events import IntegrationEvent
from events.schemas import catalog as published


def to_integration_event(event: object) -> tuple[IntegrationEvent, int]:
    """The published event for a catalog domain event, and the aggregate version it made."""
    if isinstance(event, model.ProductCreated):
        return _created(event.product), 1
    if isinstance(event, model.ProductUpdated):
        p = event.product
        updated = published.ProductUpdated(
            product_id=p.id,
            sku=p.sku,
            name=p.name,
            description=p.description,
            active=p.active,
            updated_at=p.updated_at,
        )
        return updated, event.version
    if isinstance(event, model.PriceChanged):
        return _price_changed(event), event.version
    if isinstance(event, stock.StockAdjusted):
        return _stock_adjusted(event), event.version
    if isinstance(event, stock.ReservationChanged):
        return _reservation_changed(event), event.version
    raise TypeError(f"no integration event for {type(event).__name__}")


def _created(p: model.Product) -> published.ProductCreated:
    return published.ProductCreated(
        product_id=p.id,
        sku=p.sku,
        name=p.name,
        description=p.description,
        price_minor=p.price_minor,
        currency=p.currency,
        active=p.active,
        created_at=p.created_at,
    )


def _price_changed(event: model.PriceChanged) -> published.PriceChanged:
    p = event.product
    return published.PriceChanged(
        product_id=p.id,
        sku=p.sku,
        old_price_minor=event.old_price_minor,
        old_currency=event.old_currency,
        price_minor=p.price_minor,
        currency=p.currency,
        changed_at=p.updated_at,
    )


def _stock_adjusted(event: stock.StockAdjusted) -> published.StockAdjusted:
    return published.StockAdjusted(
        product_id=event.stock.product_id,
        sku=event.stock.sku,
        delta=event.delta,
        available=event.stock.available,
        reason=event.reason,
        adjusted_at=event.adjusted_at,
    )


def _reservation_changed(event: stock.ReservationChanged) -> IntegrationEvent:
    r = event.reservation
    items = tuple(published.ReservedItem(sku=sku, quantity=qty) for sku, qty in r.items)
    if event.status is stock.ReservationStatus.RESERVED:
        return published.InventoryReserved(reservation_id=r.id, items=items, reserved_at=event.at)
    if event.status in (stock.ReservationStatus.RELEASED, stock.ReservationStatus.RETURNED):
        return published.InventoryReleased(reservation_id=r.id, items=items, released_at=event.at)
    return published.InventoryCommitted(reservation_id=r.id, items=items, committed_at=event.at)
