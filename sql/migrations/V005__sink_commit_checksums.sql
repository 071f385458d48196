-- memfleet V005: the sink's commit log tells a replayed batch from another batch under the same id.
--
-- sink_commits.checksum: a digest of the batch's table and rows (ClickHouseBatch.checksum). A
-- batch id that comes back with other rows (a job restored twice from one savepoint) is written
-- under another id instead of being taken for a replay. Entries written before it read '' and are
-- taken as matching.
--
-- ADD COLUMN IF NOT EXISTS (a re-run after a failure half-way) is not in 18.16's grammar; the
-- modern branch has it, the 18.16 branch adds the column without it.

-- @if version >= 20.3
ALTER TABLE ${database}.sink_commits ADD COLUMN IF NOT EXISTS checksum String DEFAULT '';
-- @else
ALTER TABLE ${database}.sink_commits ADD COLUMN checksum String DEFAULT '';
-- @end
