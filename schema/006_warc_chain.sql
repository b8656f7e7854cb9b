-- 006_warc_chain: the heads of the WARC files' hash chains (crawler/warc.c, DESIGN).
--
-- Each record of a WARC file carries the SHA-256 of the record before it, so
-- the digest of a file's last record (its chain head) covers every byte
-- before it. After syncing the files, and before committing the rows that
-- point at the records, the crawl adds one row per file it wrote to: after
-- `records` gzip members, which end at byte `bytes`, the head is `head`.
-- Rows are only added, never changed: `patrol evidence --verify-all` holds
-- every one of them against the file, so rewriting a file means forging
-- every head it ever had.

CREATE TABLE warc_chain_heads (
	warc_file  text NOT NULL,
	records    bigint NOT NULL CHECK (records > 0),
	bytes      bigint NOT NULL CHECK (bytes > 0),
	head       text NOT NULL CHECK (head ~ '^[0-9a-f]{64}$'),
	sealed_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (warc_file, records)
);

CREATE TRIGGER warc_chain_heads_append_only BEFORE UPDATE OR DELETE ON warc_chain_heads
	FOR EACH ROW EXECUTE FUNCTION patrol_append_only();
CREATE TRIGGER warc_chain_heads_truncate BEFORE TRUNCATE ON warc_chain_heads
	FOR EACH STATEMENT EXECUTE FUNCTION patrol_append_only();

-- --verify-all and --check read a file's rows in file order.
CREATE INDEX evidence_file ON evidence (warc_file, warc_offset);
