-- 007_fetch_failure: why a transfer failed, named, beside curl's own message.
--
-- failure is NULL for every transfer that ended well; otherwise one of
-- 'connect refused', 'dns', 'timeout', 'tls', 'other' (crawler/fetcher.h),
-- whether or not a response had begun, so that failures can be counted per
-- host and cause in SQL.
ALTER TABLE fetches ADD COLUMN failure text
	CHECK (failure IN ('connect refused', 'dns', 'timeout', 'tls', 'other'));
