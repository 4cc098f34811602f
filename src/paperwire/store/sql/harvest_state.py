"""Harvest state in engine-neutral SQL:
:class:`~paperwire.store.interfaces.harvest_state.HarvestState`.

Both tables are written with a single upsert or under a row lock, never read-then-insert:
a host's slot row is created if missing (``INSERT ... ON CONFLICT DO NOTHING``) and then
locked (``SELECT ... FOR UPDATE``; SQLite serialises write transactions anyway).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from paperwire.store.base import grant_request_slot, release_request_slot
from paperwire.store.bulk import dialect_insert
from paperwire.store.clock import naive_utc, utcnow
from paperwire.store.interfaces.harvest_state import HarvestCheckpoint, RequestSlot, SlotGrant
from paperwire.store.schema import harvest_checkpoints, request_slots

if TYPE_CHECKING:
    from paperwire.store.sql import SQLStore

# A new host's slot: free since long ago, so the pacing rule treats it as no slot at all.
_NEVER_USED = datetime(1970, 1, 1)


class SQLHarvestState:
    def __init__(self, store: SQLStore) -> None:
        self.store = store
        self.engine = store.engine

    def reserve_request_slot(
        self,
        host: str,
        holder: str,
        now: datetime,
        lease: timedelta,
        dead_holder: str | None = None,
    ) -> SlotGrant:
        with self.store.writing() as conn:
            current = _locked_slot(conn, host)
            slot, grant = grant_request_slot(current, holder, naive_utc(now), lease, dead_holder)
            _save_slot(conn, host, slot)
        return SlotGrant(grant.granted, grant.at.replace(tzinfo=UTC), grant.holder)

    def release_request_slot(self, host: str, holder: str, free_at: datetime) -> None:
        with self.store.writing() as conn:
            current = _locked_slot(conn, host)
            _save_slot(conn, host, release_request_slot(current, holder, naive_utc(free_at)))

    def get_checkpoint(self, source: str) -> HarvestCheckpoint | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(harvest_checkpoints).where(harvest_checkpoints.c.source == source)
            ).first()
        return _checkpoint_from_row(row) if row else None

    def save_checkpoint(self, checkpoint: HarvestCheckpoint) -> None:
        values: dict[str, object] = {
            field: getattr(checkpoint, field) for field in HarvestCheckpoint.__dataclass_fields__
        }
        values["last_success"] = naive_utc(checkpoint.last_success)
        values["updated_at"] = utcnow()
        insert = dialect_insert(self.engine.dialect.name, harvest_checkpoints).values(values)
        changed = {name: value for name, value in values.items() if name != "source"}
        with self.store.writing() as conn:
            conn.execute(insert.on_conflict_do_update(index_elements=["source"], set_=changed))

    def list_checkpoints(self) -> list[HarvestCheckpoint]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(harvest_checkpoints).order_by(harvest_checkpoints.c.source)
            ).all()
        return [_checkpoint_from_row(row) for row in rows]


def _locked_slot(conn: sa.Connection, host: str) -> RequestSlot:
    conn.execute(
        dialect_insert(conn.dialect.name, request_slots)
        .values(host=host, next_at=_NEVER_USED, holder=None, lease_until=None)
        .on_conflict_do_nothing()
    )
    row = conn.execute(
        sa.select(request_slots).where(request_slots.c.host == host).with_for_update()
    ).one()
    return RequestSlot(row.next_at, row.holder, row.lease_until)


def _save_slot(conn: sa.Connection, host: str, slot: RequestSlot) -> None:
    values = {"next_at": slot.next_at, "holder": slot.holder, "lease_until": slot.lease_until}
    conn.execute(request_slots.update().where(request_slots.c.host == host).values(values))


def _checkpoint_from_row(row: sa.Row[Any]) -> HarvestCheckpoint:
    values = row._mapping
    last_success = values["last_success"]
    return HarvestCheckpoint(
        source=values["source"],
        harvested_until=values["harvested_until"],
        last_success=last_success.replace(tzinfo=UTC) if last_success else None,
        run_from=values["run_from"],
        run_server_date=values["run_server_date"],
        resumption_token=values["resumption_token"],
        run_records=values["run_records"],
        last_error=values["last_error"],
    )
